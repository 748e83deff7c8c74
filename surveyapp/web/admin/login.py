"""Admin log-in and log-out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, redirect, render_template, request, session, url_for
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from surveyapp import store
from surveyapp.store import audit
from surveyapp.web import get_db
from surveyapp.web.admin import auth, bp

LOGIN_FAILED = "Those details did not match an account, or the account is locked for a while."


class LoginForm(FlaskForm):
    username = StringField("Username", validators=[DataRequired(), Length(max=200)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1000)])


def _safe_next(target: str | None) -> str:
    """`next` when it is a path under /admin without control characters (a CR or LF would
    split the Location header), else the dashboard."""
    if (
        target
        and target.startswith("/admin")
        and target.isprintable()
        and not urlsplit(target).netloc
    ):
        return target
    return url_for("admin.dashboard")


def _unless_full(write, *args) -> None:
    """Log-in bookkeeping that a database refusing writes (full disk) must not turn into
    an error page: the log-in itself only reads. The failure is logged."""
    try:
        write(*args)
    except store.DatabaseError:
        current_app.logger.exception("log-in bookkeeping not written")


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    message = ""
    status = 200
    if form.validate_on_submit():
        db = get_db()
        subjects = auth.login_subjects(form.username.data)
        admin = None
        if not auth.is_locked(db, subjects):
            admin = auth.authenticate(db, form.username.data, form.password.data)
        address = request.remote_addr
        if admin is not None:
            _unless_full(auth.clear_failures, db, subjects[:1])
            audit.record_or_log(
                db, admin["username"], "login", username=admin["username"], address=address
            )
            session.clear()
            session["admin"] = admin["username"]
            return redirect(_safe_next(request.args.get("next")))
        _unless_full(auth.record_failure, db, subjects)
        audit.record_or_log(db, f"addr:{address}", "login_failed", username=form.username.data,
                            address=address)  # fmt: skip
        message, status = LOGIN_FAILED, 401
    elif form.is_submitted():
        status = 400
    return render_template("admin/login.html", form=form, message=message), status


@bp.post("/logout")
@auth.login_required
def logout():
    audit.record_or_log(get_db(), auth.actor(), "logout", address=request.remote_addr)
    session.clear()
    return redirect(url_for("admin.login"))
