"""API tokens in the browser (`/admin/tokens`): every account makes, lists and revokes its
own tokens; admins see every account's and may revoke any. A new token is shown once."""

from __future__ import annotations

from flask import abort, redirect, render_template, url_for
from wtforms import SelectField, StringField
from wtforms.validators import Length

from surveyapp.store import audit, tokens
from surveyapp.web import get_db
from surveyapp.web.admin import auth, bp
from surveyapp.web.forms import Form


class TokenForm(Form):
    name = StringField("Name (what the token is for)", validators=[Length(max=tokens.NAME_MAX)])
    scope = SelectField(
        "Scope (read: read only; write: read and write)", choices=list(tokens.SCOPES)
    )


def _page(form: TokenForm, created: str | None = None, status: int = 200):
    admin = auth.current_admin()
    everyone = admin["role"] == "admin"
    rows = tokens.listing(get_db(), None if everyone else admin["username"])
    return render_template("admin/tokens.html", rows=rows, form=form, created=created,
                           everyone=everyone), status  # fmt: skip


@bp.get("/tokens")
@auth.login_required
def tokens_page():
    return _page(TokenForm())


@bp.post("/tokens")
@auth.login_required
def token_create():
    form = TokenForm()
    if not form.validate_on_submit():
        return _page(form, status=400)
    username = auth.current_admin()["username"]
    db = get_db()
    token_id, token = tokens.create(db, username, form.scope.data, form.name.data or "")
    audit.record(db, auth.actor(), "token_create", token=token_id, account=username,
                 scope=form.scope.data)  # fmt: skip
    return _page(TokenForm(formdata=None), created=token)


@bp.post("/tokens/<int:token_id>/revoke")
@auth.login_required
def token_revoke(token_id: int):
    if not Form().validate_on_submit():
        abort(400, "The form had expired: reload the page and try again.")
    admin, db = auth.current_admin(), get_db()
    found = tokens.get(db, token_id)
    if found is None or (admin["role"] != "admin" and found["username"] != admin["username"]):
        abort(404, "No such token.")
    if tokens.revoke(db, token_id):
        audit.record(db, auth.actor(), "token_revoke", token=token_id, account=found["username"])
    return redirect(url_for("admin.tokens_page"), code=303)
