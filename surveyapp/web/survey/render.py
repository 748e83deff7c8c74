"""Drawing a survey page (with the logic's view of it) and keeping a draft."""

from __future__ import annotations

import json
from datetime import datetime

from babel.dates import format_date
from flask import current_app, g, redirect, render_template, request, session, url_for
from flask_babel import get_locale, gettext
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from surveyapp import store
from surveyapp.questionnaire import pages
from surveyapp.questionnaire.estimate import estimate
from surveyapp.questionnaire.logic import State, plan_of
from surveyapp.questionnaire.model import Definition
from surveyapp.store.submission_log import address_hash
from surveyapp.store.timestamps import TIME_FORMAT
from surveyapp.web import catalog, languages, serving
from surveyapp.web.forms import page_form_class
from surveyapp.web.survey import bp
from surveyapp.web.survey.view import page_view
from surveyapp.web.wording import N_

STORAGE_FAILED = N_(
    "We could not save your answers just now. They are kept below: please try again."
)
DRAFTS_THROTTLED = N_(
    "Too many questionnaires were started from your network just now. Your answers are kept "
    "below: please press the button again in a few minutes."
)


def render(definition, number, form, state, status=200, notice="", errors=False):
    form.definition_version.data = definition.version
    view = page_view(definition, number, state, form)
    return render_template(
        "survey/page.html",
        definition=definition,
        page=definition.pages[number - 1],
        number=number,
        form=form,
        notice=gettext(notice) if notice else "",
        has_errors=errors,
        view=view,
        overview=estimate(definition) if view.position == 1 else None,
        closes_at=_closes_at(definition.id),
    ), status


def _closes_at(survey_id: str) -> str | None:
    try:
        return serving(survey_id).schedule.closes_at
    except store.DatabaseError:  # unreachable: the page that says so is drawn without it
        return None


# A page with nothing filled in differs between respondents only in its CSRF token and
# submission key, and (with logic) in what the answers on other pages make it show: each
# app renders it once per definition version, page and logic view, with slots.
CSRF_SLOT, KEY_SLOT = "\x00csrf\x00", "\x00key\x00"
BLANK_PAGES = 4096  # logic views of one page are few; the bound keeps odd answers harmless


def blank_pages() -> dict[tuple, str]:
    return current_app.extensions.setdefault("blank_pages", {})


def blank_page(definition: Definition, number: int, key: str, state: State) -> str:
    token = generate_csrf() if current_app.config.get("WTF_CSRF_ENABLED", True) else ""
    cache_key = (
        definition.version,
        number,
        request.script_root,
        serving(definition.id).schedule.closes_at,
        g.get("language"),
        *_view_key(definition, number, state),
    )
    cache = blank_pages()
    html = cache.get(cache_key)
    if html is None:
        form = page_form_class(definition, number)(formdata=None, submission_key=key)
        html = render(definition, number, form, state)[0]
        if not token or html.count(token) != 1 or html.count(key) != 1 or len(cache) >= BLANK_PAGES:
            return html
        html = cache[cache_key] = html.replace(token, CSRF_SLOT).replace(key, KEY_SLOT)
    return html.replace(CSRF_SLOT, token).replace(KEY_SLOT, key)


def _view_key(definition: Definition, number: int, state: State) -> tuple:
    """What an empty page's drawing takes from the other pages' answers: its shape, its
    place among the pages that apply and the answers its rules read (nothing without logic)."""
    plan = plan_of(definition)
    if not plan.active:
        return ()
    data = pages.logic_data(definition, number, state.values)
    return (pages.shape(plan, state, number), pages.progress(state, number),
            json.dumps(data["answers"], sort_keys=True))  # fmt: skip


def kept(definition: Definition, number: int, state, status: int = 503, notice=STORAGE_FAILED):
    """The page again, answers as posted, with why nothing was stored (by default
    "could not save, please try again")."""
    form = page_form_class(definition, number)()
    return render(definition, number, form, state, status, notice)


def _draft_rules() -> store.DraftRules:
    config = current_app.config
    return store.DraftRules(
        address=address_hash(config["SECRET_KEY"], request.remote_addr or ""),
        limit=config["DRAFTS_PER_ADDRESS"],
        window_seconds=config["SUBMISSION_WINDOW_SECONDS"],
        keep_days=config["DRAFT_DAYS"],
    )


def saved_draft(db, key: str, definition: Definition, draft: dict) -> tuple[int, str] | None:
    """Keep the answers so far and the version they answer; else (status, notice) saying
    why nothing was stored."""
    try:
        store.save_draft(db, key, definition.id, draft, _draft_rules(), definition.version,
                         g.get("language"))  # fmt: skip
    except store.DraftsThrottled:
        return 429, DRAFTS_THROTTLED
    except store.DatabaseError:
        current_app.logger.exception("could not save a draft")
        return 503, STORAGE_FAILED
    return None


def goto(definition: Definition, number: int):
    return redirect(url_for("survey.page", survey_id=definition.id, page=number))


def closed_page(survey_id: str, started: int | None = None):
    """Refuse new answers: the questionnaire (or the edition being answered) is closed, or
    not open yet (an edition scheduled to open later: a 200 saying when)."""
    keys, started_in = session.get("keys", {}), session.get("editions", {})
    keys.pop(survey_id, None)
    started_in.pop(survey_id, None)
    session.modified = True
    now = serving(survey_id)
    opening = now.opening if now.definition is None else None
    page = render_template(
        "survey/closed.html",
        definition=languages.shown(catalog().latest(survey_id)),
        started=started,
        now_open=now.definition,
        opens_at=opening[1] if opening else None,
    )
    return page, 200 if opening else 410


@bp.app_template_filter("utc_time")
def utc_time(stamp: str) -> Markup:
    """A stored time as a reader's date and time in UTC, in a <time> element; the date in
    the page's language."""
    moment = datetime.strptime(stamp, TIME_FORMAT)
    locale, hour = get_locale(), f"{moment:%H:%M} UTC"
    if locale is None or locale.language == languages.SOURCE:
        text = f"{moment.day} {moment:%B %Y}, {hour}"  # "1 December 2026, 09:30 UTC"
    else:
        day = format_date(moment, "long", locale=locale)
        text = str(locale.datetime_formats["medium"]).format(hour, day)  # "{1}, {0}" in most
    machine = moment.isoformat(timespec="minutes")
    return Markup('<time datetime="{}Z">{}</time>').format(machine, text)
