"""Excluding, restoring and deleting a response: admin only, a reason required, each in
one transaction with its audit entry (store.removal). The counted fields are the
definition's tallied ones, so counters are taken back exactly as the insert added them."""

from __future__ import annotations

from flask import redirect, url_for

from surveyapp.questionnaire.answers import counted_fields
from surveyapp.store import removal, table
from surveyapp.web import catalog, get_db
from surveyapp.web.admin import auth, bp
from surveyapp.web.admin.common import editions_or_404
from surveyapp.web.admin.responses import ReasonForm, response_page


def _counted(survey_id: str, response_id: str) -> set[str]:
    """The tallied fields of the response's definition version (or of its edition)."""
    row = table.one_response(get_db(), survey_id, response_id)
    if row is None:
        return set()
    definition = catalog().by_version(row["version"]) or catalog().edition(
        survey_id, row["edition"]
    )
    return set(counted_fields(definition)) if definition else set()


def _act(survey_id: str, response_id: str, action: str):
    editions_or_404(survey_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        return response_page(survey_id, response_id, form, 400)
    try:
        removal.change(get_db(), action, survey_id, response_id, reason=form.reason.data,
                       actor=auth.actor(), counted=_counted(survey_id, response_id))  # fmt: skip
    except removal.RemovalError as exc:
        form.reason.errors = [str(exc)]
        return response_page(survey_id, response_id, form, 409)
    if action == "delete":
        return redirect(url_for("admin.responses", survey_id=survey_id, done="deleted"))
    return redirect(url_for("admin.response", survey_id=survey_id, response_id=response_id))


@bp.post("/surveys/<survey_id>/responses/<response_id>/exclude")
@auth.login_required(role="admin")
def response_exclude(survey_id: str, response_id: str):
    return _act(survey_id, response_id, "exclude")


@bp.post("/surveys/<survey_id>/responses/<response_id>/restore")
@auth.login_required(role="admin")
def response_restore(survey_id: str, response_id: str):
    return _act(survey_id, response_id, "restore")


@bp.post("/surveys/<survey_id>/responses/<response_id>/delete")
@auth.login_required(role="admin")
def response_delete(survey_id: str, response_id: str):
    return _act(survey_id, response_id, "delete")
