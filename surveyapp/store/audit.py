"""The append-only audit log: who did what, with ids and field names, never answer text.

Each row's hash is SHA-256 over the previous row's hash and the row's own content,
computed inside the BEGIN IMMEDIATE transaction that inserts the row, so concurrent
writers queue on the write lock and cannot fork the chain (prev_hash is UNIQUE as well,
so a fork is refused even from a caller's own deferred transaction). Triggers refuse UPDATE
and DELETE; `verify-audit` re-walks the chain to catch edits made around them.
All SQL for the `audit` table lives here.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import logging
from typing import Any

import sqlite_utils

from surveyapp import store

_log = logging.getLogger(__name__)
GENESIS = "0" * 64
ACTIONS = (
    "login", "login_failed", "logout", "role_change", "user_create", "export",
    "import", "edition_open", "edition_close", "invitation", "backup", "restore", "recover",
    "filtered_read", "weights",
)  # fmt: skip


def row_hash(prev_hash: str, at: str, actor: str, action: str, details: str) -> str:
    payload = json.dumps([prev_hash, at, actor, action, details], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8", "surrogatepass")).hexdigest()


def _clean(value: Any) -> Any:
    """Details are ids, names and counts; anything else is stored as its text."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    return str(value).encode("utf-8", "replace").decode("utf-8")


def cli_actor() -> str:
    """Who runs a command: `cli:` and the operating-system user."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def record(db: sqlite_utils.Database, actor: str, action: str, **details: Any) -> str:
    """Append one entry; returns its hash. Joins the caller's transaction if one is open."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}; add it to audit.ACTIONS")
    text = json.dumps(_clean(details), ensure_ascii=False, sort_keys=True)
    actor = _clean(actor or "-")
    if db.conn.in_transaction:
        return _append(db, actor, action, text)
    with store.immediate(db):
        return _append(db, actor, action, text)


def record_or_log(db: sqlite_utils.Database, actor: str, action: str, **details: Any) -> str | None:
    """record(), except that a database refusing the write (full disk, busy) is logged as an
    error instead of raised: for entries about reading (log-ins, exports), which must go on
    when nothing can be written, never for entries about changes."""
    try:
        return record(db, actor, action, **details)
    except store.DatabaseError:
        _log.exception("audit entry not written: %s by %s %s", action, actor, _clean(details))
        return None


def _append(db: sqlite_utils.Database, actor: str, action: str, details: str) -> str:
    last = db.execute("SELECT hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    prev = last[0] if last else GENESIS
    at = store.utcnow()
    digest = row_hash(prev, at, actor, action, details)
    db.execute(
        "INSERT INTO audit (at, actor, action, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?)",
        [at, actor, action, details, prev, digest],
    )
    return digest


def import_details(survey: str, edition: int, name: str, result: Any) -> dict[str, Any]:
    """What an import's audit entry holds (CLI and upload page alike): no row content."""
    return {
        "survey": survey, "edition": edition, "file": name, "sha256": result.file_hash,
        "rows": result.rows, "created": result.created, "problems": len(result.errors),
    }  # fmt: skip


def verify(db: sqlite_utils.Database) -> list[str]:
    """Re-walk the chain from the first row; every break found, as text."""
    problems, prev = [], GENESIS
    for id_, at, actor, action, details, prev_hash, digest in db.execute(
        "SELECT id, at, actor, action, details, prev_hash, hash FROM audit ORDER BY id"
    ):
        if prev_hash != prev:
            problems.append(f"row {id_}: links to {prev_hash[:12]}, previous row is {prev[:12]}")
        if row_hash(prev_hash, at, actor, action, details) != digest:
            problems.append(f"row {id_}: content does not match its hash")
        prev = digest
    return problems


def entries(db: sqlite_utils.Database, limit: int, offset: int) -> list[dict[str, Any]]:
    """A page of entries, newest first, details decoded."""
    rows = db.query(
        "SELECT id, at, actor, action, details, hash FROM audit ORDER BY id DESC LIMIT ? OFFSET ?",
        [limit, offset],
    )
    return [row | {"details": json.loads(row["details"])} for row in rows]


def count(db: sqlite_utils.Database) -> int:
    return db.execute("SELECT count(*) FROM audit").fetchone()[0]
