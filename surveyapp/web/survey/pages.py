"""The respondent side: one page at a time, a draft kept server-side, one final insert."""

from __future__ import annotations

from typing import NamedTuple
from urllib.parse import urlsplit

from flask import (
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext
from flask_wtf.csrf import validate_csrf
from wtforms.validators import ValidationError

from surveyapp import store
from surveyapp.questionnaire import pages, randomize
from surveyapp.questionnaire.answers import check_page, page_fields, record
from surveyapp.questionnaire.estimate import estimate
from surveyapp.questionnaire.logic import evaluate_state, plan_of
from surveyapp.questionnaire.model import Definition
from surveyapp.web import (
    catalog,
    csrf,
    get_db,
    languages,
    latest_definition,
    open_definition,
    serving,
)
from surveyapp.web.forms import page_form_class, show_errors
from surveyapp.web.survey import bp, finish, invited, resume
from surveyapp.web.survey import keys as keys_
from surveyapp.web.survey.render import (
    STORAGE_FAILED,
    blank_page,
    closed_page,
    goto,
    kept,
    render,
    saved_draft,
)
from surveyapp.web.wording import N_

__all__ = ["STORAGE_FAILED"]
RESHAPED = N_(
    "Your answers changed the questions on this page: please check the questions now shown, "
    "then continue."
)
LAST_PAGE = N_("With your answers, this is the last page: please check it and press Submit.")
EXPIRED = N_("This page had expired. Your answers are kept: please press the button again.")
REDIRECT_SECONDS = 10  # on the thank-you page, before going to the organiser's address
SHAPE = "~shown"  # the posted shape of the page as the browser showed it (see questionnaire.pages)


class Listed(NamedTuple):
    definition: Definition
    questions: int
    minutes: int


@bp.get("/")
def index():
    if not current_app.config["HOME_LISTS_SURVEYS"]:
        return render_template("survey/index.html", listing=False, surveys=[])
    opened = [d for d in map(open_definition, sorted(catalog())) if d is not None]
    surveys = [Listed(d, *estimate(d)) for d in opened if d.access == "open"]
    return render_template("survey/index.html", listing=True, surveys=surveys)


def _definition(survey_id: str) -> Definition:
    definition = latest_definition(survey_id)
    if definition is None:
        abort(404, gettext("There is no questionnaire called %(name)s.", name=repr(survey_id)))
    return definition


def _open(survey_id: str) -> Definition | None:
    """The open edition's definition; None when the questionnaire is closed or the
    edition this browser started has closed since. 404 for an unknown questionnaire."""
    _definition(survey_id)
    definition = serving(survey_id).definition
    started = session.get("editions", {}).get(survey_id)
    if definition is None or started not in (None, definition.edition):
        return None
    return definition


def _session_key(survey_id: str, edition: int) -> str:
    keys, started_in = session.get("keys", {}), session.get("editions", {})
    if survey_id not in keys:
        keys[survey_id] = keys_.new_key(current_app.config["SECRET_KEY"], survey_id)
        session["keys"] = keys
    if survey_id not in started_in:
        started_in[survey_id] = edition
        session["editions"] = started_in
    return keys[survey_id]


def _page_number(definition: Definition) -> int:
    page = request.args.get("page", "1")
    if not (page.isascii() and page.isdigit()) or not 1 <= int(page) <= len(definition.pages):
        return 1
    return int(page)


def _version(current: Definition, started_on: str | None) -> Definition:
    """The version a respondent is answering: the one their page (or draft) was rendered
    with while it is a version of the open edition, else the open edition's current one."""
    if not started_on or started_on == current.version:
        return current
    started = catalog().by_version(started_on)
    if started is None or (started.id, started.edition) != (current.id, current.edition):
        return current
    return started


def _answerable(survey_id: str):
    """(the definition this browser may answer, None) or (None, the page that refuses it)."""
    definition = _open(survey_id)
    if definition is None:
        return None, closed_page(survey_id, session.get("editions", {}).get(survey_id))
    languages.respondent_language(definition)
    return definition, invited.gate(definition)


def _shown(definition: Definition) -> Definition:
    return languages.shown(definition)


@bp.get("/s/<survey_id>")
def page(survey_id: str):
    definition, refused = _answerable(survey_id)
    if refused is not None:
        return refused
    key = _session_key(survey_id, definition.edition)
    draft, started_on, language = store.load_draft_state(
        get_db(), key, current_app.config["DRAFT_DAYS"]
    )
    if language and language != g.language:  # perhaps resumed on another device
        languages.respondent_language(definition, lambda: language)
    definition = randomize.arranged(_shown(_version(definition, started_on)), key)
    number = _page_number(definition)
    state = evaluate_state(definition, draft)
    if pages.nearest_page(state, number) != number:
        return goto(definition, pages.nearest_page(state, number))
    # A page none of whose own fields is answered is drawn from the cache (piped texts
    # depend on the answers themselves and a shuffled page differs per key, so a page
    # with either never is).
    own = set(page_fields(definition.pages[number - 1]))
    cached = not plan_of(definition).piped and not randomize.randomized(definition)
    if not draft.keys() & own and cached:
        return blank_page(definition, number, key, state)
    form = page_form_class(definition, number)(formdata=None, data=draft, submission_key=key)
    return render(definition, number, form, state)


def _csrf_ok() -> bool:
    """What the page form's validate() checked: its fields have no validators of their own."""
    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return True
    try:
        validate_csrf(request.form.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")))
    except ValidationError:
        return False
    return True


@bp.post("/s/<survey_id>")
@csrf.exempt  # checked here, so a stale token keeps the answers instead of failing
def answer(survey_id: str):
    definition, refused = _answerable(survey_id)
    if refused is not None:
        return refused
    definition = _shown(_version(definition, request.form.get("definition_version")))
    number = _page_number(definition)
    db = get_db()
    key = request.form.get("submission_key", "")
    ours = keys_.is_ours(current_app.config["SECRET_KEY"], survey_id, key)
    if ours and store.response_for_key(db, key):
        return redirect(url_for("survey.thanks", survey_id=survey_id, again=1))
    if not ours or not _csrf_ok():
        fresh = _session_key(survey_id, definition.edition)
        definition = randomize.arranged(definition, fresh)
        form = page_form_class(definition, number)()
        form.submission_key.data = fresh
        notice = EXPIRED
        return render(definition, number, form, evaluate_state(definition, {}), 400, notice)
    definition = randomize.arranged(definition, key)
    draft = store.load_draft(db, key, current_app.config["DRAFT_DAYS"])
    checked = check_page(definition, number, request.form.getlist, draft)
    state, action = checked.state, request.form.get("action", "next")
    if action == "save" and definition.access == "open":
        return resume.save(definition, number, key, checked)
    if action == "back":
        if refused := saved_draft(db, key, definition, checked.answers):
            return kept(definition, number, state, *refused)
        return goto(definition, pages.previous_page(state, number) or number)
    if state.screened is not None:
        answers = record(plan_of(definition), state)
        return finish.store_response(definition, key, answers)
    reshaped = _reshaped(definition, number, draft, checked)
    if reshaped is not None or checked.errors:
        return _again(definition, number, key, checked, reshaped)
    return _move_on(definition, number, key, checked, action)


def _move_on(definition: Definition, number: int, key: str, checked, action: str):
    """To the next page that applies, or submit on the last one. A page that became the
    last one is shown again, with Submit, when Next was pressed."""
    state = checked.state
    following = pages.next_page(state, number)
    if action == "submit" and following is None:
        return finish.submit(definition, key, checked.answers)
    if refused := saved_draft(get_db(), key, definition, checked.answers):
        return kept(definition, number, state, *refused)
    if following is None and plan_of(definition).active:
        form = page_form_class(definition, number)()
        return render(definition, number, form, state, 200, LAST_PAGE)
    return goto(definition, following or number)


def _reshaped(definition: Definition, number: int, draft: dict, checked) -> set[str] | None:
    """When the post showed a question or option that has no answer yet (the respondent
    has not seen it), the fields shown before and unchanged since (whose errors may be
    shown); else None. The browser posts the shape it showed (static/logic.js keeps it up
    to date; without JavaScript it is the one drawn); without one, the draft's is taken."""
    plan = plan_of(definition)
    if not plan.active:
        return None
    shown = request.form.get(SHAPE)
    if shown is None:
        shown = pages.shape(plan, evaluate_state(definition, draft), number)
    before = set(shown.split())
    now = set(pages.shape(plan, checked.state, number).split()) - {pages.LAST}
    unseen = {token for token in now - before if token.split(":")[0] not in checked.answers}
    changed = {token.split(":")[0] for token in now ^ before}
    return {token for token in before if token not in changed} if unseen else None


def _again(definition: Definition, number: int, key: str, checked, reshaped: set[str] | None):
    """The page again: with its errors, or (when the answers changed what it shows) with
    the newly shown questions and the errors of those shown before only."""
    errors, notice = checked.errors, ""
    if reshaped is not None:
        if refused := saved_draft(get_db(), key, definition, checked.answers):
            return kept(definition, number, checked.state, *refused)
        errors = {name: error for name, error in errors.items() if name in reshaped}
        notice = RESHAPED
    form = page_form_class(definition, number)()
    show_errors(form, errors)
    status = 422 if errors else 200
    return render(definition, number, form, checked.state, status, notice, errors=bool(errors))


@bp.get("/s/<survey_id>/thanks")
def thanks(survey_id: str):
    definition = _shown(_definition(survey_id))
    again = request.args.get("again") == "1"
    screened = request.args.get("screened") == "1"
    return render_template(
        "survey/thanks.html", definition=definition, again=again, screened=screened,
        home_lists=current_app.config["HOME_LISTS_SURVEYS"], redirect_seconds=REDIRECT_SECONDS,
        redirect_host=urlsplit(definition.branding.redirect).hostname,
    )  # fmt: skip
