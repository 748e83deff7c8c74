"""Finishing: the whole response checked once more, then stored (completed or screened
out) in one transaction with the invitation claim or throttle count."""

from __future__ import annotations

from flask import current_app, g, redirect, session, url_for

from surveyapp import store
from surveyapp.questionnaire import marks, randomize
from surveyapp.questionnaire.answers import (
    check_response,
    counted_fields,
    page_fields,
    stored_getlist,
)
from surveyapp.questionnaire.logic import evaluate_state
from surveyapp.questionnaire.model import Definition
from surveyapp.questionnaire.pages import applying
from surveyapp.store.invitations import InvitationUsed
from surveyapp.store.submission_log import Throttled
from surveyapp.web import get_db
from surveyapp.web.forms import page_form_class, show_errors
from surveyapp.web.survey import invited
from surveyapp.web.survey.render import STORAGE_FAILED, kept, render, saved_draft


def submit(definition: Definition, key: str, draft: dict):
    db = get_db()
    checked = check_response(definition, stored_getlist(draft))
    if checked.errors and store.response_for_key(db, key):
        # A copy of this POST stored the response (and removed the draft) meanwhile.
        return redirect(url_for("survey.thanks", survey_id=definition.id, again=1))
    if checked.errors:
        saved_draft(db, key, definition, draft)
        first = next(n for n, p in enumerate(definition.pages, 1)
                     if set(page_fields(p)) & set(checked.errors))  # fmt: skip
        form = page_form_class(definition, first)(formdata=None, data=draft, submission_key=key)
        show_errors(form, {k: v for k, v in checked.errors.items() if k in form._fields})
        return render(definition, first, form, checked.state, 422, errors=True)
    return store_response(definition, key, checked.answers)


def store_response(definition: Definition, key: str, answers: dict):
    """Store a response (completed or screened out) and thank the respondent."""
    state = evaluate_state(definition, answers)
    last = state.screened[0] + 1 if state.screened else (applying(state) or [1])[-1]
    claim, refused = invited.claim_for(definition, key)
    if refused in invited.MESSAGES:
        return invited.refusal(refused, definition.id)
    if refused:
        notice = STORAGE_FAILED if refused == invited.UNAVAILABLE else refused
        return kept(definition, last, state, 503 if refused == invited.UNAVAILABLE else 429, notice)
    try:
        _response_id, created = store.insert_response(
            get_db(),
            survey=definition.id,
            edition=definition.edition,
            version=definition.version,
            answers=answers | randomize.orders(definition, key),  # the order shown, recomputed
            counted=counted_fields(definition),
            # an anonymous invitation's key would tie the response to the invitation
            submission_key=None if definition.access == "invitation" else key,
            submitted_at=invited.submitted_at(definition),
            claim=claim,
            language=g.get("language"),
        )
    except Throttled:
        return kept(definition, last, state, 429, invited.THROTTLED)
    except InvitationUsed:
        return invited.refusal("used", definition.id)
    except store.DatabaseError:
        current_app.logger.exception("could not store a response")
        return kept(definition, last, state)
    session.get("keys", {}).pop(definition.id, None)
    session.get("editions", {}).pop(definition.id, None)
    session.modified = True
    screened = 1 if marks.status(answers) == marks.SCREENED else None
    return redirect(url_for("survey.thanks", survey_id=definition.id, again=int(not created),
                            screened=screened))  # fmt: skip
