"""The respondent side: one page at a time, a draft kept server-side, one final insert."""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_wtf.csrf import generate_csrf, validate_csrf
from wtforms.validators import ValidationError

from surveyapp import store
from surveyapp.questionnaire import randomize
from surveyapp.questionnaire.answers import (
    check_definition,
    check_pages,
    counted_fields,
    page_fields,
)
from surveyapp.questionnaire.model import Definition
from surveyapp.store.invitations import InvitationUsed, Throttled, address_hash
from surveyapp.web import catalog, csrf, get_db, latest_definition, open_definition
from surveyapp.web.forms import page_form_class, show_errors
from surveyapp.web.survey import bp, invited
from surveyapp.web.survey import keys as keys_

STORAGE_FAILED = "We could not save your answers just now. They are kept below: please try again."
DRAFTS_THROTTLED = (
    "Too many questionnaires were started from your network just now. Your answers are kept "
    "below: please press the button again in a few minutes."
)


@bp.get("/")
def index():
    opened = [d for d in map(open_definition, sorted(catalog())) if d is not None]
    surveys = [d for d in opened if d.access == "open"]
    return render_template("survey/index.html", surveys=surveys)


def _definition(survey_id: str) -> Definition:
    definition = latest_definition(survey_id)
    if definition is None:
        abort(404, f"There is no questionnaire called {survey_id!r}.")
    return definition


def _open(survey_id: str) -> Definition | None:
    """The open edition's definition; None when the questionnaire is closed or the
    edition this browser started has closed since. 404 for an unknown questionnaire."""
    _definition(survey_id)
    definition = open_definition(survey_id)
    started = session.get("editions", {}).get(survey_id)
    if definition is None or started not in (None, definition.edition):
        return None
    return definition


def _closed(survey_id: str, started: int | None = None):
    """Refuse new answers: the questionnaire (or the edition being answered) is closed."""
    keys, started_in = session.get("keys", {}), session.get("editions", {})
    keys.pop(survey_id, None)
    started_in.pop(survey_id, None)
    session.modified = True
    return render_template(
        "survey/closed.html",
        definition=_definition(survey_id),
        started=started,
        now_open=open_definition(survey_id),
    ), 410


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


def _render(definition, number, form, status=200, notice="", errors=False):
    form.definition_version.data = definition.version
    return render_template(
        "survey/page.html",
        definition=definition,
        page=definition.pages[number - 1],
        number=number,
        form=form,
        notice=notice,
        has_errors=errors,
    ), status


# A page with nothing filled in differs between respondents only in its CSRF token and
# submission key, so each app renders it once per definition version and page, with slots.
CSRF_SLOT, KEY_SLOT = "\x00csrf\x00", "\x00key\x00"


def blank_pages() -> dict[tuple[str, int, str], str]:
    return current_app.extensions.setdefault("blank_pages", {})


def _blank_page(definition: Definition, number: int, key: str) -> str:
    token = generate_csrf() if current_app.config.get("WTF_CSRF_ENABLED", True) else ""
    cache_key = (definition.version, number, request.script_root)
    cache = blank_pages()
    html = cache.get(cache_key)
    if html is None:
        form = page_form_class(definition, number)(formdata=None, submission_key=key)
        html = _render(definition, number, form)[0]
        if not token or html.count(token) != 1 or html.count(key) != 1:
            return html
        html = cache[cache_key] = html.replace(token, CSRF_SLOT).replace(key, KEY_SLOT)
    return html.replace(CSRF_SLOT, token).replace(KEY_SLOT, key)


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
        return None, _closed(survey_id, session.get("editions", {}).get(survey_id))
    return definition, invited.gate(definition)


@bp.get("/s/<survey_id>")
def page(survey_id: str):
    definition, refused = _answerable(survey_id)
    if refused is not None:
        return refused
    key = _session_key(survey_id, definition.edition)
    draft, started_on = store.load_draft_entry(get_db(), key, current_app.config["DRAFT_DAYS"])
    definition = randomize.arranged(_version(definition, started_on), key)
    number = _page_number(definition)
    blank = not draft.keys() & page_fields(definition.pages[number - 1])
    if blank and not randomize.randomized(definition):  # a shuffled page differs per key
        return _blank_page(definition, number, key)
    form = page_form_class(definition, number)(formdata=None, data=draft, submission_key=key)
    return _render(definition, number, form)


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
    definition = _version(definition, request.form.get("definition_version"))
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
        notice = "This page had expired. Your answers are kept: please press the button again."
        return _render(definition, number, form, 400, notice)
    definition = randomize.arranged(definition, key)
    page_obj = definition.pages[number - 1]
    answers, errors = check_pages([page_obj], request.form.getlist)
    action = request.form.get("action", "next")
    draft = store.load_draft(db, key, current_app.config["DRAFT_DAYS"])
    on_page = set(page_fields(page_obj))
    draft = {name: value for name, value in draft.items() if name not in on_page} | answers
    if action == "back":
        if refused := _saved_draft(db, key, definition, draft):
            return _kept(definition, number, *refused)
        return redirect(url_for("survey.page", survey_id=survey_id, page=max(number - 1, 1)))
    if errors:
        form = page_form_class(definition, number)()
        show_errors(form, errors)
        return _render(definition, number, form, 422, errors=True)
    if action != "submit" or number < len(definition.pages):
        if refused := _saved_draft(db, key, definition, draft):
            return _kept(definition, number, *refused)
        next_page = min(number + 1, len(definition.pages))
        return redirect(url_for("survey.page", survey_id=survey_id, page=next_page))
    return _submit(definition, key, draft)


def _kept(definition: Definition, number: int, status: int = 503, notice: str = STORAGE_FAILED):
    """The page again, answers as posted, with why nothing was stored (by default
    "could not save, please try again")."""
    return _render(definition, number, page_form_class(definition, number)(), status, notice)


def _draft_rules() -> store.DraftRules:
    config = current_app.config
    return store.DraftRules(
        address=address_hash(config["SECRET_KEY"], request.remote_addr or ""),
        limit=config["DRAFTS_PER_ADDRESS"],
        window_seconds=config["SUBMISSION_WINDOW_SECONDS"],
        keep_days=config["DRAFT_DAYS"],
    )


def _saved_draft(db, key: str, definition: Definition, draft: dict) -> tuple[int, str] | None:
    """Keep the answers so far and the version they answer; else (status, notice) saying
    why nothing was stored."""
    try:
        store.save_draft(db, key, definition.id, draft, _draft_rules(), definition.version)
    except store.DraftsThrottled:
        return 429, DRAFTS_THROTTLED
    except store.DatabaseError:
        current_app.logger.exception("could not save a draft")
        return 503, STORAGE_FAILED
    return None


def _submit(definition: Definition, key: str, draft: dict):
    db = get_db()
    answers, errors = check_definition(definition, draft)
    if errors and store.response_for_key(db, key):
        # A copy of this POST stored the response (and removed the draft) meanwhile.
        return redirect(url_for("survey.thanks", survey_id=definition.id, again=1))
    if errors:
        _saved_draft(db, key, definition, draft)
        first = next(
            n for n, p in enumerate(definition.pages, 1) if set(page_fields(p)) & set(errors)
        )
        form = page_form_class(definition, first)(formdata=None, data=draft, submission_key=key)
        show_errors(form, {k: v for k, v in errors.items() if k in form._fields})
        return _render(definition, first, form, 422, errors=True)
    claim, refused = invited.claim_for(definition, key)
    if refused in invited.MESSAGES:
        return invited.refusal(refused, definition.id)
    if refused == invited.UNAVAILABLE:
        return _kept(definition, len(definition.pages))
    if refused:
        return _kept(definition, len(definition.pages), 429, refused)
    try:
        _response_id, created = store.insert_response(
            db,
            survey=definition.id,
            edition=definition.edition,
            version=definition.version,
            answers=answers | randomize.orders(definition, key),  # the order shown, recomputed
            counted=counted_fields(definition),
            # an anonymous invitation's key would tie the response to the invitation
            submission_key=None if definition.access == "invitation" else key,
            submitted_at=invited.submitted_at(definition),
            claim=claim,
        )
    except Throttled:
        return _kept(definition, len(definition.pages), 429, invited.THROTTLED)
    except InvitationUsed:
        return invited.refusal("used", definition.id)
    except store.DatabaseError:
        current_app.logger.exception("could not store a response")
        return _kept(definition, len(definition.pages))
    session.get("keys", {}).pop(definition.id, None)
    session.get("editions", {}).pop(definition.id, None)
    session.modified = True
    return redirect(url_for("survey.thanks", survey_id=definition.id, again=int(not created)))


@bp.get("/s/<survey_id>/thanks")
def thanks(survey_id: str):
    definition = _definition(survey_id)
    again = request.args.get("again") == "1"
    return render_template("survey/thanks.html", definition=definition, again=again)
