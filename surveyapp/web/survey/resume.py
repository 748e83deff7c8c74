"""Save and continue later, for open questionnaires: "Save and continue later" keeps the
page's answers in the draft (store.drafts, as Next does) and gives a link `/r/<token>`.
The token is signed with the secret key and carries the questionnaire, the submission key
(itself signed, web.survey.keys), the edition and the page; it expires after RESUME_DAYS.
Opening it puts that key in the browser's session, as an invitation link does, so any
device continues the same draft; once the response is stored it says so. Nothing about the
respondent is stored beyond the draft: an e-mail address given to send the link is not."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from surveyapp import store
from surveyapp.questionnaire.model import Definition
from surveyapp.store.drafts import count_for_address
from surveyapp.store.invitations import email_problems
from surveyapp.store.submission_log import address_hash
from surveyapp.store.timestamps import stamp
from surveyapp.web import catalog, get_db, languages, serving
from surveyapp.web.forms import page_form_class, show_errors
from surveyapp.web.survey import bp, keys, mail
from surveyapp.web.survey.render import closed_page, kept, render, saved_draft
from surveyapp.web.wording import N_

SALT = "surveyapp-resume"
NOT_SAVED = N_(
    "Your other answers are saved. The answers marked below are not valid, so they could "
    "not be saved: please correct or clear them, then press Save and continue later again."
)
MESSAGES = {
    "invalid": N_(
        "This link to continue a questionnaire is not valid. Please check that it was copied whole."
    ),
    "expired": N_(
        "This link to continue a questionnaire has expired, and the answers saved with it are "
        "no longer kept. You are welcome to start again."
    ),
}
MAIL_PROBLEMS = {
    "address": N_("Please enter an e-mail address, such as name@example.org."),
    "throttled": N_(
        "Too many links were sent from your network just now: please copy the link instead, "
        "or try again in a few minutes."
    ),
    "failed": N_(
        "We could not send the e-mail just now: please copy the link instead, or try again later."
    ),
}


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def make_token(definition: Definition, key: str, number: int) -> str:
    return _serializer().dumps([definition.id, key, definition.edition, number])


def read_token(token: str) -> tuple[tuple[str, str, int, int] | None, str, datetime | None]:
    """((survey, key, edition, page), '', signed at) or (None, 'invalid' or 'expired', None)."""
    max_age = current_app.config["RESUME_DAYS"] * 86400
    try:
        data, signed = _serializer().loads(token, max_age=max_age, return_timestamp=True)
    except SignatureExpired:
        return None, "expired", None
    except BadSignature:
        return None, "invalid", None
    shape = (str, str, int, int)
    if not (isinstance(data, list) and len(data) == 4
            and all(type(v) is t for v, t in zip(data, shape, strict=True))):  # fmt: skip
        return None, "invalid", None
    if not keys.is_ours(current_app.config["SECRET_KEY"], data[0], data[1]):
        return None, "invalid", None
    return (data[0], data[1], data[2], data[3]), "", signed


def save(definition: Definition, number: int, key: str, checked: Any):
    """Keep the page's answers that are valid (a required one left empty is fine), then
    show the link; answers that are not valid are shown again, with their errors."""
    db = get_db()
    if refused := saved_draft(db, key, definition, checked.answers):
        return kept(definition, number, checked.state, *refused)
    typed = {name: error for name, error in checked.errors.items()
             if any(value.strip() for value in request.form.getlist(name))}  # fmt: skip
    if typed:
        form = page_form_class(definition, number)()
        show_errors(form, typed)
        return render(definition, number, form, checked.state, 422, NOT_SAVED, errors=True)
    token = make_token(definition, key, number)
    return redirect(url_for("survey.saved", survey_id=definition.id, t=token))


def refusal(state: str):
    status = 410 if state == "expired" else 403
    return render_template("survey/resume.html", message=gettext(MESSAGES[state])), status


def _saved_page(survey_id: str, status: int = 200, **extra: Any):
    token = request.values.get("t", "")
    data, problem, signed = read_token(token)
    if data is None or data[0] != survey_id or survey_id not in catalog():
        return refusal(problem or "invalid")
    definition = languages.shown(catalog().latest(survey_id))
    expires = signed.timestamp() + current_app.config["RESUME_DAYS"] * 86400
    page = render_template(
        "survey/saved.html",
        definition=definition,
        token=token,
        link=url_for("survey.resume", token=token, _external=True),
        expires_at=stamp(datetime.fromtimestamp(expires, UTC)),
        continue_url=url_for("survey.page", survey_id=survey_id, page=data[3]),
        mail=mail.configured(current_app.config),
        **extra,
    )
    return page, status


@bp.get("/s/<survey_id>/saved")
def saved(survey_id: str):
    return _saved_page(survey_id)


@bp.post("/s/<survey_id>/saved")
def mail_link(survey_id: str):
    """E-mail the link (SMTP configured); the address is used for this message only."""
    config, email = current_app.config, request.form.get("email", "").strip()
    data, _problem, _signed = read_token(request.form.get("t", ""))
    if data is None or data[0] != survey_id or not mail.configured(config):
        return _saved_page(survey_id)
    definition = languages.shown(catalog().latest(survey_id))  # the mail in the page's language
    if not email or email_problems([email]):
        return _saved_page(
            survey_id, 422, email=email, mail_error=gettext(MAIL_PROBLEMS["address"])
        )
    rules = store.DraftRules(address=address_hash(config["SECRET_KEY"], request.remote_addr or ""),
                             limit=config["DRAFTS_PER_ADDRESS"],
                             window_seconds=config["SUBMISSION_WINDOW_SECONDS"])  # fmt: skip
    try:
        with store.immediate(get_db()):
            count_for_address(get_db(), rules)
    except store.DraftsThrottled:
        return _saved_page(
            survey_id, 429, email=email, mail_error=gettext(MAIL_PROBLEMS["throttled"])
        )
    try:
        mail.send(config, email, *_message(definition, request.form["t"]))
    except mail.MailError:
        current_app.logger.exception("could not e-mail a resume link")
        return _saved_page(survey_id, 503, email=email, mail_error=gettext(MAIL_PROBLEMS["failed"]))
    return _saved_page(survey_id, sent=True)


def _message(definition: Definition, token: str) -> tuple[str, str]:
    """(subject, body) in the page's language; the link starts with PUBLIC_URL, never with
    the request's host."""
    title = definition.title
    link = current_app.config["PUBLIC_URL"].rstrip("/") + url_for("survey.resume", token=token)
    body = "\n\n".join(
        (
            gettext("To continue answering “%(title)s”, open this link:", title=title),
            link,
            gettext(
                "Anyone with this link can see and change your answers: please keep it to yourself."
            ),
        )
    )
    return gettext("Continue “%(title)s”", title=title), body + "\n"


@bp.get("/r/<token>")
def resume(token: str):
    """Continue a saved draft in this browser, on its page."""
    data, problem, _signed = read_token(token)
    if data is None or data[0] not in catalog():
        return refusal(problem or "invalid")
    survey_id, key, edition, number = data
    db = get_db()
    if store.response_for_key(db, key):
        return redirect(url_for("survey.thanks", survey_id=survey_id, again=1))
    definition = serving(survey_id).definition
    if definition is None or definition.edition != edition or definition.access != "open":
        return closed_page(survey_id, edition)
    if store.load_draft_entry(db, key, current_app.config["DRAFT_DAYS"])[1] is None:
        return refusal("expired")
    for name, value in (("keys", key), ("editions", edition)):
        session[name] = session.get(name, {}) | {survey_id: value}
    return redirect(url_for("survey.page", survey_id=survey_id, page=number))
