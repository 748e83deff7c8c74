"""Admin-only pages: the accounts (creating one; role, enabled, failed log-ins, password),
and the audit log."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from flask import abort, current_app, redirect, render_template, request, url_for
from wtforms import BooleanField, PasswordField, SelectField
from wtforms.validators import Length, Optional

from surveyapp import store
from surveyapp.store import accounts, audit, logins, passwords
from surveyapp.web import get_db
from surveyapp.web.admin import auth, bp
from surveyapp.web.admin.common import page_number
from surveyapp.web.forms import Form


class RoleForm(Form):
    role = SelectField("Role", choices=list(auth.ROLES))


class StatusForm(Form):
    status = SelectField("Status", choices=["enabled", "disabled"])


class PasswordForm(Form):
    password = PasswordField("New password", validators=[Optional(), Length(max=1000)])
    generate = BooleanField("Generate one")


USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")
USERNAME_RULE = "1 to 64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit"


def _accounts_page(message: str = "", status: int = 200, password: str = "", **new):
    db = get_db()
    new = {"values": {"role": "viewer"}, "problems": {}} | new
    response = current_app.make_response((render_template(
        "admin/users.html", accounts=accounts.list_admins(db), form=RoleForm(),
        failures=logins.account_states(db, datetime.now(UTC)), message=message,
        password=password, min_length=passwords.MIN_LENGTH, new=new, failed=status >= 400,
        username_rule=USERNAME_RULE,
    ), status))  # fmt: skip
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/users")
@auth.login_required(role="admin")
def users():
    return _accounts_page()


def _new_account_problems(values: dict[str, str], password: str, generate: bool) -> dict:
    problems = {}
    if not USERNAME.fullmatch(values["username"]):
        problems["username"] = USERNAME_RULE
    elif accounts.get_admin(get_db(), values["username"]) is not None:
        problems["username"] = f"there is already an account {values['username']!r}"
    if values["role"] not in auth.ROLES:
        problems["role"] = "choose a role: " + " or ".join(auth.ROLES)
    if not generate:
        refused = (
            passwords.problem(password)
            if password
            else "give a password, or ask for a generated one"
        )
        problems.update({"password": refused} if refused else {})
    return problems


@bp.post("/users")
@auth.login_required(role="admin")
def user_create():
    """Create an account (never overwriting one) with a password given or generated,
    the generated one shown once."""
    values = {key: request.form.get(key, "").strip() for key in ("username", "role")}
    generate, password = bool(request.form.get("generate")), request.form.get("password", "")
    problems = _new_account_problems(values, password, generate)
    if problems:
        return _accounts_page("", 422, values=values, problems=problems)
    password = passwords.generate() if generate else password
    db, username = get_db(), values["username"]
    try:
        accounts.create_admin(db, username, passwords.hash_password(password), values["role"],
                              only_new=True)  # fmt: skip
    except accounts.AccountExists:
        problems = {"username": f"there is already an account {username!r}"}
        return _accounts_page("", 422, values=values, problems=problems)
    audit.record(db, auth.actor(), "user_create", username=username, role=values["role"],
                 generated=generate)  # fmt: skip
    if generate:
        return _accounts_page(f"Account {username} ({values['role']}) created; its password,"
                              " shown once:", password=password)  # fmt: skip
    return _accounts_page(f"Account {username} ({values['role']}) created.")


@bp.post("/users/<username>/role")
@auth.login_required(role="admin")
def change_role(username: str):
    form = RoleForm()
    db = get_db()
    if not form.validate_on_submit():
        abort(400, "Choose a role: " + ", ".join(auth.ROLES) + ".")
    try:
        old = accounts.set_role(db, username, form.role.data)
    except accounts.LastAdmin as exc:
        abort(409, f"Not changed: {exc}.")
    if old is None:
        abort(404, "No such account.")
    if old != form.role.data:
        audit.record(db, auth.actor(), "role_change", username=username, old=old,
                     new=form.role.data)  # fmt: skip
    return redirect(url_for("admin.users"))


@bp.post("/users/<username>/status")
@auth.login_required(role="admin")
def change_status(username: str):
    """Disable (ending its sessions) or enable an account."""
    form = StatusForm()
    if not form.validate_on_submit():
        abort(400, "Choose a status: enabled or disabled.")
    db, enable = get_db(), form.status.data == "enabled"
    try:
        was_enabled = accounts.set_enabled(db, username, enable)
    except accounts.LastAdmin as exc:
        abort(409, f"Not changed: {exc}.")
    if was_enabled is None:
        abort(404, "No such account.")
    if was_enabled != enable:
        action = "account_enable" if enable else "account_disable"
        audit.record(db, auth.actor(), action, username=username)
    return redirect(url_for("admin.users"))


@bp.post("/users/<username>/unlock")
@auth.login_required(role="admin")
def unlock(username: str):
    """Clear the account's failed log-ins from every address."""
    if not Form().validate_on_submit():
        abort(400, "The form had expired: please try again.")
    db = get_db()
    if accounts.get_admin(db, username) is None:
        abort(404, "No such account.")
    cleared = logins.unlock(db, username=username)
    audit.record(db, auth.actor(), "unlock", username=username, counters=cleared)
    return redirect(url_for("admin.users"))


@bp.post("/users/<username>/password")
@auth.login_required(role="admin")
def reset_password(username: str):
    """Set a new password (the policy applies) or generate one shown once; this ends the
    account's sessions, except the one making the change."""
    form = PasswordForm()
    if not form.validate_on_submit() or not (form.password.data or form.generate.data):
        abort(400, "Give a new password or ask for a generated one.")
    db = get_db()
    if accounts.get_admin(db, username) is None:
        abort(404, "No such account.")
    password = passwords.generate() if form.generate.data else form.password.data
    refused = passwords.problem(password)
    if refused:
        return _accounts_page(f"Password of {username} not changed: {refused}", 422)
    generation = accounts.set_password(db, username, passwords.hash_password(password))
    if generation is None:
        abort(404, "No such account.")
    if username == auth.actor():
        auth.keep_session(generation)
    audit.record(db, auth.actor(), "password_reset", username=username,
                 generated=form.generate.data)  # fmt: skip
    if form.generate.data:
        return _accounts_page(f"New password of {username}, shown once:", password=password)
    return _accounts_page(f"Password of {username} changed; its other sessions have ended.")


@bp.get("/audit")
@auth.login_required(role="admin")
def audit_log():
    page = page_number()
    per_page = current_app.config["AUDIT_PER_PAGE"]
    db = get_db()
    try:
        logins.close_window(db, auth.login_limits(), datetime.now(UTC))
    except store.DatabaseError:  # the log can still be read when it cannot be written
        current_app.logger.exception("could not write the log-in failures' summary")
    rows = audit.entries(db, per_page + 1, (page - 1) * per_page)
    return render_template(
        "admin/audit.html", rows=rows[:per_page], page=page, more=len(rows) > per_page,
        total=audit.count(db),
    )  # fmt: skip
