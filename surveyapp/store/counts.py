"""Counting stored responses: the counters, answer counts by field and code (optionally
for a segment of respondents or a time range), response counts and latest times.

Counts come in one shape everywhere: {(field, value): n} per (survey, edition), where
("*", "*") is the number of responses, ("*", "~screened_out") those a screen_out rule
ended (never counted in any field), (field, "*") the responses that answered the field,
(field, "~not_shown") those not shown it and (field, code) the picks of a code: exactly
what the counters table holds.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import orjson
import sqlite_utils

from surveyapp.questionnaire.marks import NOT_SHOWN, SCREENED, SCREENED_OUT
from surveyapp.store.filters import NO_FILTERS, Filters

Counts = dict[tuple[str, str], int]
Segment = dict[str, str | list[str]]
BATCH = 1000


def counter_rows(db: sqlite_utils.Database, survey: str, edition: int) -> Counts:
    """The counters of one questionnaire edition."""
    rows = db.execute(
        "SELECT field, value, count FROM counters WHERE survey = ? AND edition = ?",
        [survey, edition],
    )
    return {(field, value): count for field, value, count in rows}


def survey_counters(db: sqlite_utils.Database, survey: str) -> dict[int, Counts]:
    """The counters of every edition of one questionnaire, by edition."""
    found: dict[int, Counts] = {}
    for edition, field, value, count in db.execute(
        "SELECT edition, field, value, count FROM counters WHERE survey = ?", [survey]
    ):
        found.setdefault(edition, {})[field, value] = count
    return found


def all_counters(db: sqlite_utils.Database) -> dict[tuple[str, int], Counts]:
    found: dict[tuple[str, int], Counts] = {}
    for survey, edition, field, value, count in db.execute(
        "SELECT survey, edition, field, value, count FROM counters"
    ):
        found.setdefault((survey, edition), {})[field, value] = count
    return found


def segment_sql(survey: str, segment: Segment, edition: int | None = None) -> tuple[str, list[Any]]:
    """SQL selecting the ids of responses that match every field of the segment (of one
    edition when given, which lets the (survey, edition, field, value) index serve it)."""
    parts, params = [], []
    scope = " AND edition = ?" if edition is not None else ""
    for field, codes in sorted(segment.items()):
        codes = [codes] if isinstance(codes, str) else list(codes)
        marks = ", ".join("?" * len(codes))
        parts.append(
            f"SELECT response FROM answers WHERE survey = ?{scope}"  # noqa: S608 - placeholders only
            f" AND field = ? AND value IN ({marks})"
        )
        params += [survey, *([edition] if edition is not None else []), field, *codes]
    return " INTERSECT ".join(parts), params


def segment_exists(segment: Segment) -> tuple[str, list[Any]]:
    """' AND EXISTS ...' keeping the rows of `responses` that match every field of the
    segment: one seek a response in the answers_by_field_response index, which beats
    reading every answer of the segment when a time range keeps few responses."""
    sql, params = "", []
    for field, codes in sorted(segment.items()):
        codes = [codes] if isinstance(codes, str) else list(codes)
        sql += (
            " AND EXISTS (SELECT 1 FROM answers s WHERE s.survey = responses.survey"  # noqa: S608
            " AND s.edition = responses.edition AND s.field = ? AND s.response = responses.id"
            f" AND s.value IN ({', '.join('?' * len(codes))}))"
        )
        params += [field, *codes]
    return sql, params


def _scope(
    survey: str | None, filters: Filters, segment: Segment | None
) -> tuple[str, list[Any], bool]:
    """(WHERE for responses, its parameters, whether answers must be joined to the kept
    responses). Without a time range or segment, answers carry survey and edition
    themselves and are counted on their own index."""
    where, params = filters.where()
    if survey is not None:
        where, params = f" AND survey = ?{where}", [survey, *params]
    if segment and filters.timed:
        keep, keep_params = segment_exists(segment)
        where, params = f"{where}{keep}", [*params, *keep_params]
    elif segment:
        keep, keep_params = segment_sql(str(survey), segment, filters.edition)
        where, params = f"{where} AND id IN ({keep})", [*params, *keep_params]
    return where, params, bool(segment) or filters.timed


def answer_counts(
    db: sqlite_utils.Database,
    survey: str | None = None,
    filters: Filters = NO_FILTERS,
    segment: Segment | None = None,
) -> dict[tuple[str, int], Counts]:
    """Counts per (survey, edition) recomputed from `responses` and `answers`, for one
    questionnaire (or all), edition, time range and segment."""
    where, params, joined = _scope(survey, filters, segment)
    materialized = "MATERIALIZED" if joined else ""
    kept = (
        f"WITH kept AS {materialized} (SELECT id, survey, edition, status FROM responses"  # noqa: S608 - fixed fragments
        f" WHERE TRUE{where})"
    )
    if joined:
        answers, answer_params = "WHERE response IN (SELECT id FROM kept)", []
    else:
        answers, answer_params = _answer_scope(survey, filters.edition)
    sql = (
        f"{kept} SELECT survey, edition, '*', '*', count(*) FROM kept GROUP BY survey, edition"  # noqa: S608
        " UNION ALL SELECT survey, edition, '*', ?, count(*) FROM kept WHERE status = ?"
        " GROUP BY survey, edition"
        f" UNION ALL SELECT survey, edition, field, '*', count(DISTINCT response) FROM answers"
        f" {answers} GROUP BY survey, edition, field"
        f" UNION ALL SELECT survey, edition, field, value, count(*) FROM answers"
        f" {answers} GROUP BY survey, edition, field, value"
        f" UNION ALL SELECT survey, edition, field, ?, count(*) FROM not_shown"
        f" {answers} GROUP BY survey, edition, field"
    )
    found: dict[tuple[str, int], Counts] = {}
    args = [*params, SCREENED_OUT, SCREENED, *answer_params * 2, NOT_SHOWN, *answer_params]
    for name, edition, field, value, n in db.execute(sql, args):
        found.setdefault((name, edition), {})[field, value] = n
    return found


def _answer_scope(survey: str | None, edition: int | None) -> tuple[str, list[Any]]:
    parts = [(column, value) for column, value in (("survey", survey), ("edition", edition))
             if value is not None]  # fmt: skip
    if not parts:
        return "", []
    return "WHERE " + " AND ".join(f"{column} = ?" for column, _ in parts), [v for _, v in parts]


def response_count(db: sqlite_utils.Database, survey: str, filters: Filters = NO_FILTERS) -> int:
    where, params = filters.where()
    sql = f"SELECT count(*) FROM responses WHERE survey = ?{where}"  # noqa: S608
    return db.execute(sql, [survey, *params]).fetchone()[0]


def stored_answers(
    db: sqlite_utils.Database, survey: str, filters: Filters
) -> Iterator[dict[str, Any]]:
    """The answers of every response in scope, read in batches."""
    where, params = filters.where()
    # Filters.where() adds only fixed column names; every value is a parameter.
    sql = f"SELECT answers FROM responses WHERE survey = ?{where}"  # noqa: S608
    cursor = db.execute(sql, [survey, *params])
    try:
        while rows := cursor.fetchmany(BATCH):
            for (answers,) in rows:
                yield orjson.loads(answers)
    finally:
        cursor.close()


def latest(db: sqlite_utils.Database, survey: str, filters: Filters = NO_FILTERS) -> str | None:
    where, params = filters.where()
    sql = f"SELECT max(submitted_at) FROM responses WHERE survey = ?{where}"  # noqa: S608
    return db.execute(sql, [survey, *params]).fetchone()[0]


def change_mark(db: sqlite_utils.Database) -> str:
    """Row id of the newest response and the number of removals and restores (store.removal):
    changes whenever a response is stored, excluded, restored or deleted."""
    row = db.execute(
        "SELECT coalesce((SELECT max(id) FROM responses), 0), removals FROM response_marks"
    ).fetchone()
    return f"{row[0]}.{row[1]}"


def total_responses(db: sqlite_utils.Database, survey: str) -> int:
    """Every response of a questionnaire, from the counters."""
    return db.execute(
        "SELECT coalesce(sum(count), 0) FROM counters"
        " WHERE survey = ? AND field = '*' AND value = '*'",
        [survey],
    ).fetchone()[0]


def responses_since(db: sqlite_utils.Database, survey: str, moment: str) -> int:
    return db.execute(
        "SELECT count(*) FROM responses WHERE survey = ? AND submitted_at >= ?", [survey, moment]
    ).fetchone()[0]


def edition_responses(db: sqlite_utils.Database, survey: str) -> dict[int, int]:
    """Responses per edition, from the counters."""
    rows = db.execute(
        "SELECT edition, count FROM counters WHERE survey = ? AND field = '*' AND value = '*'",
        [survey],
    )
    return dict(rows.fetchall())


def surveys_with_responses(db: sqlite_utils.Database) -> Iterable[str]:
    return [row[0] for row in db.execute("SELECT DISTINCT survey FROM counters")]
