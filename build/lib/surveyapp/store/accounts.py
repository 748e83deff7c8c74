"""Admin accounts: roles, disabling, passwords and session generations.

Every session stores its account's `session_generation`; bumping it (log-out, password
change, disabling) ends every session of that account. Every path that could leave no
enabled admin (role change, disabling, create-admin over an existing account) goes
through `_keep_an_admin` inside its own write transaction.
"""

from __future__ import annotations

from typing import Any

import sqlite_utils

from surveyapp.store.connection import immediate
from surveyapp.store.passwords import hash_password  # noqa: F401 - callers take it from here
from surveyapp.store.timestamps import utcnow

ROLES = ("admin", "viewer")


class LastAdmin(ValueError):
    """The change would leave no enabled account with the admin role."""

    def __init__(self) -> None:
        super().__init__("the last enabled admin keeps the admin role and stays enabled")


def _keep_an_admin(db: sqlite_utils.Database, username: str, role: str, enabled: bool) -> None:
    """Refuse (LastAdmin) when `username` becoming (role, enabled) leaves no enabled admin."""
    if role == "admin" and enabled:
        return
    others = db.execute(
        "SELECT count(*) FROM admins WHERE role = 'admin' AND disabled_at IS NULL"
        " AND username != ?",
        [username],
    ).fetchone()[0]
    if others == 0:
        raise LastAdmin()


def _row(db: sqlite_utils.Database, username: str) -> tuple | None:
    return db.execute(
        "SELECT role, disabled_at FROM admins WHERE username = ?", [username]
    ).fetchone()


class AccountExists(ValueError):
    """An account of that name exists already (creating only, never overwriting)."""


def create_admin(
    db: sqlite_utils.Database, username: str, password_hash: str, role: str, only_new=False
) -> str | None:
    """Create an account, or set an existing one's password and role (ending its
    sessions). Returns the old role, None for a new account; LastAdmin refuses, and
    AccountExists when `only_new` and the account exists."""
    with immediate(db):
        row = _row(db, username)
        if row is not None and only_new:
            raise AccountExists(username)
        if row is None:
            db.execute(
                "INSERT INTO admins (username, password_hash, role, created_at)"
                " VALUES (?, ?, ?, ?)",
                [username, password_hash, role, utcnow()],
            )
            return None
        _keep_an_admin(db, username, role, row[1] is None)
        db.execute(
            "UPDATE admins SET password_hash = ?, role = ?,"
            " session_generation = session_generation + 1 WHERE username = ?",
            [password_hash, role, username],
        )
        return row[0]


def get_admin(db: sqlite_utils.Database, username: str) -> dict[str, Any] | None:
    rows = list(db.query("SELECT * FROM admins WHERE username = ?", [username]))
    return rows[0] if rows else None


def admin_count(db: sqlite_utils.Database) -> int:
    return db.execute("SELECT count(*) FROM admins").fetchone()[0]


def list_admins(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    return list(
        db.query("SELECT id, username, role, created_at, disabled_at FROM admins ORDER BY username")
    )


def set_role(db: sqlite_utils.Database, username: str, role: str) -> str | None:
    """Change an account's role in one transaction; returns the old role (None: no
    account). LastAdmin refuses taking the admin role from the last enabled admin."""
    with immediate(db):
        row = _row(db, username)
        if row is None:
            return None
        _keep_an_admin(db, username, role, row[1] is None)
        db.execute("UPDATE admins SET role = ? WHERE username = ?", [role, username])
        return row[0]


def set_enabled(db: sqlite_utils.Database, username: str, enabled: bool) -> bool | None:
    """Enable or disable an account (disabling ends its sessions); returns whether it was
    enabled before (None: no account). LastAdmin refuses disabling the last enabled admin."""
    with immediate(db):
        row = _row(db, username)
        if row is None:
            return None
        _keep_an_admin(db, username, row[0], enabled)
        db.execute(
            "UPDATE admins SET disabled_at = ?,"
            " session_generation = session_generation + ? WHERE username = ?",
            [None if enabled else (row[1] or utcnow()), 0 if enabled else 1, username],
        )
        return row[1] is None


def set_password(db: sqlite_utils.Database, username: str, password_hash: str) -> int | None:
    """Store a new password hash and end the account's sessions; returns the new session
    generation (None: no account)."""
    with immediate(db):
        db.execute(
            "UPDATE admins SET password_hash = ?, session_generation = session_generation + 1"
            " WHERE username = ?",
            [password_hash, username],
        )
        return _generation(db, username)


def end_sessions(db: sqlite_utils.Database, username: str) -> int | None:
    """End every session of the account; returns the new generation (None: no account)."""
    with immediate(db):
        db.execute(
            "UPDATE admins SET session_generation = session_generation + 1 WHERE username = ?",
            [username],
        )
        return _generation(db, username)


def _generation(db: sqlite_utils.Database, username: str) -> int | None:
    row = db.execute(
        "SELECT session_generation FROM admins WHERE username = ?", [username]
    ).fetchone()
    return row[0] if row else None
