"""Taking a response out of every count: excluding it (kept aside, restorable) or deleting
it. Either removes its row, answer rows, not-shown rows and search row, and takes its
counters back by `counter_deltas` (the one counter rule), in one transaction with its
audit entry. Restoring puts an excluded response back the same way, under a new row id
(as an import would: row ids only grow, so no reader paging by row id misses it)."""

from __future__ import annotations

import json
from typing import Any

import orjson
import sqlite_utils

from surveyapp.store import audit, search, webhooks
from surveyapp.store.connection import immediate
from surveyapp.store.responses import answer_rows, counter_deltas, next_row_id, not_shown_rows
from surveyapp.store.timestamps import utcnow

SQL = """
    CREATE TABLE excluded_responses (
        id INTEGER PRIMARY KEY,
        response_id TEXT NOT NULL UNIQUE,
        submission_key TEXT,
        survey TEXT NOT NULL,
        edition INTEGER NOT NULL,
        version TEXT NOT NULL,
        submitted_at TEXT NOT NULL,
        answers TEXT NOT NULL,
        status TEXT NOT NULL,
        extra TEXT NOT NULL DEFAULT '{}',
        reason TEXT NOT NULL,
        excluded_at TEXT NOT NULL,
        excluded_by TEXT NOT NULL
    );
    CREATE INDEX excluded_by_survey_time ON excluded_responses (survey, submitted_at);
    CREATE TABLE response_marks (
        one INTEGER PRIMARY KEY CHECK (one = 1),
        top INTEGER NOT NULL,
        removals INTEGER NOT NULL
    );
    INSERT INTO response_marks (one, top, removals) VALUES (1, 0, 0);
"""
# The columns excluded_responses keeps as its own; any other column of responses (one a
# later migration adds) travels in `extra` as JSON and comes back on restore.
CORE = ("response_id", "submission_key", "survey", "edition", "version", "submitted_at",
        "answers", "status")  # fmt: skip
MAX_REASON = 500


class RemovalError(ValueError):
    """A removal or restore that cannot be done; the message says why."""


def counted_in(db: sqlite_utils.Database, survey: str, edition: int) -> set[str]:
    """The fields with counters in an edition: with the definition's tallied fields, the
    fields verify-tallies checks, so taking a response back keeps it clean."""
    rows = db.execute(
        "SELECT DISTINCT field FROM counters WHERE survey = ? AND edition = ? AND field != '*'",
        [survey, edition],
    )
    return {field for (field,) in rows}


def _check_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise RemovalError("A reason is required.")
    if len(reason) > MAX_REASON:
        raise RemovalError(f"The reason is longer than {MAX_REASON} characters.")
    return reason


def _take(
    db: sqlite_utils.Database, survey: str, response_id: str, counted: set[str]
) -> dict[str, Any]:
    """Remove a stored response and everything counted of it; its row as a dict."""
    cursor = db.execute(
        "SELECT * FROM responses WHERE survey = ? AND response_id = ?", [survey, response_id]
    )
    found = cursor.fetchone()
    if found is None:
        raise RemovalError("No such response among the counted ones.")
    row = dict(zip([d[0] for d in cursor.description], found, strict=True))
    rowid, edition = row["id"], row["edition"]
    answers = orjson.loads(row["answers"])
    fields = counted | counted_in(db, survey, edition)
    db.conn.executemany(
        "UPDATE counters SET count = count - 1"
        " WHERE survey = ? AND edition = ? AND field = ? AND value = ?",
        [(survey, edition, f, v) for f, v in counter_deltas(answers, fields)],
    )
    for table, column in (("answers", "response"), ("not_shown", "response")):
        db.execute(f"DELETE FROM {table} WHERE {column} = ?", [rowid])  # noqa: S608 - fixed names
    search.unindex(db, rowid)
    db.execute("DELETE FROM responses WHERE id = ?", [rowid])
    db.execute("UPDATE response_marks SET top = max(top, ?), removals = removals + 1", [rowid])
    return row


def change(
    db: sqlite_utils.Database, action: str, survey: str, response_id: str, *, reason: str,
    actor: str, counted: set[str],
) -> None:  # fmt: skip
    """Exclude, restore or delete one response (`action`), for a reason: in one write
    transaction with its audit entry and its webhook. RemovalError when it cannot be."""
    reason = _check_reason(reason)
    with immediate(db):
        edition, details = CHANGES[action](db, survey, response_id, counted, reason, actor)
        _record(db, actor, action, survey, response_id, edition, reason=reason, **details)


def _exclude(db: sqlite_utils.Database, survey: str, response_id: str, counted: set[str],
             reason: str, actor: str) -> tuple[int, dict[str, str]]:  # fmt: skip
    """Set a response aside as excluded (test or invalid): out of every count, restorable."""
    row = _take(db, survey, response_id, counted)
    extra = {k: v for k, v in row.items() if k not in CORE and k != "id"}
    db.execute(
        "INSERT INTO excluded_responses (id, response_id, submission_key, survey, edition,"
        " version, submitted_at, answers, status, extra, reason, excluded_at, excluded_by)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [row["id"], *(row[k] for k in CORE), json.dumps(extra), reason, utcnow(), actor],
    )
    return row["edition"], {}


def _delete(db: sqlite_utils.Database, survey: str, response_id: str, counted: set[str],
            _reason: str, _actor: str) -> tuple[int, dict[str, str]]:  # fmt: skip
    """Delete a counted or excluded response for good: its row and its answers."""
    gone = _take_excluded(db, survey, response_id)
    if gone is None:
        return _take(db, survey, response_id, counted)["edition"], {"was": "counted"}
    db.execute("UPDATE response_marks SET removals = removals + 1")
    return gone["edition"], {"was": "excluded"}


def _restore(db: sqlite_utils.Database, survey: str, response_id: str, counted: set[str],
             _reason: str, _actor: str) -> tuple[int, dict[str, str]]:  # fmt: skip
    """Put an excluded response back into every count, under a new row id."""
    row = _take_excluded(db, survey, response_id)
    if row is None:
        raise RemovalError("No such excluded response.")
    _put_back(db, row, counted)
    return row["edition"], {}


CHANGES = {"exclude": _exclude, "delete": _delete, "restore": _restore}


def _take_excluded(db: sqlite_utils.Database, survey: str, response_id: str) -> dict | None:
    """Remove the excluded response's row, inside the caller's transaction; the row, or
    None when the response is not excluded."""
    cursor = db.execute(
        "DELETE FROM excluded_responses WHERE survey = ? AND response_id = ? RETURNING *",
        [survey, response_id],
    )
    found = cursor.fetchone()
    return (
        None if found is None else dict(zip([d[0] for d in cursor.description], found, strict=True))
    )


EVENTS = {"exclude": "response.excluded", "delete": "response.deleted",
          "restore": "response.restored"}  # fmt: skip


def _record(db: sqlite_utils.Database, actor: str, action: str, survey: str,
            response_id: str, edition: int, **details: str) -> None:  # fmt: skip
    """The removal's audit entry (with the reason) and its webhook outbox rows (without:
    it may name people), in the removal's transaction."""
    audit.record(db, actor, f"response_{action}", survey=survey, response=response_id,
                 edition=edition, **details)  # fmt: skip
    data = {"survey": survey, "response_id": response_id, "edition": edition}
    webhooks.enqueue(db, EVENTS[action], survey, response_id, json.dumps(data))


def _put_back(db: sqlite_utils.Database, row: dict[str, Any], counted: set[str]) -> None:
    survey, edition = row["survey"], row["edition"]
    taken = db.execute(
        "SELECT 1 FROM responses WHERE response_id = ? OR submission_key = ?",
        [row["response_id"], row["submission_key"]],
    ).fetchone()
    if taken:
        raise RemovalError("A stored response has the same id or submission key.")
    known = {c for (_, c, *_rest) in db.execute("PRAGMA table_info(responses)")}
    extra = {k: v for k, v in json.loads(row["extra"]).items() if k in known}
    columns = ["id", *CORE, *extra]
    rowid = next_row_id(db)
    values = [rowid, *(row[k] for k in CORE), *extra.values()]
    marks = ", ".join("?" * len(columns))
    db.execute(f"INSERT INTO responses ({', '.join(columns)}) VALUES ({marks})", values)  # noqa: S608 - known column names
    answers = orjson.loads(row["answers"])
    fields = counted | counted_in(db, survey, edition)
    db.conn.executemany(
        "INSERT INTO answers (response, survey, edition, field, value) VALUES (?, ?, ?, ?, ?)",
        [(rowid, survey, edition, f, v) for f, v in answer_rows(answers)],
    )
    db.conn.executemany(
        "INSERT INTO not_shown (response, survey, edition, field) VALUES (?, ?, ?, ?)",
        [(rowid, survey, edition, f) for f in not_shown_rows(answers)],
    )
    db.conn.executemany(
        "INSERT INTO counters (survey, edition, field, value, count) VALUES (?, ?, ?, ?, 1)"
        " ON CONFLICT (survey, edition, field, value) DO UPDATE SET count = counters.count + 1",
        [(survey, edition, f, v) for f, v in counter_deltas(answers, fields)],
    )
    search.index(db, [(rowid, search.search_text(answers, fields))])
    db.execute("UPDATE response_marks SET removals = removals + 1")


def excluded_count(db: sqlite_utils.Database, survey: str) -> int:
    return db.execute(
        "SELECT count(*) FROM excluded_responses WHERE survey = ?", [survey]
    ).fetchone()[0]
