"""What the results and cross-tab pages read besides the counters: the values of one field
(numbers), a page of one field's text answers, and two fields' codes counted together.

Every read is of one edition's `answers` rows, narrowed by a `Scope`: a time range and
profile answers (an admin's filters), or the released row-id cut (a viewer's figures)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlite_utils

from surveyapp.store.connection import is_postgres
from surveyapp.store.counts import Segment, segment_sql
from surveyapp.store.filters import Filters

BY_RESPONSE = "answers_by_field_response"  # migrations/results.py


def _by_response(db: sqlite_utils.Database) -> str:
    """SQLite's choice of the answers index by field and response (PostgreSQL's planner
    takes no orders)."""
    return "" if is_postgres(db) else f" INDEXED BY {BY_RESPONSE}"


@dataclass(frozen=True)
class Scope:
    """Which responses of one questionnaire edition a figure covers."""

    survey: str
    edition: int
    filters: Filters = Filters()
    segment: Segment = field(default_factory=dict)
    cut: int | None = None  # only rows up to this response id (a viewer's released set)

    def condition(self, column: str = "response") -> tuple[str, list[Any]]:
        """' AND ...' keeping the answers rows of responses in scope, and its parameters."""
        sql, params = "", []
        if self.cut is not None:
            sql, params = f" AND {column} <= ?", [self.cut]
        if self.filters.timed or self.segment:
            where, where_params = Filters(self.edition, self.filters.since,
                                          self.filters.until).where()  # fmt: skip
            if self.segment:
                keep, keep_params = segment_sql(self.survey, self.segment, self.edition)
                where, where_params = f"{where} AND id IN ({keep})", [*where_params, *keep_params]
            # `column` is one of two fixed names; every value is a parameter.
            sql += f" AND {column} IN (SELECT id FROM responses WHERE survey = ?{where})"  # noqa: S608
            params += [self.survey, *where_params]
        return sql, params


def value_counts(db: sqlite_utils.Database, scope: Scope, name: str) -> list[tuple[str, int]]:
    """(stored value, how many responses gave it) for one field."""
    where, params = scope.condition()
    # A released cut bounds the response ids: that range lies in the field's response index.
    table = f"answers{_by_response(db)}" if scope.cut is not None else "answers"
    sql = (
        f"SELECT value, count(*) FROM {table} WHERE survey = ? AND edition = ? AND field = ?"  # noqa: S608 - fixed fragments
        f"{where} GROUP BY value"
    )
    return db.execute(sql, [scope.survey, scope.edition, name, *params]).fetchall()


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def text_page(
    db: sqlite_utils.Database, scope: Scope, name: str, search: str, limit: int, offset: int
) -> tuple[int, list[str]]:
    """(how many answers of the field match `search`, a page of them: newest first)."""
    where, params = scope.condition()
    if search:
        where, params = (
            f"{where} AND lower(value) LIKE lower(?) ESCAPE '\\'",
            [*params, _like(search)],
        )
    base = (
        "FROM answers WHERE survey = ? AND edition = ? AND field = ?"  # noqa: S608 - fixed fragments
        f"{where}"
    )
    args = [scope.survey, scope.edition, name, *params]
    total = db.execute(f"SELECT count(*) {base}", args).fetchone()[0]  # noqa: S608
    rows = db.execute(f"SELECT value {base} ORDER BY response DESC LIMIT ? OFFSET ?",  # noqa: S608
                      [*args, limit, offset])  # fmt: skip
    return total, [value for (value,) in rows]


def cross_counts(
    db: sqlite_utils.Database, scope: Scope, row: str, column: str
) -> dict[tuple[str, str], int]:
    """{(row code, column code): responses} for two fields answered by the same responses."""
    where, params = scope.condition("a.response")
    indexed = _by_response(db)
    sql = (
        f"SELECT a.value, b.value, count(*) FROM answers AS a{indexed}"  # noqa: S608 - fixed fragments
        f" JOIN answers AS b{indexed} ON b.survey = a.survey"
        " AND b.edition = a.edition AND b.field = ? AND b.response = a.response"
        f" WHERE a.survey = ? AND a.edition = ? AND a.field = ?{where}"
        " GROUP BY a.value, b.value"
    )
    rows = db.execute(sql, [column, scope.survey, scope.edition, row, *params])
    return {(r, c): n for r, c, n in rows}


def cross_counts_by_day(
    db: sqlite_utils.Database, survey: str, span: tuple[str, str], row: str, column: str
) -> dict[str, list[tuple[int, str, str, int]]]:
    """cross_counts of every edition for each day (UTC) of [span): {day: [(edition, row
    code, column code, responses)]}."""
    indexed = _by_response(db)
    sql = (
        "SELECT substr(r.submitted_at, 1, 10), a.edition, a.value, b.value, count(*)"  # noqa: S608 - fixed fragments
        f" FROM responses AS r JOIN answers AS a{indexed}"
        " ON a.survey = r.survey AND a.edition = r.edition AND a.field = ? AND a.response = r.id"
        f" JOIN answers AS b{indexed} ON b.survey = a.survey"
        " AND b.edition = a.edition AND b.field = ? AND b.response = a.response"
        " WHERE r.survey = ? AND r.submitted_at >= ? AND r.submitted_at < ?"
        " GROUP BY 1, 2, 3, 4"
    )
    start, end = (f"{day}T00:00:00.000000Z" if day else "" for day in span)
    found: dict[str, list[tuple[int, str, str, int]]] = {}
    for day, edition, r, c, n in db.execute(sql, [row, column, survey, start, end]):
        found.setdefault(day, []).append((edition, r, c, n))
    return found


def edition_value_counts(
    db: sqlite_utils.Database, survey: str, name: str, filters: Filters
) -> dict[int, dict[str, int]]:
    """{edition: {code: responses}} of one field over the editions `filters` leaves, counted
    from the answers of responses in the time range."""
    where, params = filters.where()
    sql = (
        "SELECT edition, value, count(*) FROM answers WHERE survey = ? AND field = ?"  # noqa: S608 - fixed fragments
        f" AND response IN (SELECT id FROM responses WHERE survey = ?{where})"
        " GROUP BY edition, value"
    )
    found: dict[int, dict[str, int]] = {}
    for edition, value, n in db.execute(sql, [survey, name, survey, *params]):
        found.setdefault(edition, {})[value] = n
    return found
