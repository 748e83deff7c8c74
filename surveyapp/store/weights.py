"""Weighting targets (table `weight_targets`, migration m010_statfiles_weights) and the rows
the weights are computed from.

An admin sets, per questionnaire edition and profile question, the share of the population
in each of its codes (decimal text, exactly as entered, as a fraction of 1). Setting or
removing a question's targets replaces its rows and writes the audit entry in the same
transaction."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson
import sqlite_utils

from surveyapp.store import audit
from surveyapp.store.connection import immediate
from surveyapp.store.filters import Filters
from surveyapp.store.timestamps import utcnow

BATCH = 1000
Targets = dict[str, dict[str, str]]


def targets(db: sqlite_utils.Database, survey: str, edition: int) -> Targets:
    """{field: {code: share}} of one edition, codes in the order they were stored."""
    rows = db.execute(
        "SELECT field, code, share FROM weight_targets WHERE survey = ? AND edition = ?"
        " ORDER BY field, position",
        [survey, edition],
    )
    found: Targets = {}
    for field, code, share in rows.fetchall():
        found.setdefault(field, {})[code] = share
    return found


def set_targets(
    db: sqlite_utils.Database, survey: str, edition: int, field: str, shares: dict[str, str],
    actor: str,
) -> None:  # fmt: skip
    """Replace one question's targets ({code: share as decimal text}) and audit it."""
    now = utcnow()
    with immediate(db):
        _delete(db, survey, edition, field)
        db.conn.executemany(
            "INSERT INTO weight_targets (survey, edition, field, code, position, share,"
            " updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(survey, edition, field, code, position, share, now, actor)
             for position, (code, share) in enumerate(shares.items())],
        )  # fmt: skip
        audit.record(db, actor, "weights", survey=survey, edition=edition, field=field,
                     targets=shares)  # fmt: skip


def clear_targets(
    db: sqlite_utils.Database, survey: str, edition: int, field: str, actor: str
) -> bool:
    """Remove one question's targets (audited); False when it had none."""
    with immediate(db):
        removed = _delete(db, survey, edition, field)
        if removed:
            audit.record(db, actor, "weights", survey=survey, edition=edition, field=field,
                         targets=None)  # fmt: skip
    return bool(removed)


def _delete(db: sqlite_utils.Database, survey: str, edition: int, field: str) -> int:
    return db.execute(
        "DELETE FROM weight_targets WHERE survey = ? AND edition = ? AND field = ?",
        [survey, edition, field],
    ).rowcount


def weighted_editions(db: sqlite_utils.Database, survey: str) -> list[int]:
    """The editions of a questionnaire that have targets."""
    rows = db.execute(
        "SELECT DISTINCT edition FROM weight_targets WHERE survey = ? ORDER BY edition", [survey]
    )
    return [edition for (edition,) in rows.fetchall()]


def rows_after(
    db: sqlite_utils.Database, survey: str, edition: int, after: int, filters: Filters
) -> Iterator[tuple[int, dict[str, Any]]]:
    """(row id, answers) of the edition's responses stored after row `after`, in row-id
    order, within the filters' time range. The rows are walked by row id (survey and
    edition as expressions keep SQLite off the edition's index), so nothing is sorted in
    memory."""
    where, params = Filters(None, filters.since, filters.until).where()
    sql = (
        "SELECT id, answers FROM responses WHERE id > ? AND survey || '' = ? AND edition + 0 = ?"  # noqa: S608 - fixed columns, values are parameters
        f"{where} ORDER BY id"
    )
    cursor = db.execute(sql, [after, survey, edition, *params])
    try:
        while rows := cursor.fetchmany(BATCH):
            for row_id, answers in rows:
                yield row_id, orjson.loads(answers)
    finally:
        cursor.close()
