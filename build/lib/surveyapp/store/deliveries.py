"""The deliverer's side of the webhook outbox: taking due messages, recording each
attempt (the delivery log), retrying, dead letters, resending; the admin page's log.

A taken message is leased: its next_at moves LEASE ahead, so a second deliverer leaves it
alone, and one that died holding it frees it when the lease ends (or at once, when the
next deliverer starts: `release_leases`). Delivery is at least once: a message whose
delivery succeeded just before a crash is sent again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlite_utils

from surveyapp.store.connection import immediate
from surveyapp.store.timestamps import stamp

LEASE = timedelta(minutes=5)


@dataclass(frozen=True)
class Message:
    id: int
    msg_id: str
    event: str
    survey: str
    subject: str
    payload: str | None
    created_at: str
    attempts: int
    url: str | None  # None: the endpoint was deleted
    secret: str | None


def take_due(db: sqlite_utils.Database, now: datetime, limit: int) -> list[Message]:
    """Lease up to `limit` pending messages due by `now`, oldest due first."""
    with immediate(db):
        rows = db.execute(
            "UPDATE webhook_outbox SET next_at = ?, leased = 1 WHERE id IN (SELECT id FROM"
            " webhook_outbox WHERE status = 'pending' AND next_at <= ? ORDER BY next_at"
            " LIMIT ?) RETURNING id, msg_id, event, survey, subject, payload, created_at,"
            " attempts, endpoint",
            [stamp(now + LEASE), stamp(now), limit],
        ).fetchall()
        targets = {endpoint: _endpoint(db, endpoint) for endpoint in {row[8] for row in rows}}
    return sorted((Message(*row[:8], *targets[row[8]]) for row in rows), key=lambda m: m.id)


def _endpoint(db: sqlite_utils.Database, endpoint: int) -> tuple[str | None, str | None]:
    """(url, secret) of a live endpoint; (None, None) once deleted."""
    row = db.execute(
        "SELECT url, secret FROM webhook_endpoints WHERE id = ? AND deleted_at IS NULL",
        [endpoint],
    ).fetchone()
    return (row[0], row[1]) if row else (None, None)


def release_leases(db: sqlite_utils.Database, now: datetime) -> int:
    """Make every leased pending message due now: what a deliverer does when it starts, so
    messages a killed deliverer held go out at once (perhaps a second time)."""
    with immediate(db):
        cursor = db.execute(
            "UPDATE webhook_outbox SET next_at = ?, leased = 0 WHERE status = 'pending'"
            " AND leased = 1",
            [stamp(now)],
        )
    return cursor.rowcount


@dataclass(frozen=True)
class Attempt:
    at: datetime
    status: int | None  # the HTTP status; None when no answer came
    error: str | None
    duration_ms: int


def record(
    db: sqlite_utils.Database, message_id: int, attempt: Attempt | None, outcome: str,
    next_at: datetime | None = None,
) -> None:  # fmt: skip
    """Log an attempt (None: none was made) and settle the message: 'delivered', 'dead',
    or 'retry' at `next_at` (also how a message is held back without an attempt)."""
    status = {"delivered": "delivered", "dead": "dead", "retry": "pending"}[outcome]
    counted = 0 if attempt is None else 1
    with immediate(db):
        if attempt is not None:
            db.execute(
                "INSERT INTO webhook_attempts (outbox, at, status, error, duration_ms)"
                " VALUES (?, ?, ?, ?, ?)",
                [message_id, stamp(attempt.at), attempt.status, attempt.error,
                 attempt.duration_ms],
            )  # fmt: skip
        db.execute(
            "UPDATE webhook_outbox SET status = ?, attempts = attempts + ?, leased = 0,"
            " next_at = coalesce(?, next_at), last_error = ?,"
            " delivered_at = CASE WHEN ? = 'delivered' THEN ? ELSE delivered_at END"
            " WHERE id = ?",
            [status, counted, stamp(next_at) if next_at else None,
             attempt.error if attempt else None, status,
             stamp(attempt.at) if attempt else None, message_id],
        )  # fmt: skip


def resend(db: sqlite_utils.Database, survey: str, message_id: int, now: datetime) -> bool:
    """Send a message again from the start of its schedule (delivered or dead alike)."""
    with immediate(db):
        cursor = db.execute(
            "UPDATE webhook_outbox SET status = 'pending', attempts = 0, next_at = ?,"
            " leased = 0 WHERE id = ? AND survey = ? AND endpoint IN (SELECT id FROM"
            " webhook_endpoints WHERE deleted_at IS NULL)",
            [stamp(now), message_id, survey],
        )
    return cursor.rowcount == 1


def messages(
    db: sqlite_utils.Database, survey: str, limit: int, offset: int
) -> list[dict[str, Any]]:
    """The questionnaire's messages, newest first, with their endpoint's URL."""
    return list(db.query(
        "SELECT o.id, o.msg_id, o.event, o.subject, o.status, o.attempts, o.created_at,"
        " o.next_at, o.last_error, o.delivered_at, e.url, e.deleted_at IS NOT NULL AS deleted"
        " FROM webhook_outbox o JOIN webhook_endpoints e ON e.id = o.endpoint"
        " WHERE o.survey = ? ORDER BY o.id DESC LIMIT ? OFFSET ?",
        [survey, limit, offset],
    ))  # fmt: skip


def attempts(db: sqlite_utils.Database, survey: str, limit: int) -> list[dict[str, Any]]:
    """The newest delivery attempts of the questionnaire's messages."""
    return list(db.query(
        "SELECT a.id, a.outbox, o.msg_id, o.event, a.at, a.status, a.error, a.duration_ms,"
        " e.url FROM webhook_attempts a JOIN webhook_outbox o ON o.id = a.outbox"
        " JOIN webhook_endpoints e ON e.id = o.endpoint WHERE o.survey = ?"
        " ORDER BY a.id DESC LIMIT ?",
        [survey, limit],
    ))  # fmt: skip


def summary(db: sqlite_utils.Database) -> dict[str, int]:
    """Messages per status, over every questionnaire."""
    rows = db.execute("SELECT status, count(*) FROM webhook_outbox GROUP BY status").fetchall()
    return {"pending": 0, "delivered": 0, "dead": 0} | dict(rows)


def delivered_subjects(db: sqlite_utils.Database, event: str) -> dict[str, int]:
    """{subject: successful attempts logged} for one event type (benches and checks)."""
    rows = db.execute(
        "SELECT o.subject, count(a.id) FROM webhook_outbox o LEFT JOIN webhook_attempts a"
        " ON a.outbox = o.id AND a.status BETWEEN 200 AND 299 WHERE o.event = ?"
        " GROUP BY o.subject",
        [event],
    ).fetchall()
    return dict(rows)
