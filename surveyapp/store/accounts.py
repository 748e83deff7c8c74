"""Admin accounts and their roles."""

from __future__ import annotations

from typing import Any

import sqlite_utils
from werkzeug.security import generate_password_hash

from surveyapp.store.connection import immediate, upsert
from surveyapp.store.timestamps import utcnow

ROLES = ("admin", "viewer")


def hash_password(password: str) -> str:
    return generate_password_hash(password)


def create_admin(db: sqlite_utils.Database, username: str, password_hash: str, role: str) -> None:
    row = {"username": username, "password_hash": password_hash, "role": role,
           "created_at": utcnow()}  # fmt: skip
    with immediate(db):
        upsert(db, "admins", row, key=("username",), update=("password_hash", "role"))


def get_admin(db: sqlite_utils.Database, username: str) -> dict[str, Any] | None:
    rows = list(db.query("SELECT * FROM admins WHERE username = ?", [username]))
    return rows[0] if rows else None


def admin_count(db: sqlite_utils.Database) -> int:
    return db.execute("SELECT count(*) FROM admins").fetchone()[0]


def list_admins(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    return list(db.query("SELECT id, username, role, created_at FROM admins ORDER BY username"))


def set_role(db: sqlite_utils.Database, username: str, role: str) -> str | None:
    """Change an account's role in one transaction; returns the old role (None: no account).
    Refuses (ValueError) to take the admin role from the last admin."""
    with immediate(db):
        row = db.execute("SELECT role FROM admins WHERE username = ?", [username]).fetchone()
        if row is None:
            return None
        admins = db.execute("SELECT count(*) FROM admins WHERE role = 'admin'").fetchone()[0]
        if row[0] == "admin" and role != "admin" and admins <= 1:
            raise ValueError("the last admin keeps the admin role")
        db.execute("UPDATE admins SET role = ? WHERE username = ?", [role, username])
        return row[0]
