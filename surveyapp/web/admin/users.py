"""Admin-only pages: the accounts with their roles, and the audit log."""

from __future__ import annotations

from flask import abort, current_app, redirect, render_template, url_for
from flask_wtf import FlaskForm
from wtforms import SelectField

from surveyapp.store import accounts, audit
from surveyapp.web import get_db
from surveyapp.web.admin import auth, bp
from surveyapp.web.admin.common import page_number


class RoleForm(FlaskForm):
    role = SelectField("Role", choices=list(auth.ROLES))


@bp.get("/users")
@auth.login_required(role="admin")
def users():
    return render_template(
        "admin/users.html", accounts=accounts.list_admins(get_db()), form=RoleForm(), message=""
    )


@bp.post("/users/<username>/role")
@auth.login_required(role="admin")
def change_role(username: str):
    form = RoleForm()
    db = get_db()
    if not form.validate_on_submit():
        abort(400, "Choose a role: " + ", ".join(auth.ROLES) + ".")
    try:
        old = accounts.set_role(db, username, form.role.data)
    except ValueError as exc:
        abort(409, f"Not changed: {exc}.")
    if old is None:
        abort(404, "No such account.")
    if old != form.role.data:
        audit.record(db, auth.actor(), "role_change", username=username, old=old,
                     new=form.role.data)  # fmt: skip
    return redirect(url_for("admin.users"))


@bp.get("/audit")
@auth.login_required(role="admin")
def audit_log():
    page = page_number()
    per_page = current_app.config["AUDIT_PER_PAGE"]
    db = get_db()
    rows = audit.entries(db, per_page + 1, (page - 1) * per_page)
    return render_template(
        "admin/audit.html", rows=rows[:per_page], page=page, more=len(rows) > per_page,
        total=audit.count(db),
    )  # fmt: skip
