"""`recover FILE`: the responses a surveyapp database file (a restore's safety copy, or any
backup) holds that the live database lacks, and what re-importing some of them needs.

A response counts as present when the live database has its response id or its
submission key (a respondent who submitted again after the restore), or holds it as
excluded (store.removal)."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlite_utils

from surveyapp.store.backup import check_restorable
from surveyapp.store.restore import LISTING_FIELDS

_MISSING = (
    "FROM copy.responses AS c"
    " WHERE NOT EXISTS (SELECT 1 FROM main.responses AS m WHERE m.response_id = c.response_id)"
    " AND (c.submission_key IS NULL OR NOT EXISTS"
    " (SELECT 1 FROM main.responses AS m WHERE m.submission_key = c.submission_key))"
    " AND NOT EXISTS (SELECT 1 FROM main.excluded_responses AS x"
    " WHERE x.response_id = c.response_id)"
)


@contextlib.contextmanager
def _attached(live: sqlite_utils.Database, copy: Path) -> Iterator[None]:
    check_restorable(copy)
    live.execute("ATTACH DATABASE ? AS copy", [str(copy)])
    try:
        yield
    finally:
        live.execute("DETACH DATABASE copy")


def missing(live: sqlite_utils.Database, copy: Path) -> list[dict[str, Any]]:
    """The responses in `copy` the live database lacks (LISTING_FIELDS), oldest first."""
    columns = ", ".join(f"c.{name}" for name in LISTING_FIELDS)
    with _attached(live, copy):
        rows = live.execute(f"SELECT {columns} {_MISSING} ORDER BY c.id").fetchall()  # noqa: S608
    return [dict(zip(LISTING_FIELDS, row, strict=True)) for row in rows]


def fetch(live: sqlite_utils.Database, copy: Path, ids: list[str] | None) -> list[dict[str, Any]]:
    """Chosen missing responses (every one when `ids` is None) as insert_many rows,
    without `counted` (the caller knows the questionnaires)."""
    chosen = "" if ids is None else " AND c.response_id IN (SELECT value FROM json_each(?))"
    params = [] if ids is None else [json.dumps(ids)]
    with _attached(live, copy):
        rows = live.execute(
            "SELECT c.response_id, c.submission_key, c.survey, c.edition, c.version,"
            f" c.submitted_at, c.answers {_MISSING}{chosen} ORDER BY c.id",  # noqa: S608
            params,
        ).fetchall()
    names = ("response_id", "submission_key", "survey", "edition", "version", "submitted_at")
    return [
        dict(zip(names, row[:-1], strict=True)) | {"answers": json.loads(row[-1])} for row in rows
    ]
