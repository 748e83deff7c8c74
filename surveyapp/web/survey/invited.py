"""Invitation links `/i/<token>` and the checks `/s/<id>` makes for invitation-only
editions and for submission throttling. The SQL lives in surveyapp.store.invitations."""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext

from surveyapp import store
from surveyapp.questionnaire.model import Definition
from surveyapp.store import invitations, submission_log
from surveyapp.web import catalog, get_db, open_definition
from surveyapp.web.survey import invite_bp, keys
from surveyapp.web.wording import N_

SESSION = "invites"
MESSAGES = {
    "invalid": N_("This is not a valid invitation. Please check the link you were sent."),
    "used": N_("This invitation has already been answered. Thank you: your answers were received."),
    "expired": N_("This invitation has expired. Please ask the sender for a new one."),
    "required": N_("This questionnaire is by invitation only: please open the link you were sent."),
    "closed": N_("The edition this invitation is for has closed: it no longer accepts answers."),
}
THROTTLED = N_(
    "Too many questionnaires were sent from your network just now. Nothing was saved yet: "
    "your answers are kept below, please submit again in a few minutes."
)
TOO_MANY_ATTEMPTS = N_(
    "This invitation has been submitted too many times just now. Your answers are kept "
    "below: please submit again in a few minutes."
)
UNAVAILABLE = "unavailable"  # the database refused a write before the response: a 503


def _secret() -> str:
    return current_app.config["SECRET_KEY"]


def refusal(state: str, survey_id: str | None = None):
    """One page shape and status for every refusal, whatever the reason."""
    if survey_id is not None:
        session.get(SESSION, {}).pop(survey_id, None)
        session.modified = True
    return render_template(
        "survey/invitation.html", state=state, message=gettext(MESSAGES[state])
    ), 403


@invite_bp.get("/i/<token>")
def landing(token: str):
    token_id = invitations.token_id_of(_secret(), token)
    invitation = invitations.find(get_db(), token_id) if token_id else None
    state = invitations.state(invitation)
    if invitation is None or invitation["survey"] not in catalog():
        return refusal("invalid")
    survey_id = invitation["survey"]
    if state != "valid":
        return refusal(state, survey_id)
    definition = open_definition(survey_id)
    if definition is None or definition.edition != invitation["edition"]:
        return refusal("closed", survey_id)
    for name, value in (
        (SESSION, token),
        ("keys", keys.invitation_key(_secret(), survey_id, token_id)),
        ("editions", definition.edition),
    ):
        session[name] = session.get(name, {}) | {survey_id: value}
    return redirect(url_for("survey.page", survey_id=survey_id))


def _session_invitation(definition: Definition) -> tuple[dict | None, str]:
    token = session.get(SESSION, {}).get(definition.id)
    if not token:
        return None, "required"
    token_id = invitations.token_id_of(_secret(), token)
    invitation = invitations.find(get_db(), token_id) if token_id else None
    state = invitations.state(invitation, definition.id)
    if state == "valid" and invitation["edition"] != definition.edition:
        state = "closed"
    return invitation, state


def gate(definition: Definition):
    """None when this browser may answer the edition, else the refusal page."""
    if definition.access != "invitation":
        return None
    _invitation, state = _session_invitation(definition)
    return None if state == "valid" else refusal(state, definition.id)


def claim_for(definition: Definition, key: str) -> tuple[Callable | None, str]:
    """(claim for insert_response, '') or (None, reason) when refused before storing:
    a refusal state for invitations, UNAVAILABLE (a 503), or a 429 notice."""
    config = current_app.config
    if definition.access != "invitation":
        limit = config["SUBMISSIONS_PER_ADDRESS"]
        if limit <= 0:
            return None, ""
        address = submission_log.address_hash(_secret(), request.remote_addr or "")
        return submission_log.throttle(address, limit, config["SUBMISSION_WINDOW_SECONDS"]), ""
    invitation, state = _session_invitation(definition)
    if state != "valid":
        return None, state
    try:
        attempts = invitations.count_attempt(
            get_db(), invitation["token_id"], config["INVITATION_ATTEMPT_WINDOW_SECONDS"]
        )
    except store.DatabaseError:
        current_app.logger.exception("could not count an invitation attempt")
        return None, UNAVAILABLE
    if attempts > config["INVITATION_ATTEMPTS"]:
        return None, TOO_MANY_ATTEMPTS
    return invitations.claimer(invitation["token_id"], definition.anonymous, key), ""


def submitted_at(definition: Definition) -> str | None:
    """The time to store with a response: the day only (midnight UTC) for an anonymous
    invitation edition, so its time cannot be matched to an invitation or a log; else
    None (the exact time)."""
    if definition.access == "invitation" and definition.anonymous:
        return invitations.day_start(store.utcnow())
    return None
