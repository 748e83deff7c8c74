"""Delivering webhooks from the outbox, signed with the Standard Webhooks scheme.

Each message is POSTed as JSON `{"type", "timestamp", "data"}` with the headers
`webhook-id` (the message id, the same on every retry), `webhook-timestamp` (Unix
seconds) and `webhook-signature` (`v1,` and the base64 HMAC-SHA256, keyed with the
endpoint's `whsec_` secret, of `<id>.<timestamp>.<body>`). A 2xx answer delivers it;
anything else (a redirect too: they are not followed) is retried after 30 s, 1, 2, 4 ...
minutes, doubling up to 7.5 hours between attempts: 13 attempts over 23.5 hours; then the
message is dead (a dead letter, resent from the admin page). Every attempt is logged.

Responses of an anonymous invitation edition keep only their day; so that the time of a
delivery does not tell more, their messages are held until the next UTC day.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlite_utils

from surveyapp import store
from surveyapp.exchange import targets
from surveyapp.store import deliveries, listing
from surveyapp.store.catalogue import LiveCatalog
from surveyapp.store.deliveries import Attempt, Message

_log = logging.getLogger(__name__)
FIRST_DELAY = 30.0
LONGEST_DELAY = 7.5 * 3600
ATTEMPTS = 13  # the last one 23.5 hours after the first
Clock = Callable[[], datetime]


def delay_after(attempts: int) -> float | None:
    """Seconds to wait after `attempts` failed attempts; None: give up (dead letter)."""
    if attempts >= ATTEMPTS:
        return None
    return min(FIRST_DELAY * 2 ** (attempts - 1), LONGEST_DELAY)


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """The webhook-signature header value for one message."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def headers(secret: str, msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "content-type": "application/json",
        "user-agent": "surveyapp-webhooks",
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, msg_id, timestamp, body),
    }


def _response_data(db: sqlite_utils.Database, message: Message) -> dict[str, Any] | None:
    found = listing.get_response(db, message.survey, message.subject)
    return None if found is None else {"survey": message.survey, **found}


def body_of(db: sqlite_utils.Database, message: Message) -> bytes | None:
    """The JSON body of a message; None when its response is no longer stored."""
    if message.payload is not None:
        data = json.loads(message.payload)
    else:
        data = _response_data(db, message)
        if data is None:
            return None
    document = {"type": message.event, "timestamp": message.created_at, "data": data}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def _next_day(now: datetime) -> datetime:
    return datetime(now.year, now.month, now.day, tzinfo=UTC) + timedelta(days=1)


@dataclass
class Deliverer:
    """Takes due messages and delivers them, `threads` at a time; `clock` is injectable
    (tests move time on instead of sleeping)."""

    database: str
    allow_private: bool = False
    threads: int = 4
    clock: Clock = field(default=lambda: datetime.now(UTC))
    _pool: ThreadPoolExecutor | None = field(default=None, init=False, repr=False)
    _catalogue: LiveCatalog = field(default_factory=LiveCatalog, init=False, repr=False)

    def _db(self) -> sqlite_utils.Database:
        return store.thread_connection(self.database)

    def start(self) -> int:
        """What a starting deliverer does first: free the leases of one that died."""
        return deliveries.release_leases(self._db(), self.clock())

    def run_once(self) -> int:
        """Deliver the messages due now; how many were taken."""
        taken = deliveries.take_due(self._db(), self.clock(), self.threads * 4)
        if len(taken) <= 1 or self.threads <= 1:
            for message in taken:
                self.deliver(message)
        else:
            if self._pool is None:  # kept, so its threads keep their connections
                self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="webhooks")
            list(self._pool.map(self.deliver, taken))
        return len(taken)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

    def deliver(self, message: Message) -> str:
        """One attempt at one message, logged; returns the outcome."""
        db, now = self._db(), self.clock()
        if message.url is None:
            deliveries.record(db, message.id, None, "dead")
            return "dead"
        if self._held(db, message, now):
            deliveries.record(db, message.id, None, "retry", _next_day(now))
            return "held"
        body = body_of(db, message)
        if body is None:
            attempt = Attempt(now, None, "the response is no longer stored", 0)
            deliveries.record(db, message.id, attempt, "dead")
            return "dead"
        attempt = self._attempt(message, body, now)
        return self._settle(db, message, attempt)

    def _attempt(self, message: Message, body: bytes, now: datetime) -> Attempt:
        head = headers(message.secret or "", message.msg_id, int(now.timestamp()), body)
        started = time.monotonic()
        status, error = None, None
        try:
            status = targets.post(message.url or "", body, head, self.allow_private)
        except (targets.TargetRefused, OSError, http.client.HTTPException) as exc:
            error = f"{type(exc).__name__}: {exc}"[:500]
        if status is not None and not 200 <= status < 300:
            error = f"HTTP {status}"
        return Attempt(now, status, error, int((time.monotonic() - started) * 1000))

    def _settle(self, db: sqlite_utils.Database, message: Message, attempt: Attempt) -> str:
        if attempt.error is None:
            deliveries.record(db, message.id, attempt, "delivered")
            return "delivered"
        wait = delay_after(message.attempts + 1)
        if wait is None:
            deliveries.record(db, message.id, attempt, "dead")
            return "dead"
        deliveries.record(db, message.id, attempt, "retry", attempt.at + timedelta(seconds=wait))
        return "retry"

    def _held(self, db: sqlite_utils.Database, message: Message, now: datetime) -> bool:
        """Whether a response of an anonymous edition arrived today (UTC)."""
        if message.event != "response.completed" or message.payload is not None:
            return False
        found = listing.get_response(db, message.survey, message.subject)
        catalog = self._catalogue.current(db)  # published versions, kept up to date
        definition = catalog.by_version(found["version"]) if found else None
        anonymous = definition is not None and definition.access == "invitation" and (
            definition.anonymous)  # fmt: skip
        return anonymous and found["submitted_at"][:10] >= now.strftime("%Y-%m-%d")

    def run(self, keep_going: Callable[[], bool], idle_seconds: float = 0.2) -> None:
        """Deliver until `keep_going()` is false, pausing `idle_seconds` when idle; an
        error in one round (e.g. the database busy) is logged and the next round runs."""
        self.start()
        try:
            while keep_going():
                try:
                    taken = self.run_once()
                except Exception:  # the loop must outlive any one failure
                    _log.exception("webhook delivery round failed")
                    taken = 0
                if not taken:
                    time.sleep(idle_seconds)
        finally:
            self.close()
