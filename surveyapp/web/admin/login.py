"""Admin log-in and log-out."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

from flask import abort, current_app, redirect, render_template, request, session, url_for
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from surveyapp import store
from surveyapp.store import accounts, audit, logins
from surveyapp.web import get_db
from surveyapp.web.admin import auth, bp
from surveyapp.web.forms import Form

LOGIN_FAILED = "Those details did not match an enabled account."
TOO_MANY = (
    "Too many failed log-ins for this account or from this address: please wait {seconds}"
    " seconds before trying again. An admin can clear the failures on the accounts page."
)


class LoginForm(Form):
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


def _page(form: LoginForm, message: str = "", status: int = 200):
    return render_template("admin/login.html", form=form, message=message), status


def _unless_full(write, *args) -> None:
    """Log-in bookkeeping that a database refusing writes (full disk) must not turn into
    an error page: the log-in itself only reads. The failure is logged. During a restore
    the attempt is refused (503, store.Maintenance): it could not be counted."""
    try:
        write(*args)
    except store.Maintenance:
        raise
    except store.DatabaseError:
        current_app.logger.exception("log-in bookkeeping not written")


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        return _attempt(form)
    return _page(form, status=400 if form.is_submitted() else 200)


def _attempt(form: LoginForm):
    """Check the password unless this account or address must wait; count a failure."""
    db, limits, now = get_db(), auth.login_limits(), datetime.now(UTC)
    username, address = form.username.data, auth.client_address()
    wait = logins.wait_seconds(db, username, address, limits, now)
    if wait:
        response = _page(form, TOO_MANY.format(seconds=wait), 429)
        return response[0], 429, {"Retry-After": str(wait)}
    admin = auth.authenticate(db, username, form.password.data)
    counted = logins.record_success if admin else logins.record_failure
    _unless_full(counted, db, username, address, limits, now)
    if admin is None:
        return _page(form, LOGIN_FAILED, 401)
    audit.record_or_log(db, username, "login", username=username, address=address)
    auth.start_session(admin)
    return redirect(_safe_next(request.args.get("next")))


@bp.post("/logout")
@auth.login_required
def logout():
    """End every session of this account (a copy of the cookie no longer works)."""
    db, username = get_db(), auth.actor()
    session.clear()
    try:
        accounts.end_sessions(db, username)
    except store.DatabaseError:
        current_app.logger.exception("could not end the sessions of %s", username)
        abort(503, "This browser is logged out, but other sessions of the account could not "
                   "be ended just now: log in and out again in a moment.")  # fmt: skip
    audit.record_or_log(db, username, "logout", address=auth.client_address())
    return redirect(url_for("admin.login"))
