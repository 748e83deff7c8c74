"""The responses table: a page of responses (counted or excluded) chosen by answers, text
search, edition, time, status and language, sorted by submitted time or by one field's
answer, paged by key (the sort value and row id of the last row shown), so a page costs
the same however deep it is and rows arriving meanwhile neither repeat nor vanish."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson
import sqlite_utils

from surveyapp.store import search
from surveyapp.store.connection import is_postgres
from surveyapp.store.filters import NO_FILTERS, Filters

COUNTED, EXCLUDED = "responses", "excluded_responses"
RARE = 0.1  # an answer filter keeping at most this share of responses is listed up front
RARE_UNKNOWN = 2**62  # free text has no counters: ranked last
COUNT_LIMIT = 1000  # counts past this with a search or answer filter are shown as "more than"
_COLUMNS = "id, response_id, submitted_at, edition, version, status, answers"


@dataclass(frozen=True)
class TableQuery:
    survey: str
    editions: tuple[int, ...]  # the questionnaire's editions: lets the answers index serve
    filters: Filters = NO_FILTERS
    answers: tuple[tuple[str, str], ...] = ()  # (field, value): each must be among its answers
    search: str = ""  # words, each matched as a prefix in the text answers
    status: str | None = None  # completed or screened_out
    language: str | None = None
    excluded: bool = False  # the excluded responses instead of the counted ones
    sort: str | None = None  # a field, else the submitted time
    descending: bool = True
    after: tuple[str, int] | None = None  # (sort value, row id) of the last row shown
    limit: int = 50


@dataclass
class _Where:
    parts: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)

    def add(self, sql: str, *params: Any) -> None:
        self.parts.append(sql)
        self.params.extend(params)

    def sql(self) -> str:
        return " AND ".join(self.parts)


def has_language(db: sqlite_utils.Database) -> bool:
    """Whether responses carry a language (a column another migration may add)."""
    return any(row[1] == "language" for row in db.execute("PRAGMA table_info(responses)"))


def languages(db: sqlite_utils.Database, survey: str) -> list[str]:
    """The languages the questionnaire's responses were given in (none without the column)."""
    if not has_language(db):
        return []
    rows = db.execute(
        "SELECT DISTINCT language FROM responses WHERE survey = ? AND language IS NOT NULL",
        [survey],
    )
    return sorted(str(value) for (value,) in rows)


def _path(db: sqlite_utils.Database, name: str) -> str:
    """The parameter that names one key of a JSON object in _member and _each."""
    name = name.replace('"', "")
    return name if is_postgres(db) else f'$."{name}"'


def _member(db: sqlite_utils.Database, column: str) -> str:
    """SQL: as text, the value of the key (a _path parameter) in `column`'s JSON object."""
    if is_postgres(db):
        return f'({column}::jsonb ->> ?) COLLATE "C"'
    return f"CAST(json_extract({column}, ?) AS TEXT)"


def _each(db: sqlite_utils.Database) -> str:
    """SQL: rows (`value`) of the answer a _path parameter names: a list's items, else
    the one answer."""
    if is_postgres(db):
        return "jsonb_array_elements_text(jsonb_path_query_array(answers::jsonb -> ?, '$[*]'))"
    return "json_each(answers, ?)"


def _sort_key(db: sqlite_utils.Database, q: TableQuery) -> tuple[str, list[Any]]:
    if q.sort is None:
        return "submitted_at", []
    return f"coalesce({_member(db, 'answers')}, '')", [_path(db, q.sort)]


def _picks(db: sqlite_utils.Database, q: TableQuery, name: str, value: str) -> int | None:
    """How many responses picked `value` for field `name`, from the counters (None for a
    field without counters: free text)."""
    marks = ", ".join("?" * len(q.editions))
    row = db.execute(
        f"SELECT sum(count) FROM counters WHERE survey = ? AND edition IN ({marks})"  # noqa: S608 - placeholders
        " AND field = ? AND value = ?",
        [q.survey, *q.editions, name, value],
    ).fetchone()
    return row[0]


def _answer_conditions(db: sqlite_utils.Database, q: TableQuery, w: _Where) -> None:
    """One condition per answer filter. Each is a probe of the response's own answer row
    (answers_by_field_response serves it from the index alone), cheap while matches are
    common; the rarest filter (by its counters) is a list built
    once when it keeps under RARE of the responses, so a rare match needs no long probing."""
    if q.excluded:
        for name, value in q.answers:
            each = f"EXISTS (SELECT 1 FROM {_each(db)} WHERE value = ?)"  # noqa: S608 - fixed
            w.add(each, _path(db, name), value)
        return
    picks = {nv: _picks(db, q, *nv) for nv in q.answers}
    ranked = sorted(q.answers, key=lambda nv: RARE_UNKNOWN if picks[nv] is None else picks[nv])
    rare = picks[ranked[0]] if ranked else None
    total = _picks(db, q, "*", "*") or 0
    marks = ", ".join("?" * len(q.editions))
    for n, (name, value) in enumerate(ranked):
        if n == 0 and rare is not None and rare <= total * RARE:
            w.add(f"id IN (SELECT response FROM answers WHERE survey = ? AND edition IN ({marks})"  # noqa: S608 - placeholders
                  " AND field = ? AND value = ?)", q.survey, *q.editions, name, value)  # fmt: skip
        else:
            w.add("EXISTS (SELECT 1 FROM answers AS a WHERE a.survey = ? AND a.edition ="
                  " responses.edition AND a.field = ? AND a.response = responses.id"
                  " AND a.value = ?)", q.survey, name, value)  # fmt: skip


def _search_conditions(db: sqlite_utils.Database, q: TableQuery, w: _Where) -> None:
    if q.excluded:  # few rows, no search index: every word somewhere in the answers
        for word in search.words(q.search):
            w.add(
                "lower(answers) LIKE lower(?) ESCAPE '\\'", f"%{word.replace('_', chr(92) + '_')}%"
            )
        return
    found = search.condition(db, q.search)
    if found:
        w.add(*found)


def _conditions(db: sqlite_utils.Database, q: TableQuery) -> _Where:
    w = _Where()
    where, params = q.filters.where()
    w.add("survey = ?" + where, q.survey, *params)
    if q.status:
        w.add("status = ?", q.status)
    if q.language:
        if q.excluded:
            w.add(f"{_member(db, 'extra')} = ?", _path(db, "language"), q.language)
        else:
            w.add("language = ?", q.language)
    _search_conditions(db, q, w)
    _answer_conditions(db, q, w)
    return w


def table_rows(db: sqlite_utils.Database, q: TableQuery) -> list[dict[str, Any]]:
    """A page of the table: rows as dicts with their answers and `key` (the sort value)."""
    w = _conditions(db, q)
    key, key_params = _sort_key(db, q)
    if q.after is not None:
        op = "<" if q.descending else ">"
        w.add(f"({key}, id) {op} (?, ?)", *key_params, *q.after)
    direction = "DESC" if q.descending else "ASC"
    extra = ", reason, excluded_at, excluded_by" if q.excluded else ""
    sql = (f"SELECT {_COLUMNS}, {key} AS sort_key{extra} FROM {EXCLUDED if q.excluded else COUNTED}"  # noqa: S608 - fixed fragments
           f" WHERE {w.sql()} ORDER BY sort_key {direction}, id {direction} LIMIT ?")  # fmt: skip
    cursor = db.execute(sql, [*key_params, *w.params, q.limit])
    names = [d[0] for d in cursor.description]
    rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    for row in rows:
        row["answers"] = orjson.loads(row["answers"])
    return rows


def table_count(db: sqlite_utils.Database, q: TableQuery) -> tuple[int, bool]:
    """(how many responses the query keeps, whether there are more than that). With a
    search or an answer filter the count stops past COUNT_LIMIT: an exact count would
    probe every response, and the table needs only its first page."""
    w = _conditions(db, q)
    table = EXCLUDED if q.excluded else COUNTED
    sql = f"SELECT 1 FROM {table} WHERE {w.sql()}"  # noqa: S608 - fixed fragments
    if not (q.answers or search.words(q.search)):
        return db.execute(f"SELECT count(*) FROM ({sql}) AS kept", w.params).fetchone()[0], False  # noqa: S608
    sql = f"SELECT count(*) FROM ({sql} LIMIT ?) AS found"  # noqa: S608 - fixed fragments
    found = db.execute(sql, [*w.params, COUNT_LIMIT + 1])
    count = found.fetchone()[0]
    return min(count, COUNT_LIMIT), count > COUNT_LIMIT


def one_response(db: sqlite_utils.Database, survey: str, response_id: str) -> dict | None:
    """A counted response, else an excluded one (with its reason), else None."""
    for table, extra in ((COUNTED, ""), (EXCLUDED, ", reason, excluded_at, excluded_by")):
        cursor = db.execute(
            f"SELECT {_COLUMNS}{extra} FROM {table} WHERE survey = ? AND response_id = ?",  # noqa: S608
            [survey, response_id],
        )
        found = cursor.fetchone()
        if found:
            row = dict(zip([d[0] for d in cursor.description], found, strict=True))
            row["answers"] = orjson.loads(row["answers"])
            row["excluded"] = table == EXCLUDED
            return row
    return None


def excluded_after(
    db: sqlite_utils.Database, survey: str, filters: Filters, answers: dict[str, list[str]],
    after: int, limit: int | None = None,
) -> Iterator[tuple[int, dict[str, Any]]]:  # fmt: skip
    """(row id, response) of excluded responses past row `after`, in row-id order: what
    listing.responses_after gives for the counted ones (the API's `excluded=true`)."""
    w = _Where()
    where, params = filters.where()
    w.add("survey = ? AND id > ?" + where, survey, after, *params)
    for name, values in sorted(answers.items()):
        marks = ", ".join("?" * len(values))
        w.add(f"EXISTS (SELECT 1 FROM {_each(db)} WHERE value IN ({marks}))",  # noqa: S608 - placeholders
              _path(db, name), *values)  # fmt: skip
    sql = (f"SELECT id, response_id, submitted_at, edition, version, answers FROM {EXCLUDED}"  # noqa: S608 - fixed fragments
           f" WHERE {w.sql()} ORDER BY id")  # fmt: skip
    if limit is not None:
        sql, w.params = f"{sql} LIMIT ?", [*w.params, limit]
    for rowid, response_id, submitted_at, edition, version, text in db.execute(sql, w.params):
        keys = {"response_id": response_id, "submitted_at": submitted_at, "edition": edition}
        yield rowid, keys | {"version": version, "answers": orjson.loads(text)}
