"""The append-only audit log: who did what, with ids and field names, never answer text.

Each row's hash is HMAC-SHA256, keyed with the instance's audit key (kept outside the
database, see `instance_key`), over the previous row's hash and the row's own content. It
is computed inside the BEGIN IMMEDIATE transaction that inserts the row, so concurrent
writers queue on the write lock and cannot fork the chain (prev_hash is UNIQUE as well,
so a fork is refused even from a caller's own deferred transaction). Triggers refuse UPDATE
and DELETE; `verify-audit` re-walks the chain to catch edits made around them.

Rows written before the log was keyed carry a plain SHA-256 chain: migration m005 appends
a keyed `audit_key` entry linked to the last of them, and `verify` checks the rows before
the first `audit_key` entry as a plain chain, that entry and every later row as keyed.
Nothing else writes that entry, so a log rewritten later as a plain chain fails.
All SQL for the `audit` table lives here.
"""

from __future__ import annotations

import contextlib
import getpass
import hashlib
import hmac
import json
import logging
import os
import secrets
from pathlib import Path
from typing import Any

import sqlite_utils

from surveyapp import store
from surveyapp.store import pg

_log = logging.getLogger(__name__)
GENESIS = "0" * 64
SWITCH_OVER = "audit_key"
# SWITCH_OVER is not among them: only switch_over writes it, never record.
ACTIONS = (
    "login", "login_failed", "login_failures", "logout", "role_change", "user_create",
    "account_disable", "account_enable", "password_reset", "unlock", "export", "import",
    "edition_open", "edition_close", "invitation", "backup", "restore", "recover",
    "filtered_read", "publish", "builder_delete", "draft_discard", "weights", "token_create",
    "token_revoke", "webhook_add", "webhook_delete", "webhook_resend", "edition_schedule",
    "response_exclude", "response_restore", "response_delete",
)  # fmt: skip
_keys: dict[str, bytes] = {}


class MissingKey(RuntimeError):
    """No audit key was registered for this database (see `register_key`)."""


def instance_key(path: Path) -> str:
    """A random key created once at `path` (mode 0600) and read from then on; the file is
    written whole before it appears, so workers starting together read the same key."""
    if not path.exists():
        partial = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
        partial.write_text(secrets.token_hex(32), encoding="utf-8")
        os.chmod(partial, 0o600)
        with contextlib.suppress(FileExistsError):
            os.link(partial, path)
        partial.unlink()
    key = path.read_text(encoding="utf-8").strip()
    if not key:
        raise RuntimeError(f"{path} is empty: delete it to make a new audit key")
    return key


def _database_path(path: str) -> str:
    if pg.is_url(path):
        return path
    return os.path.realpath(path) if path else ""


def register_key(database: str | Path, key: str) -> None:
    """Use `key` for the audit log of the database file at `database` in this process."""
    _keys[_database_path(str(database))] = key.encode("utf-8")


def key_for(db: sqlite_utils.Database) -> bytes:
    path = _database_path(db.execute("PRAGMA database_list").fetchone()[2])
    if path not in _keys:
        raise MissingKey(f"no audit key registered for {path or 'this in-memory database'}")
    return _keys[path]


def _payload(prev_hash: str, at: str, actor: str, action: str, details: str) -> bytes:
    payload = json.dumps([prev_hash, at, actor, action, details], ensure_ascii=False)
    return payload.encode("utf-8", "surrogatepass")


def row_hash(key: bytes, prev_hash: str, at: str, actor: str, action: str, details: str) -> str:
    return hmac.new(key, _payload(prev_hash, at, actor, action, details), "sha256").hexdigest()


def plain_hash(prev_hash: str, at: str, actor: str, action: str, details: str) -> str:
    """The unkeyed chain of logs written before the audit key existed."""
    return hashlib.sha256(_payload(prev_hash, at, actor, action, details)).hexdigest()


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
    key = key_for(db)
    last = db.execute("SELECT hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    return _insert(db, key, last[0] if last else GENESIS, actor, action, details)


def switch_over(db: sqlite_utils.Database) -> bool:
    """Anchor a log written before the audit key existed: append a keyed `audit_key` entry
    linked to its last row (run once, by migration m005, inside its transaction)."""
    last = db.execute("SELECT hash, id FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    if last is None:
        return False
    details = json.dumps({"plain_chain_rows": last[1]})
    _insert(db, key_for(db), last[0], "surveyapp", SWITCH_OVER, details)
    return True


def _insert(
    db: sqlite_utils.Database, key: bytes, prev: str, actor: str, action: str, details: str
) -> str:
    at = store.utcnow()
    digest = row_hash(key, prev, at, actor, action, details)
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


def verify(db: sqlite_utils.Database, key: bytes | None = None) -> list[str]:
    """Re-walk the chain from the first row; every break found, as text. Rows before the
    first `audit_key` entry are checked as a plain SHA-256 chain, the rest with the key."""
    key = key_for(db) if key is None else key
    switch = db.execute("SELECT min(id) FROM audit WHERE action = ?", [SWITCH_OVER]).fetchone()[0]
    problems, prev = [], GENESIS
    for id_, at, actor, action, details, prev_hash, digest in db.execute(
        "SELECT id, at, actor, action, details, prev_hash, hash FROM audit ORDER BY id"
    ):
        if prev_hash != prev:
            problems.append(f"row {id_}: links to {prev_hash[:12]}, previous row is {prev[:12]}")
        keyed = switch is None or id_ >= switch
        expected = (
            row_hash(key, prev_hash, at, actor, action, details)
            if keyed
            else plain_hash(prev_hash, at, actor, action, details)
        )
        if not hmac.compare_digest(expected, digest):
            problems.append(f"row {id_}: content does not match its hash")
        prev = digest
    return problems


def unkeyed_rows(db: sqlite_utils.Database) -> int:
    """How many rows come before the switch-over to the keyed chain (0: all keyed)."""
    switch = db.execute("SELECT min(id) FROM audit WHERE action = ?", [SWITCH_OVER]).fetchone()[0]
    if switch is None:
        return 0
    return db.execute("SELECT count(*) FROM audit WHERE id < ?", [switch]).fetchone()[0]


def entries(db: sqlite_utils.Database, limit: int, offset: int) -> list[dict[str, Any]]:
    """A page of entries, newest first, details decoded."""
    rows = db.query(
        "SELECT id, at, actor, action, details, hash FROM audit ORDER BY id DESC LIMIT ? OFFSET ?",
        [limit, offset],
    )
    return [row | {"details": json.loads(row["details"])} for row in rows]


def count(db: sqlite_utils.Database) -> int:
    return db.execute("SELECT count(*) FROM audit").fetchone()[0]
