"""Admin log-in: werkzeug password hashes, a session flag, lock-out counted in the database."""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta

import sqlite_utils
from flask import current_app, g, jsonify, redirect, request, session, url_for
from werkzeug.security import check_password_hash, generate_password_hash

from surveyapp import db as storage
from surveyapp.web import get_db

# Checked against when the user does not exist, so both paths cost one hash.
_DUMMY_HASH = generate_password_hash("not a password")
ROLES = ("admin", "viewer")


def hash_password(password: str) -> str:
    return generate_password_hash(password)


def _since(seconds: int) -> str:
    return (datetime.now(UTC) - timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def is_locked(db: sqlite_utils.Database, subjects: list[str]) -> bool:
    window = _since(current_app.config["LOGIN_LOCK_SECONDS"])
    limit = current_app.config["LOGIN_MAX_FAILURES"]
    for subject in subjects:
        failures = db.execute(
            "SELECT count(*) FROM login_failures WHERE subject = ? AND at >= ?", [subject, window]
        ).fetchone()[0]
        if failures >= limit:
            return True
    return False


def record_failure(db: sqlite_utils.Database, subjects: list[str]) -> None:
    """Count a failed log-in against each subject; failures older than the window go."""
    with storage.immediate(db):
        db.execute(
            "DELETE FROM login_failures WHERE at < ?",
            [_since(current_app.config["LOGIN_LOCK_SECONDS"])],
        )
        db.conn.executemany(
            "INSERT INTO login_failures (subject, at) VALUES (?, ?)",
            [(s, storage.utcnow()) for s in subjects],
        )


def clear_failures(db: sqlite_utils.Database, subjects: list[str]) -> None:
    with storage.immediate(db):
        db.conn.executemany(
            "DELETE FROM login_failures WHERE subject = ?", [(s,) for s in subjects]
        )


def authenticate(db: sqlite_utils.Database, username: str, password: str) -> dict | None:
    admin = storage.get_admin(db, username)
    if admin is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    return admin if check_password_hash(admin["password_hash"], password) else None


def login_subjects(username: str) -> list[str]:
    return [f"user:{username.lower()}", f"addr:{request.remote_addr}"]


def current_admin() -> dict | None:
    return g.get("admin")


def login_required(view=None, *, role: str = "viewer"):
    """Require a logged-in admin; role='admin' also refuses viewers (403)."""
    if view is None:
        return functools.partial(login_required, role=role)

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        username = session.get("admin")
        admin = storage.get_admin(get_db(), username) if username else None
        if admin is None:
            if (
                request.path.endswith(".json")
                or request.accept_mimetypes.best == "application/json"
            ):
                return jsonify(error="login required"), 401
            return redirect(url_for("admin.login", next=request.full_path))
        if role == "admin" and admin["role"] != "admin":
            return jsonify(error="admin role required"), 403
        g.admin = admin
        return view(*args, **kwargs)

    return wrapped
