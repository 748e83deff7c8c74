"""`recover FILE`: the responses a surveyapp database file (a restore's safety copy, or any
backup) holds that the live database lacks, and what re-importing some of them needs.

A response counts as present when the live database has its response id or its
submission key (a respondent who submitted again after the restore), or holds it as
excluded (store.removal). The file is always SQLite; a live SQLite database attaches it,
a live PostgreSQL one is asked which of the file's responses it holds (a SQLite database
or backup recovered into PostgreSQL, e.g. responses stored after `migrate-to-postgres`)."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlite_utils
from sqlite_utils.utils import sqlite3

from surveyapp.store.backup import check_restorable
from surveyapp.store.connection import is_postgres
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
    if is_postgres(live):
        rows = _missing_from(live, copy, columns, None)
    else:
        with _attached(live, copy):
            rows = live.execute(f"SELECT {columns} {_MISSING} ORDER BY c.id").fetchall()  # noqa: S608
    return [dict(zip(LISTING_FIELDS, row, strict=True)) for row in rows]


_CHUNK = 500


def _missing_from(
    live: sqlite_utils.Database, copy: Path, columns: str, ids: list[str] | None
) -> list[tuple]:
    """`columns` of the responses in `copy` (chosen by id, or all) that `live` lacks."""
    check_restorable(copy)
    sql = f"SELECT {columns}, c.response_id, c.submission_key FROM responses AS c ORDER BY c.id"  # noqa: S608 - fixed columns
    with contextlib.closing(sqlite3.connect(str(copy))) as source:
        rows = [row for row in source.execute(sql) if ids is None or row[-2] in ids]
    held_ids = _held(live, [row[-2] for row in rows], ("responses", "excluded_responses"))
    held_keys = _held(live, [row[-1] for row in rows if row[-1]], ("responses",), "submission_key")
    return [row[:-2] for row in rows if row[-2] not in held_ids and row[-1] not in held_keys]


def _held(
    live: sqlite_utils.Database, values: list[str], tables: tuple[str, ...],
    column: str = "response_id",
) -> set[str]:  # fmt: skip
    """Those of `values` that `column` holds in any of `tables` of the live database."""
    found: set[str] = set()
    for start in range(0, len(values), _CHUNK):
        chunk = values[start : start + _CHUNK]
        marks = ", ".join("?" * len(chunk))
        for table in tables:
            sql = f"SELECT {column} FROM {table} WHERE {column} IN ({marks})"  # noqa: S608 - names from code
            found.update(value for (value,) in live.execute(sql, chunk))
    return found


def fetch(live: sqlite_utils.Database, copy: Path, ids: list[str] | None) -> list[dict[str, Any]]:
    """Chosen missing responses (every one when `ids` is None) as insert_many rows,
    without `counted` (the caller knows the questionnaires)."""
    columns = "c.response_id, c.submission_key, c.survey, c.edition, c.version, c.submitted_at,"
    columns += " c.answers"
    if is_postgres(live):
        return _rows(_missing_from(live, copy, columns, ids))
    chosen = "" if ids is None else " AND c.response_id IN (SELECT value FROM json_each(?))"
    params = [] if ids is None else [json.dumps(ids)]
    with _attached(live, copy):
        rows = live.execute(f"SELECT {columns} {_MISSING}{chosen} ORDER BY c.id", params).fetchall()  # noqa: S608
    return _rows(rows)


def _rows(rows: list[tuple]) -> list[dict[str, Any]]:
    names = ("response_id", "submission_key", "survey", "edition", "version", "submitted_at")
    return [
        dict(zip(names, row[:-1], strict=True)) | {"answers": json.loads(row[-1])} for row in rows
    ]
