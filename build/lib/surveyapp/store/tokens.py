"""API tokens, their request counts (rate limits) and the idempotency keys of API
submissions: the tables of migration m011_api_tokens.

A token is `sa_` and 43 URL-safe characters (32 random bytes); only its SHA-256 is stored,
so the database alone cannot authenticate anyone. A token's rights are its scope (read or
write) within its account's role, read afresh on every request: revoking a token, taking
a role away or disabling the account takes effect on the next request.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlite_utils

from surveyapp.store.connection import immediate
from surveyapp.store.timestamps import utcnow

SCOPES = ("read", "write")
PREFIX = "sa_"
NAME_MAX = 80
KEY_MAX = 255

SQL = """
CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    account INTEGER NOT NULL REFERENCES admins(id),
    name TEXT NOT NULL,
    scope TEXT NOT NULL CHECK (scope IN ('read', 'write')),
    token_hash TEXT NOT NULL UNIQUE,
    hint TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at TEXT,
    window_start TEXT,
    window_count INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX api_tokens_by_account ON api_tokens (account);
CREATE TABLE api_idempotency (
    account INTEGER NOT NULL,
    key TEXT NOT NULL,
    body_hash TEXT NOT NULL,
    response_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (account, key)
) WITHOUT ROWID;
"""


class TokenError(ValueError):
    """A token that cannot be made (unknown account, bad scope or name)."""


class Replayed(RuntimeError):  # noqa: N818 - not a failure: the first response answers
    """The idempotency key was used before with the same body: `response_id` answers."""

    def __init__(self, response_id: str):
        super().__init__(response_id)
        self.response_id = response_id


class KeyReused(RuntimeError):  # noqa: N818 - reads as what happened
    """The idempotency key was used before with another body."""


@dataclass(frozen=True)
class Rate:
    allowed: bool
    retry_after: int  # seconds until the window ends (when refused)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def create(db: sqlite_utils.Database, username: str, scope: str, name: str = "") -> tuple[int, str]:
    """A new token for the account `username`; returns (id, token). The token is not kept:
    show it once."""
    if scope not in SCOPES:
        raise TokenError(f"scope must be one of {', '.join(SCOPES)}, not {scope!r}")
    name = name.strip()[:NAME_MAX] or f"{scope} token"
    token = PREFIX + base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")
    with immediate(db):
        row = db.execute("SELECT id FROM admins WHERE username = ?", [username]).fetchone()
        if row is None:
            raise TokenError(f"no account {username!r}")
        cursor = db.execute(
            "INSERT INTO api_tokens (account, name, scope, token_hash, hint, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [row[0], name, scope, token_hash(token), token[:7], utcnow()],
        )
    return cursor.lastrowid, token


_LISTED = (
    "SELECT t.id, a.username, t.name, t.scope, t.hint, t.created_at, t.last_used_at,"
    " t.revoked_at FROM api_tokens t JOIN admins a ON a.id = t.account"
)


def listing(db: sqlite_utils.Database, username: str | None = None) -> list[dict[str, Any]]:
    """Tokens (never their hashes), newest first; of one account when `username` is given."""
    if username is None:
        return list(db.query(f"{_LISTED} ORDER BY t.id DESC"))  # noqa: S608 - fixed text
    return list(db.query(f"{_LISTED} WHERE a.username = ? ORDER BY t.id DESC", [username]))  # noqa: S608


def get(db: sqlite_utils.Database, token_id: int) -> dict[str, Any] | None:
    rows = list(db.query(f"{_LISTED} WHERE t.id = ?", [token_id]))  # noqa: S608 - fixed text
    return rows[0] if rows else None


def revoke(db: sqlite_utils.Database, token_id: int) -> bool:
    """Revoke a token at once; False when there is no such token or it was revoked."""
    with immediate(db):
        cursor = db.execute(
            "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
            [utcnow(), token_id],
        )
    return cursor.rowcount == 1


def authenticate(db: sqlite_utils.Database, token: str) -> tuple[dict, dict] | None:
    """(token row, account row) for a live token, else None. The account row is the whole
    `admins` row, so whatever the accounts table says about the account (its role, and
    `disabled_at` where accounts can be disabled) is there to be checked."""
    if not token.startswith(PREFIX) or len(token) > 100:
        return None
    rows = list(db.query(
        "SELECT id, account, scope, name FROM api_tokens WHERE token_hash = ?"
        " AND revoked_at IS NULL", [token_hash(token)]))  # fmt: skip
    if not rows:
        return None
    accounts = list(db.query("SELECT * FROM admins WHERE id = ?", [rows[0]["account"]]))
    return (rows[0], accounts[0]) if accounts else None


def _at(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def count_request(
    db: sqlite_utils.Database, token_id: int, limit: int, window_seconds: int,
    now: datetime | None = None,
) -> Rate:  # fmt: skip
    """Count one request against the token's window (fixed windows of `window_seconds`
    starting at the first request after the last one ended) in one statement, so every
    worker agrees; refused once `limit` requests were counted in the window."""
    now = now or datetime.now(UTC)
    params = {"id": token_id, "now": _at(now),
              "start": _at(now - timedelta(seconds=window_seconds))}  # fmt: skip
    with immediate(db):
        row = db.execute(
            "UPDATE api_tokens SET last_used_at = :now,"
            " window_count = CASE WHEN window_start > :start THEN window_count + 1 ELSE 1 END,"
            " window_start = CASE WHEN window_start > :start THEN window_start ELSE :now END"
            " WHERE id = :id RETURNING window_start, window_count",
            params,
        ).fetchone()
    if row is None or limit <= 0 or row[1] <= limit:
        return Rate(True, 0)
    started = datetime.strptime(row[0], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    left = (started + timedelta(seconds=window_seconds) - now).total_seconds()
    return Rate(False, max(1, int(left + 0.999)))


def idempotent_response(
    db: sqlite_utils.Database, account: int, key: str, body_hash: str
) -> str | None:
    """The response stored under this key with this body; KeyReused for another body."""
    row = db.execute(
        "SELECT body_hash, response_id FROM api_idempotency WHERE account = ? AND key = ?",
        [account, key],
    ).fetchone()
    if row is None:
        return None
    if row[0] != body_hash:
        raise KeyReused(key)
    return row[1]


def idempotency_claim(
    account: int, key: str, body_hash: str
) -> Callable[[sqlite_utils.Database, str], None]:
    """A claim for insert_response: inside the response's transaction, raise Replayed
    (same body) or KeyReused (another body) when the key is taken, else take it."""

    def claim(db: sqlite_utils.Database, response_id: str) -> None:
        found = idempotent_response(db, account, key, body_hash)
        if found is not None:
            raise Replayed(found)
        db.execute(
            "INSERT INTO api_idempotency (account, key, body_hash, response_id, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            [account, key, body_hash, response_id, utcnow()],
        )

    return claim
