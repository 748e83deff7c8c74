"""What the SPSS and Stata exports read besides the rows: one snapshot for the count and
the rows (both formats state the number of cases before the data), the widest value of
each text column (their strings are fixed-width), and codes stored that no definition
lists any more (each still gets a number and a label)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator

import sqlite_utils

from surveyapp.store.filters import Filters


@contextlib.contextmanager
def snapshot(db: sqlite_utils.Database) -> Iterator[None]:
    """One read transaction: every statement inside sees the same responses, however many
    arrive meanwhile (WAL readers keep their snapshot). Nothing is written."""
    if db.conn.in_transaction:
        yield
        return
    db.execute("BEGIN")
    try:
        yield
    finally:
        if db.conn.in_transaction:
            db.execute("ROLLBACK")


def _scope(survey: str, filters: Filters) -> tuple[str, list]:
    """The questionnaire (and edition): with every edition named, the (survey, edition,
    field, value) index serves the answers table."""
    if filters.edition is None:
        editions = "SELECT edition FROM counters WHERE survey = ? AND field = '*' AND value = '*'"
        return f"survey = ? AND edition IN ({editions})", [survey, survey]
    return "survey = ? AND edition = ?", [survey, filters.edition]


def _by_field(
    db: sqlite_utils.Database, select: str, tail: str, survey: str, filters: Filters,
    fields: Iterable[str],
) -> list[tuple]:  # fmt: skip
    """Rows of `select ... WHERE <scope> AND field IN (fields) tail`; none without fields.
    `select` and `tail` are fixed text from this module; every value is a parameter."""
    fields = list(fields)
    if not fields:
        return []
    scope, params = _scope(survey, filters)
    marks = ", ".join("?" * len(fields))
    sql = f"{select} WHERE {scope} AND field IN ({marks}) {tail}"  # noqa: S608 - fixed text
    return db.execute(sql, [*params, *fields]).fetchall()


def answer_widths(
    db: sqlite_utils.Database, survey: str, filters: Filters, fields: Iterable[str]
) -> dict[str, int]:
    """{field: the longest answer in UTF-8 bytes} over the edition (or all editions); a
    time range is not narrowed, so this is an upper bound for it."""
    rows = _by_field(
        db, "SELECT field, max(octet_length(value)) FROM answers", "GROUP BY field",
        survey, filters, fields,
    )  # fmt: skip
    return {field: width or 0 for field, width in rows}


def meta_widths(db: sqlite_utils.Database, survey: str, filters: Filters) -> dict[str, int]:
    """The longest response id, version and submitted time, and invitation email (bytes)."""
    scope, params = _scope(survey, filters)
    sql = (
        "SELECT max(octet_length(response_id)), max(octet_length(version)),"  # noqa: S608 - fixed text
        f" max(octet_length(submitted_at)) FROM responses WHERE {scope}"
    )
    row = db.execute(sql, params).fetchone()
    email = db.execute(
        "SELECT max(octet_length(email)) FROM invitations"
        " WHERE survey = ? AND response_id IS NOT NULL",
        [survey],
    ).fetchone()[0]
    names = ("response_id", "version", "submitted_at")
    return {name: width or 0 for name, width in zip(names, row, strict=True)} | {
        "email": email or 0
    }


def stored_codes(
    db: sqlite_utils.Database, survey: str, filters: Filters, fields: Iterable[str]
) -> dict[str, list[str]]:
    """{field: every distinct value stored for it}, in code-point order (sorted here,
    whatever the database's collation), from the counters (every choice field is counted)."""
    rows = _by_field(
        db, "SELECT DISTINCT field, value FROM counters",
        "AND value != '*' AND count > 0 ORDER BY field, value", survey, filters, fields,
    )  # fmt: skip
    found: dict[str, list[str]] = {}
    for field, value in rows:
        found.setdefault(field, []).append(value)
    return {field: sorted(values) for field, values in found.items()}
