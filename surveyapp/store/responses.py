"""The response write path: a response, its answer rows, counters and webhook outbox rows
in one transaction; the bulk path for imports (which sends no webhooks)."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import sqlite_utils

from surveyapp.questionnaire.marks import MARKS, NOT_SHOWN, SCREENED_OUT, not_shown, status
from surveyapp.store import search, webhooks
from surveyapp.store.connection import immediate
from surveyapp.store.timestamps import utcnow


def answer_rows(answers: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(field, value) rows of a completed response (a screened-out one has none: it is
    never counted, and its answers stay in its JSON)."""
    if status(answers) != "completed":
        return
    for field, value in answers.items():
        if field in MARKS:
            continue
        for one in value if isinstance(value, list) else [value]:
            yield field, one


def not_shown_rows(answers: dict[str, Any]) -> list[str]:
    """The fields a completed response was not shown (one `not_shown` row each)."""
    return not_shown(answers) if status(answers) == "completed" else []


def counter_deltas(
    answers: dict[str, str | list[str]], counted: Iterable[str]
) -> Iterator[tuple[str, str]]:
    """(field, value) counters one response adds: '*' '*' for the response itself,
    field '*' for an answered field, field code for each picked code, field '~not_shown'
    for a field not shown; a screened-out response adds '*' '~screened_out' and no more."""
    yield "*", "*"
    if answers.get(SCREENED_OUT) is True:
        yield "*", SCREENED_OUT
        return
    hidden = answers.get(NOT_SHOWN)
    for field in counted:
        if hidden and field in hidden:
            yield field, NOT_SHOWN
            continue
        value = answers.get(field)
        if value is None:
            continue
        yield field, "*"
        for one in value if isinstance(value, list) else [value]:
            yield field, one


def insert_response(
    db: sqlite_utils.Database,
    *,
    survey: str,
    edition: int,
    version: str,
    answers: dict[str, str | list[str]],
    counted: Iterable[str],
    submission_key: str | None = None,
    response_id: str | None = None,
    submitted_at: str | None = None,
    claim: Callable[[sqlite_utils.Database, str], None] | None = None,
    language: str | None = None,
) -> tuple[str, bool]:
    """Store one response, its answer rows and its counters in one transaction.

    Returns (response_id, created). A submission key or response id seen before
    stores nothing and returns the existing response id with created=False.
    `claim(db, response_id)` runs first inside the same transaction (throttle count,
    invitation use); whatever it raises rolls everything back. `language` is the code of
    the language the respondent was shown.
    """
    rows = _rows(survey, edition, version, answers, counted, submission_key, response_id,
                 submitted_at)  # fmt: skip
    rows[0].append(language)
    with immediate(db):
        if claim is not None:
            claim(db, rows[0][0])
        return _insert(db, rows)


_Rows = tuple[list, list[tuple], list[tuple], list[tuple], str]


def next_row_id(db: sqlite_utils.Database) -> int:
    """The row id the next response gets: past every stored and every removed one (see
    store.removal), so row ids only grow and readers paging by them miss none."""
    return db.execute(
        "SELECT max(coalesce((SELECT max(id) FROM responses), 0),"
        " (SELECT top FROM response_marks)) + 1"
    ).fetchone()[0]


def _rows(survey, edition, version, answers, counted, key, response_id, submitted_at) -> _Rows:
    """Everything one response writes, computed before the write lock is taken."""
    response_id, counted = response_id or uuid.uuid4().hex, list(counted)
    response = [response_id, key, survey, edition, version, submitted_at or utcnow(),
                json.dumps(answers, ensure_ascii=False), status(answers)]  # fmt: skip
    answer_params = [(survey, edition, f, v) for f, v in answer_rows(answers)]
    counter_params = [(survey, edition, f, v) for f, v in counter_deltas(answers, counted)]
    hidden = [(survey, edition, f) for f in not_shown_rows(answers)]
    return response, answer_params, counter_params, hidden, search.search_text(answers, counted)


def _insert(db: sqlite_utils.Database, rows: _Rows) -> tuple[str, bool]:
    response, answer_params, counter_params, hidden, text = rows
    response_id, key = response[0], response[1]
    rowid = next_row_id(db)
    cursor = db.execute(
        "INSERT INTO responses (id, response_id, submission_key, survey, edition, version,"
        " submitted_at, answers, status, language) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT DO NOTHING",
        [rowid, *response],
    )
    if cursor.rowcount == 0:
        row = db.execute(
            "SELECT response_id FROM responses WHERE submission_key = ? OR response_id = ?",
            [key, response_id],
        ).fetchone()
        return row[0], False
    db.conn.executemany(
        "INSERT INTO answers (response, survey, edition, field, value) VALUES (?, ?, ?, ?, ?)",
        [(rowid, *params) for params in answer_params],
    )
    _insert_not_shown(db, [(rowid, *params) for params in hidden])
    search.index(db, [(rowid, text)])
    db.conn.executemany(
        "INSERT INTO counters (survey, edition, field, value, count) VALUES (?, ?, ?, ?, 1)"
        " ON CONFLICT (survey, edition, field, value) DO UPDATE SET count = counters.count + 1",
        counter_params,
    )
    if key:
        db.execute("DELETE FROM drafts WHERE key = ?", [key])
    # The outbox row commits with the response, or neither does: no acknowledged
    # response goes without its webhook deliveries.
    webhooks.enqueue(db, "response.completed", response[2], response_id, at=response[5])
    return response_id, True


def _insert_not_shown(db: sqlite_utils.Database, rows: list[tuple]) -> None:
    if rows:
        db.conn.executemany(
            "INSERT INTO not_shown (response, survey, edition, field) VALUES (?, ?, ?, ?)", rows
        )


def insert_many(db: sqlite_utils.Database, rows: Iterable[dict[str, Any]]) -> int:
    """Insert many responses (dicts of insert_response's keyword arguments) in one
    transaction: all or none. Returns how many were new.

    The bulk path: a response id or submission key already stored (or seen earlier in
    `rows`) is skipped, the rest go in with executemany, and the counters are added up
    in Python first so each distinct counter costs one UPSERT, not one per response."""
    encode = _JSON.encode
    prepared = [
        ((row.get("response_id") or uuid.uuid4().hex, row.get("submission_key"), row["survey"],
          row["edition"], row["version"], row.get("submitted_at") or utcnow(),
          encode(row["answers"]), status(row["answers"]), row.get("language")), row)
        for row in rows
    ]  # fmt: skip
    with immediate(db):
        known_ids, known_keys = _stored(db, [response for response, _ in prepared])
        fresh = []
        for response, row in prepared:
            response_id, key = response[0], response[1]
            if response_id in known_ids or (key and key in known_keys):
                continue
            known_ids.add(response_id)
            if key:
                known_keys.add(key)
            fresh.append((response, row))
        if fresh:
            _insert_fresh(db, fresh)
    return len(fresh)


_JSON = json.JSONEncoder(ensure_ascii=False)
_IN_CHUNK = 500


def _stored(db: sqlite_utils.Database, responses: list[tuple]) -> tuple[set[str], set[str]]:
    """The response ids and submission keys among `responses` that are already stored,
    counted or excluded (an excluded response comes back by restore alone)."""
    found: tuple[set[str], set[str]] = (set(), set())
    for column, index, known in (("response_id", 0, found[0]), ("submission_key", 1, found[1])):
        values = [response[index] for response in responses if response[index]]
        for start in range(0, len(values), _IN_CHUNK):
            chunk = values[start : start + _IN_CHUNK]
            marks = ", ".join("?" * len(chunk))
            for table in ("responses", "excluded_responses"):
                sql = f"SELECT {column} FROM {table} WHERE {column} IN ({marks})"  # noqa: S608
                known.update(value for (value,) in db.execute(sql, chunk))
    return found


def _insert_fresh(db: sqlite_utils.Database, fresh: list[tuple[tuple, dict]]) -> None:
    """Insert responses known to be new, numbering their rows from next_row_id; runs
    inside the caller's write transaction."""
    first = next_row_id(db)
    db.conn.executemany(
        "INSERT INTO responses (id, response_id, submission_key, survey, edition, version,"
        " submitted_at, answers, status, language) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(first + n, *response) for n, (response, _row) in enumerate(fresh)],
    )
    answer_params, totals = _answers_and_counters(fresh, first)
    db.conn.executemany(
        "INSERT INTO answers (response, survey, edition, field, value) VALUES (?, ?, ?, ?, ?)",
        answer_params,
    )
    _insert_not_shown(db, [
        (number, row["survey"], row["edition"], field)
        for number, (_response, row) in enumerate(fresh, first)
        for field in not_shown_rows(row["answers"])
    ])  # fmt: skip
    search.index(db, [
        (number, search.search_text(row["answers"], row["counted"]))
        for number, (_response, row) in enumerate(fresh, first)
    ])  # fmt: skip
    db.conn.executemany(
        "INSERT INTO counters (survey, edition, field, value, count) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (survey, edition, field, value)"
        " DO UPDATE SET count = counters.count + excluded.count",
        [(*counter, count) for counter, count in totals.items()],
    )
    keys = [(response[1],) for response, _row in fresh if response[1]]
    if keys:
        db.conn.executemany("DELETE FROM drafts WHERE key = ?", keys)


def _answers_and_counters(
    fresh: list[tuple[tuple, dict]], first: int
) -> tuple[list[tuple], Counter[tuple]]:
    """Answer rows of responses numbered from `first`, and the counters they add up to
    (counter_deltas of each response, summed)."""
    params: list[tuple] = []
    totals: Counter[tuple] = Counter()
    for number, (_response, row) in enumerate(fresh, first):
        survey, edition, answers = row["survey"], row["edition"], row["answers"]
        params.extend((number, survey, edition, f, v) for f, v in answer_rows(answers))
        totals.update((survey, edition, f, v) for f, v in counter_deltas(answers, row["counted"]))
    return params, totals


def response_for_key(db: sqlite_utils.Database, key: str) -> str | None:
    row = db.execute("SELECT response_id FROM responses WHERE submission_key = ?", [key]).fetchone()
    return row[0] if row else None
