"""Opening and closing editions from the admin pages (admin role), audited like the CLI."""

from __future__ import annotations

from flask import abort, redirect, render_template, url_for
from flask_wtf import FlaskForm
from wtforms import SelectField

from surveyapp import audit, editions
from surveyapp.admin import auth
from surveyapp.admin.common import bp, editions_or_404
from surveyapp.web import catalog, get_db


class EditionForm(FlaskForm):
    action = SelectField("Action", choices=["open", "close"])


@bp.get("/surveys/<survey_id>/editions")
@auth.login_required(role="admin")
def editions_page(survey_id: str):
    known = editions_or_404(survey_id)
    return render_template(
        "admin/editions.html", definition=known[max(known)],
        statuses=editions.statuses(get_db(), catalog(), survey_id),
    )  # fmt: skip


@bp.post("/surveys/<survey_id>/editions/<int:edition>")
@auth.login_required(role="admin")
def change_edition(survey_id: str, edition: int):
    known = editions_or_404(survey_id)
    if edition not in known:
        abort(404, f"No edition {edition}.")
    form = EditionForm()
    if not form.validate_on_submit():
        abort(400, "Choose open or close.")
    db = get_db()
    if form.action.data == "open":
        closed = editions.open_only(db, catalog(), survey_id, edition)
        audit.record(db, auth.actor(), "edition_open", survey=survey_id, edition=edition,
                     closed=closed)  # fmt: skip
    else:
        editions.close(db, catalog(), survey_id, edition)
        audit.record(db, auth.actor(), "edition_close", survey=survey_id, edition=edition)
    return redirect(url_for("admin.editions_page", survey_id=survey_id))
