"""Answer counts over a time range or for a segment, summed from kept whole days.

`range_counts` gives exactly what `counts.answer_counts` recounts, but reads each whole
past day (UTC) from `day_counts` once it was counted; the partial days at the edges of
the range, today and any day not (or no longer) kept are counted live. The triggers of
store/migrations/adminperf.py forget a day whenever a response or not-shown row of it is
inserted, changed or deleted, or an answer row changed or deleted (answers are inserted
only with their response row), by any code path, so a kept day never goes stale. A day
is counted in three steps so that a change made meanwhile is never kept: mark it pending
(a token), count it, keep the counts only if the mark survived (a trigger deletes it on
any change of that day).
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import orjson
import sqlite_utils

from surveyapp.questionnaire.marks import NOT_SHOWN, SCREENED, SCREENED_OUT
from surveyapp.store import counts, results
from surveyapp.store.connection import OperationalError, immediate
from surveyapp.store.counts import Counts, Segment, segment_sql
from surveyapp.store.filters import Filters
from surveyapp.store.timestamps import utcnow

MIDNIGHT = "T00:00:00.000000Z"
DONE = "done"
CHUNK_DAYS = 7
Found = dict[tuple[str, int], Counts]


def day_after(day: str) -> str:
    return (date.fromisoformat(day) + timedelta(days=1)).isoformat()


def whole_days(filters: Filters, today: str) -> tuple[str, str] | None:
    """[first, last) days (YYYY-MM-DD) wholly inside the range and before `today`."""
    first = ""
    if filters.since is not None:
        first = filters.since[:10]
        if filters.since != first + MIDNIGHT:
            first = day_after(first)
    last = min(filters.until[:10], today) if filters.until is not None else today
    return (first, last) if first < last else None


def segment_key(segment: Segment | None) -> str:
    return orjson.dumps(segment or {}, option=orjson.OPT_SORT_KEYS).decode()


@dataclass(frozen=True)
class Counting:
    """What is counted by day: its `key` in day_counts (a segment's JSON, or "pairs" and two
    fields), the counts of each day of a span and the live count of a time range."""

    key: str
    by_day: Callable[[sqlite_utils.Database, str, tuple[str, str]], dict[str, list[tuple]]]
    live: Callable[[sqlite_utils.Database, str, Filters], Found]


def answers_counting(segment: Segment | None) -> Counting:
    return Counting(
        segment_key(segment),
        lambda db, survey, span: by_day(db, survey, span, segment),
        lambda db, survey, part: counts.answer_counts(db, survey, part, segment),
    )


def pairs_counting(edition: int, row: str, column: str) -> Counting:
    """Two fields' codes counted together ({(survey, edition): {(row code, column code): n}})."""

    def live(db: sqlite_utils.Database, survey: str, part: Filters) -> Found:
        found = results.cross_counts(db, results.Scope(survey, edition, part), row, column)
        return {(survey, edition): found} if found else {}

    return Counting(
        "pairs " + orjson.dumps([row, column]).decode(),
        lambda db, survey, span: results.cross_counts_by_day(db, survey, span, row, column),
        live,
    )


def range_counts(
    db: sqlite_utils.Database, survey: str, filters: Filters, segment: Segment | None = None
) -> Found:
    """counts.answer_counts(db, survey, filters, segment), from kept days where it can."""
    return kept_range(db, survey, filters, answers_counting(segment))


def pair_counts(
    db: sqlite_utils.Database, scope: results.Scope, row: str, column: str
) -> dict[tuple[str, str], int]:
    """results.cross_counts(db, scope, row, column), from kept days where it can (a scope
    without a segment or released cut)."""
    if scope.segment or scope.cut is not None:
        return results.cross_counts(db, scope, row, column)
    filters = Filters(scope.edition, scope.filters.since, scope.filters.until)
    found = kept_range(db, scope.survey, filters, pairs_counting(scope.edition, row, column))
    return found.get((scope.survey, scope.edition), {})


def kept_range(db: sqlite_utils.Database, survey: str, filters: Filters, how: Counting) -> Found:
    """The counts of the range: kept whole days summed, the rest counted live."""
    span = whole_days(filters, utcnow()[:10])
    if span is None:
        return how.live(db, survey, filters)
    with contextlib.suppress(OperationalError):  # busy or restoring: count live
        keep_days(db, survey, span, how)
    # No read transaction around what follows: the read budget stops no statement inside
    # one. Each day is counted once, kept or live, though not all at the same instant.
    found, done = summed(db, survey, span, how.key, filters.edition)
    missing = [day for day in response_days(db, survey, span) if day not in done]
    for part in live_parts(filters, span, missing):
        add(found, how.live(db, survey, part))
    return found


def live_parts(filters: Filters, span: tuple[str, str], missing: list[str]) -> list[Filters]:
    """The time ranges counted live: the edges around the span, and each run of days in
    it that is not kept."""
    first, last = span
    edges = [(last + MIDNIGHT, filters.until)]
    if filters.since is not None:
        edges.append((filters.since, first + MIDNIGHT))
    runs: list[list[str]] = []
    for day in missing:
        if runs and runs[-1][1] == day:
            runs[-1][1] = day_after(day)
        else:
            runs.append([day, day_after(day)])
    ranges = edges + [(start + MIDNIGHT, end + MIDNIGHT) for start, end in runs]
    return [Filters(filters.edition, since, until) for since, until in ranges
            if until is None or since < until]  # fmt: skip


def add(found: Found, more: Found) -> None:
    for key, by_field in more.items():
        into = found.setdefault(key, {})
        for cell, n in by_field.items():
            into[cell] = into.get(cell, 0) + n


def response_days(db: sqlite_utils.Database, survey: str, span: tuple[str, str]) -> list[str]:
    """The days of the span on which the questionnaire has responses (one seek a day)."""
    days, at, end = [], span[0] + MIDNIGHT if span[0] else "", span[1] + MIDNIGHT
    while True:
        row = db.execute(
            "SELECT min(submitted_at) FROM responses WHERE survey = ? AND submitted_at >= ?"
            " AND submitted_at < ?",
            [survey, at, end],
        ).fetchone()
        if row[0] is None:
            return days
        days.append(row[0][:10])
        at = day_after(row[0][:10]) + MIDNIGHT


def kept_days(db: sqlite_utils.Database, survey: str, span: tuple[str, str], key: str) -> list[str]:
    rows = db.execute(
        "SELECT day FROM day_counted WHERE survey = ? AND day >= ? AND day < ?"
        " AND segment = ? AND state = ?",
        [survey, *span, key, DONE],
    )
    return [day for (day,) in rows]


def summed(
    db: sqlite_utils.Database, survey: str, span: tuple[str, str], key: str, edition: int | None
) -> tuple[Found, set[str]]:
    """(the kept counts of the span's kept days added up, those days), read by one
    statement so both come from the same state of the database."""
    scope, params = ("", []) if edition is None else (" AND c.edition = ?", [edition])
    rows = db.execute(
        "SELECT NULL, c.edition, c.field, c.value, sum(c.count) FROM day_counts c"  # noqa: S608
        " JOIN day_counted d ON d.survey = c.survey AND d.day = c.day AND d.segment = c.segment"
        f" WHERE c.survey = ? AND c.day >= ? AND c.day < ? AND c.segment = ? AND d.state = ?{scope}"
        " GROUP BY c.edition, c.field, c.value"
        " UNION ALL SELECT day, NULL, NULL, NULL, NULL FROM day_counted"
        " WHERE survey = ? AND day >= ? AND day < ? AND segment = ? AND state = ?",
        [survey, *span, key, DONE, *params, survey, *span, key, DONE],
    )
    found: Found = {}
    days = set()
    for day, edition, field, value, n in rows:
        if day is not None:
            days.add(day)
        else:
            found.setdefault((survey, edition), {})[field, value] = n
    return found, days


def keep_days(db: sqlite_utils.Database, survey: str, span: tuple[str, str], how: Counting) -> None:
    """Count and keep the span's days with responses that are not kept yet, a week of them
    at a time: a read stopped by its time budget keeps the weeks counted before."""
    known = set(kept_days(db, survey, span, how.key))
    missing = sorted(set(response_days(db, survey, span)) - known)
    for first in range(0, len(missing), CHUNK_DAYS):
        days = missing[first : first + CHUNK_DAYS]
        token = secrets.token_hex(8)
        with immediate(db):
            db.conn.executemany(
                "INSERT OR REPLACE INTO day_counted (survey, day, segment, state)"
                " VALUES (?, ?, ?, ?)",
                [(survey, day, how.key, token) for day in days],
            )
        rows = how.by_day(db, survey, (days[0], day_after(days[-1])))
        with immediate(db):
            for day in days:
                _store_day(db, survey, day, how.key, token, rows.get(day, []))


def _store_day(
    db: sqlite_utils.Database, survey: str, day: str, key: str, token: str, rows: list[tuple]
) -> None:
    marked = db.execute(
        "SELECT 1 FROM day_counted WHERE survey = ? AND day = ? AND segment = ? AND state = ?",
        [survey, day, key, token],
    ).fetchone()
    if marked is None:  # the day changed while it was counted, or another count took over
        return
    db.execute("DELETE FROM day_counts WHERE survey = ? AND day = ? AND segment = ?",
               [survey, day, key])  # fmt: skip
    db.conn.executemany(
        "INSERT INTO day_counts (survey, day, segment, edition, field, value, count)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(survey, day, key, *row) for row in rows],
    )
    db.execute(
        "UPDATE day_counted SET state = ? WHERE survey = ? AND day = ? AND segment = ?",
        [DONE, survey, day, key],
    )


def by_day(
    db: sqlite_utils.Database, survey: str, span: tuple[str, str], segment: Segment | None
) -> dict[str, list[tuple[int, str, str, int]]]:
    """answer_counts' figures for each day of the span, in one statement: {day: [(edition,
    field, value, count)]}."""
    where, params = "", [survey, span[0] + MIDNIGHT, span[1] + MIDNIGHT]
    if segment:
        keep, keep_params = segment_sql(survey, segment)
        where, params = f" AND id IN ({keep})", [*params, *keep_params]
    sql = (
        "WITH kept AS MATERIALIZED (SELECT id, edition, status, substr(submitted_at, 1, 10) AS day"  # noqa: S608
        f" FROM responses WHERE survey = ? AND submitted_at >= ? AND submitted_at < ?{where})"
        " SELECT day, edition, '*', '*', count(*) FROM kept GROUP BY day, edition"
        " UNION ALL SELECT day, edition, '*', ?, count(*) FROM kept WHERE status = ?"
        " GROUP BY day, edition"
        " UNION ALL SELECT k.day, k.edition, a.field, '*', count(DISTINCT a.response)"
        " FROM kept k JOIN answers a ON a.response = k.id GROUP BY 1, 2, 3"
        " UNION ALL SELECT k.day, k.edition, a.field, a.value, count(*)"
        " FROM kept k JOIN answers a ON a.response = k.id GROUP BY 1, 2, 3, 4"
        " UNION ALL SELECT k.day, k.edition, n.field, ?, count(*)"
        " FROM kept k JOIN not_shown n ON n.response = k.id GROUP BY 1, 2, 3"
    )
    found: dict[str, list[tuple[int, str, str, int]]] = {}
    for day, edition, field, value, n in db.execute(
        sql, [*params, SCREENED_OUT, SCREENED, NOT_SHOWN]
    ):
        found.setdefault(day, []).append((edition, field, value, n))
    return found


def recount_day(db: sqlite_utils.Database, survey: str, key: str, day: str) -> Found:
    """What the kept counts of `key` for `day` should be, counted afresh."""
    part = Filters(None, day + MIDNIGHT, day_after(day) + MIDNIGHT)
    if not key.startswith("pairs "):
        return answers_counting(orjson.loads(key) or None).live(db, survey, part)
    row, column = orjson.loads(key.removeprefix("pairs "))
    found: Found = {}
    for _survey, edition in counts.answer_counts(db, survey, part):
        add(found, pairs_counting(edition, row, column).live(db, survey, part))
    return found


def verify_day_counts(db: sqlite_utils.Database) -> list[str]:
    """Each kept day against a fresh count of it; describe each difference."""
    problems = []
    kept = db.execute("SELECT survey, day, segment FROM day_counted WHERE state = ?", [DONE])
    for survey, day, key in kept.fetchall():
        kept_sum, _days = summed(db, survey, (day, day_after(day)), key, None)
        if kept_sum != recount_day(db, survey, key, day):
            problems.append(f"{survey} {day} {key}: kept day counts differ from a recount")
    return problems
