"""Admin log-in: password checks, log-in limits from the config, and sessions that end
(per-account session generation, idle and absolute timeouts) checked on every request."""

from __future__ import annotations

import functools
import time
from typing import Any

import sqlite_utils
from flask import abort, current_app, g, jsonify, redirect, request, session, url_for

from surveyapp.store import accounts, logins, passwords
from surveyapp.web import get_db

# Checked against when the user does not exist, so both paths cost one hash.
_DUMMY_HASH = passwords.hash_password("not a password")
ROLES = accounts.ROLES


def authenticate(db: sqlite_utils.Database, username: str, password: str) -> dict | None:
    """The account when the password is right and the account enabled, else None."""
    admin = accounts.get_admin(db, username)
    if admin is None:
        passwords.matches(_DUMMY_HASH, password)
        return None
    if not passwords.matches(admin["password_hash"], password) or admin["disabled_at"]:
        return None
    return admin


def login_limits() -> logins.Limits:
    config = current_app.config
    return logins.Limits(
        per_pair=config["LOGIN_MAX_FAILURES"], per_address=config["LOGIN_ADDRESS_FAILURES"],
        per_account=config["LOGIN_ACCOUNT_FAILURES"], first_delay=config["LOGIN_DELAY_SECONDS"],
        max_delay=config["LOGIN_LOCK_SECONDS"], forget_after=config["LOGIN_FORGET_SECONDS"],
        known_days=config["LOGIN_KNOWN_DAYS"], audit_window=config["LOGIN_AUDIT_WINDOW_SECONDS"],
        audit_entries=config["LOGIN_AUDIT_ENTRIES"],
    )  # fmt: skip


def client_address() -> str:
    return request.remote_addr or "-"


def start_session(admin: dict) -> None:
    """A fresh session for `admin`, tied to its current session generation."""
    now = int(time.time())
    session.clear()
    session.update(admin=admin["username"], gen=admin["session_generation"], since=now,
                   seen=now)  # fmt: skip


def keep_session(generation: int) -> None:
    """Keep the current session valid after its own account's generation changed."""
    session["gen"] = generation


def _session_valid(admin: dict) -> bool:
    """The session belongs to the account's current generation, the account is enabled,
    and neither the idle nor the absolute timeout has passed; marks the session seen."""
    config, now = current_app.config, int(time.time())
    idle = config["ADMIN_IDLE_MINUTES"] * 60
    since, seen = session.get("since"), session.get("seen")
    if admin["disabled_at"] or session.get("gen") != admin["session_generation"]:
        return False
    if not isinstance(since, int) or not isinstance(seen, int):
        return False
    if now - since >= config["ADMIN_SESSION_HOURS"] * 3600 or now - seen >= idle:
        return False
    if now - seen >= min(60, idle // 2):  # re-sign the cookie at most once a minute
        session["seen"] = now
    return True


def session_admin() -> dict | None:
    """The account of a valid session; an ended session is cleared."""
    username = session.get("admin")
    if not username:
        return None
    admin = g.get("admin")  # the blueprint guard may have looked it up already
    if admin is None or admin["username"] != username:
        admin = accounts.get_admin(get_db(), username)
    if admin is None or not _session_valid(admin):
        session.clear()
        return None
    return admin


def current_admin() -> dict | None:
    return g.get("admin")


# The only admin endpoints a viewer may reach: counts and tallies, never raw data, never
# a write. Every other endpoint, including any added later, needs the admin role.
# (The yearly report is admin-only: it lists free-text comments; the results page shows a
# viewer no free text, and a cross-tab by another answer than the edition refuses one.)
# Every account manages
# its own API tokens; a token never reaches more than its account's role.
VIEWER_ENDPOINTS = frozenset({
    "admin.dashboard", "admin.survey", "admin.tallies_json", "admin.trends",
    "admin.trends_json", "admin.compare", "admin.logout",
    "admin.results", "admin.results_chart", "admin.crosstab", "admin.crosstab_csv",
    "admin.tokens_page", "admin.token_create", "admin.token_revoke",
    "admin.public_qr",
})  # fmt: skip
PUBLIC_ENDPOINTS = frozenset({"admin.login"})


def required_role(endpoint: str | None, role: str | None = None) -> str:
    """'viewer' only for endpoints in VIEWER_ENDPOINTS (and not asked for 'admin')."""
    return "viewer" if endpoint in VIEWER_ENDPOINTS and role != "admin" else "admin"


def _refusal(role: str):
    """None when the logged-in account has `role`; else the response refusing the request."""
    admin = session_admin()
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
    return admin["username"] if admin else f"addr:{client_address()}"
