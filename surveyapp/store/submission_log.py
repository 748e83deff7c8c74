"""Submission throttling: submissions counted per client address (a keyed hash of it,
never the address) in the table submission_log (db.m003), inside the response's own
transaction, so every worker and every host agrees."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable

import sqlite_utils

from surveyapp.store.timestamps import ago, utcnow


class Throttled(RuntimeError):
    """Too many submissions from one address within the window."""


def address_hash(secret: str, address: str) -> str:
    """A keyed hash of a client address: counts per address without storing it."""
    key = hashlib.sha256(f"submission-address:{secret}".encode()).digest()
    return hmac.new(key, address.encode(), hashlib.sha256).hexdigest()[:32]


def throttle(address: str, limit: int, window_seconds: int) -> Callable:
    """A claim for db.insert_response: count this submission against its address in
    the response's transaction (so every worker agrees), or raise Throttled."""

    def claim(db: sqlite_utils.Database, _response_id: str) -> None:
        since = ago(seconds=window_seconds)
        db.execute("DELETE FROM submission_log WHERE at < ?", [since])
        # Counting stops at the limit, so a busy address costs no more than a quiet one.
        recent = db.execute(
            "SELECT count(*) FROM (SELECT 1 FROM submission_log WHERE address = ? AND at >= ?"
            " LIMIT ?) AS recent",
            [address, since, limit],
        ).fetchone()[0]
        if recent >= limit:
            raise Throttled(address)
        db.execute("INSERT INTO submission_log (address, at) VALUES (?, ?)", [address, utcnow()])

    return claim
