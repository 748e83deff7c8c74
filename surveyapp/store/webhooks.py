"""Webhook endpoints and the outbox: the tables of migration m012_webhooks.

An event's outbox rows (one per endpoint subscribed to it) are written by `enqueue` inside
the transaction that makes the event (a response's insert, an edition's status change),
so an event that committed always has its deliveries, even if the process dies the next
instant; surveyapp.exchange.webhooks delivers them. EVENTS is the one list of event
types: the admin page, the payloads and the API's documentation read it.
"""

from __future__ import annotations

import base64
import secrets
from typing import Any

import sqlite_utils

from surveyapp.store.connection import immediate, is_postgres
from surveyapp.store.timestamps import utcnow

EVENTS: dict[str, str] = {
    "response.completed": "a response was stored (form, invitation link or API)",
    "response.excluded": "a response was excluded from the figures (test or invalid)",
    "response.restored": "an excluded response was put back into the figures",
    "response.deleted": "a response was deleted for good",
    "edition.opened": "an edition was opened to respondents",
    "edition.closed": "an edition was closed",
}
SECRET_PREFIX = "whsec_"  # noqa: S105 - the prefix, not a secret

SQL = """
CREATE TABLE webhook_endpoints (
    id INTEGER PRIMARY KEY,
    survey TEXT NOT NULL,
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    events TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX webhook_endpoints_live ON webhook_endpoints (survey) WHERE deleted_at IS NULL;
CREATE TABLE webhook_outbox (
    id INTEGER PRIMARY KEY,
    msg_id TEXT NOT NULL,
    endpoint INTEGER NOT NULL REFERENCES webhook_endpoints(id),
    event TEXT NOT NULL,
    survey TEXT NOT NULL,
    subject TEXT NOT NULL,
    payload TEXT,
    created_at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at TEXT NOT NULL,
    leased INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    delivered_at TEXT
);
CREATE INDEX webhook_outbox_due ON webhook_outbox (next_at) WHERE status = 'pending';
CREATE INDEX webhook_outbox_by_survey ON webhook_outbox (survey, id);
CREATE TABLE webhook_attempts (
    id INTEGER PRIMARY KEY,
    outbox INTEGER NOT NULL REFERENCES webhook_outbox(id),
    at TEXT NOT NULL,
    status INTEGER,
    error TEXT,
    duration_ms INTEGER NOT NULL
);
CREATE INDEX webhook_attempts_by_outbox ON webhook_attempts (outbox);
"""

# One statement: nothing to do costs one probe of a small partial index. {random} is
# 32 random hex digits and {find} finds text in text, in each engine's words.
_ENQUEUE = (
    "INSERT INTO webhook_outbox (msg_id, endpoint, event, survey, subject, payload,"
    " created_at, next_at) SELECT 'msg_' || {random}, id, :event, survey,"
    " :subject, :payload, :now, :now FROM webhook_endpoints"
    " WHERE survey = :survey AND deleted_at IS NULL"
    " AND {find}(' ' || events || ' ', ' ' || :event || ' ') > 0"
)
_ENQUEUE_SQLITE = _ENQUEUE.format(random="lower(hex(randomblob(16)))", find="instr")
_ENQUEUE_PG = _ENQUEUE.format(random="replace(gen_random_uuid()::text, '-', '')", find="strpos")


class WebhookError(ValueError):
    """An endpoint that cannot be registered (bad events)."""


def enqueue(
    db: sqlite_utils.Database, event: str, survey: str, subject: str,
    payload: str | None = None, at: str | None = None,
) -> None:  # fmt: skip
    """Write the event's outbox rows, one per live endpoint of `survey` subscribed to it;
    call it inside the transaction that makes the event. `payload` (JSON text) is sent as
    the event's `data`; without it the deliverer builds it from the subject (a response).
    `at` is the event's time (default now): a response's submitted_at, which for an
    anonymous edition is its day only."""
    if event not in EVENTS:
        raise ValueError(f"unknown webhook event {event!r}; add it to store.webhooks.EVENTS")
    db.execute(
        _ENQUEUE_PG if is_postgres(db) else _ENQUEUE_SQLITE,
        {"event": event, "survey": survey, "subject": subject, "payload": payload,
         "now": at or utcnow()},
    )  # fmt: skip


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def add_endpoint(
    db: sqlite_utils.Database, survey: str, url: str, events: list[str], created_by: str
) -> tuple[int, str]:
    """Register an endpoint; returns (id, secret). Show the secret once."""
    unknown = [e for e in events if e not in EVENTS]
    if unknown or not events:
        raise WebhookError(f"choose events among {', '.join(EVENTS)}")
    secret = new_secret()
    with immediate(db):
        cursor = db.execute(
            "INSERT INTO webhook_endpoints (survey, url, secret, events, created_at, created_by)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [survey, url, secret, " ".join(dict.fromkeys(events)), utcnow(), created_by],
        )
    return cursor.lastrowid, secret


def endpoints(db: sqlite_utils.Database, survey: str) -> list[dict[str, Any]]:
    """The live endpoints of a questionnaire (without their secrets), oldest first."""
    rows = db.query(
        "SELECT id, url, events, created_at, created_by FROM webhook_endpoints"
        " WHERE survey = ? AND deleted_at IS NULL ORDER BY id",
        [survey],
    )
    return [row | {"events": row["events"].split()} for row in rows]


def delete_endpoint(db: sqlite_utils.Database, survey: str, endpoint_id: int) -> bool:
    """Stop delivering to an endpoint: its pending messages die with it (the log stays)."""
    now = utcnow()
    with immediate(db):
        cursor = db.execute(
            "UPDATE webhook_endpoints SET deleted_at = ? WHERE id = ? AND survey = ?"
            " AND deleted_at IS NULL",
            [now, endpoint_id, survey],
        )
        if cursor.rowcount != 1:
            return False
        db.execute(
            "UPDATE webhook_outbox SET status = 'dead', last_error = 'endpoint deleted'"
            " WHERE endpoint = ? AND status = 'pending'",
            [endpoint_id],
        )
    return True
