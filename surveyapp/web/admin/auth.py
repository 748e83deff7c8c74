"""Admin log-in: werkzeug password hashes, a session flag, lock-out counted in the database."""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlite_utils
from flask import abort, current_app, g, jsonify, redirect, request, session, url_for
from werkzeug.security import check_password_hash, generate_password_hash

from surveyapp import store
from surveyapp.store import accounts
from surveyapp.web import get_db

# Checked against when the user does not exist, so both paths cost one hash.
_DUMMY_HASH = generate_password_hash("not a password")
ROLES = accounts.ROLES


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
    with store.immediate(db):
        db.execute(
            "DELETE FROM login_failures WHERE at < ?",
            [_since(current_app.config["LOGIN_LOCK_SECONDS"])],
        )
        db.conn.executemany(
            "INSERT INTO login_failures (subject, at) VALUES (?, ?)",
            [(s, store.utcnow()) for s in subjects],
        )


def clear_failures(db: sqlite_utils.Database, subjects: list[str]) -> None:
    with store.immediate(db):
        db.conn.executemany(
            "DELETE FROM login_failures WHERE subject = ?", [(s,) for s in subjects]
        )


def authenticate(db: sqlite_utils.Database, username: str, password: str) -> dict | None:
    admin = accounts.get_admin(db, username)
    if admin is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    return admin if check_password_hash(admin["password_hash"], password) else None


def login_subjects(username: str) -> list[str]:
    return [f"user:{username.lower()}", f"addr:{request.remote_addr}"]


def current_admin() -> dict | None:
    return g.get("admin")


# The only admin endpoints a viewer may reach: counts and tallies, never raw data, never
# a write. Every other endpoint, including any added later, needs the admin role.
# (The yearly report is admin-only: it lists free-text comments.) Every account manages
# its own API tokens; a token never reaches more than its account's role.
VIEWER_ENDPOINTS = frozenset({
    "admin.dashboard", "admin.survey", "admin.tallies_json", "admin.trends",
    "admin.trends_json", "admin.compare", "admin.logout",
    "admin.tokens_page", "admin.token_create", "admin.token_revoke",
})  # fmt: skip
PUBLIC_ENDPOINTS = frozenset({"admin.login"})


def required_role(endpoint: str | None, role: str | None = None) -> str:
    """'viewer' only for endpoints in VIEWER_ENDPOINTS (and not asked for 'admin')."""
    return "viewer" if endpoint in VIEWER_ENDPOINTS and role != "admin" else "admin"


def _refusal(role: str):
    """None when the logged-in account has `role`; else the response refusing the request."""
    username = session.get("admin")
    admin = g.get("admin")  # the blueprint guard may have looked it up already
    if admin is None or admin["username"] != username:
        admin = accounts.get_admin(get_db(), username) if username else None
    if admin is None:
        if request.path.endswith(".json") or request.accept_mimetypes.best == "application/json":
            return jsonify(error="login required"), 401
        return redirect(url_for("admin.login", next=request.full_path))
    g.admin = admin
    if role == "admin" and admin["role"] != "admin":
        if request.path.endswith(".json"):
            return jsonify(error="admin role required"), 403
        abort(403, "This page needs the admin role.")
    return None


def allowed(endpoint: str) -> bool:
    """Whether the logged-in account may reach `endpoint` (templates hide links with it)."""
    admin = g.get("admin")
    return admin is not None and (admin["role"] == "admin" or required_role(endpoint) == "viewer")


def guard_blueprint() -> Any:
    """before_request for the admin blueprint: every endpoint but log-in needs an account,
    and the admin role unless listed in VIEWER_ENDPOINTS, even without the decorator."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    return _refusal(required_role(request.endpoint))


def login_required(view=None, *, role: str | None = None):
    """Require a logged-in account: the admin role unless the endpoint is in
    VIEWER_ENDPOINTS; role='admin' also refuses viewers on a listed endpoint."""
    if view is None:
        return functools.partial(login_required, role=role)

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        refused = _refusal(required_role(request.endpoint, role))
        return refused if refused is not None else view(*args, **kwargs)

    return wrapped


def actor() -> str:
    """Who an audit entry names: the logged-in account, else the client address."""
    admin = g.get("admin")
    return admin["username"] if admin else f"addr:{request.remote_addr}"
