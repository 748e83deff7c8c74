"""Publishing a draft (a new version of its edition, or a new edition) through the
version store, with an explicit confirmation when the changes alter what stored answers
mean; and the version history with a readable diff between any two versions."""

from __future__ import annotations

import re

from flask import abort, redirect, request, url_for

from surveyapp.questionnaire import checking, diff
from surveyapp.questionnaire.loader import DefinitionError
from surveyapp.questionnaire.model import Definition
from surveyapp.questionnaire.publishing import parse
from surveyapp.store import audit, builder_drafts, definitions, editions
from surveyapp.store import counts as store_counts
from surveyapp.web import catalog, get_db
from surveyapp.web.admin import auth, bp
from surveyapp.web.admin import builder_common as common

SOURCE = "builder"
YEAR = re.compile(r"[0-9]{4}")


def _current(definition: Definition) -> tuple[str | None, list[diff.Change]]:
    """The version its edition serves now, and the changes from it to `definition`."""
    current = definitions.current_version(get_db(), definition.id, definition.edition)
    if current is None or current == definition.version:
        return current, []
    found = definitions.version_source(get_db(), current)
    try:
        return current, diff.changes(parse(*found), definition) if found else []
    except DefinitionError:
        return current, []


def _plan(state: common.State, edition_text: str) -> tuple[str, Definition | None, str]:
    """(the text to publish, its definition, a problem): the draft, moved to another
    edition when `edition_text` names one."""
    definition = state.checked.definition
    if definition is None:
        return state.text, None, "The draft has problems: fix them first."
    if not edition_text or edition_text == str(definition.edition):
        return state.text, definition, ""
    if not YEAR.fullmatch(edition_text) or int(edition_text) < 1900:
        return state.text, None, "The new edition must be a year, e.g. 2027."
    doc, _why = checking.document_of(state.text)
    doc["edition"] = edition_text
    text = checking.text_of(doc)
    return text, checking.check_text(text, state.survey).definition, ""


def _context(state: common.State, definition: Definition | None) -> dict:
    known = sorted(catalog().get(state.survey, {}))
    context = {"known_editions": known, "definition": definition, "current": None,
               "changes": [], "breaking": [], "responses": 0,
               "next_edition": str(max(known) + 1 if known else "")}  # fmt: skip
    if definition is not None:
        current, changes = _current(definition)
        responses = store_counts.edition_responses(get_db(), state.survey)
        context |= {"current": current, "changes": changes, "breaking": diff.breaking(changes),
                    "responses": responses.get(definition.edition, 0)}  # fmt: skip
    return context


def _new_edition(survey_id: str) -> str:
    """The year asked for when publishing as a new edition ("" otherwise); one that
    exists already is refused."""
    if request.form.get("as") != "edition":
        return ""
    year = request.form.get("new_edition_year", "").strip()
    if year.isascii() and year.isdigit() and int(year) in catalog().get(survey_id, {}):
        abort(409, f"Edition {year} exists already: publish as a new version of it, "
                   "or choose another year.")  # fmt: skip
    return year or "none"


@bp.route("/questionnaires/<survey_id>/publish", methods=["GET", "POST"])
def builder_publish(survey_id: str):
    state = common.load(survey_id)
    if request.method == "GET":
        return common.page("publish.html", state, **_context(state, state.checked.definition))
    if common.posted_revision() != state.revision:
        return common.page("publish.html", state, 409, notice=common.CONFLICT,
                           **_context(state, state.checked.definition))  # fmt: skip
    text, definition, problem = _plan(state, _new_edition(survey_id))
    if definition is None:
        return common.page("publish.html", state, 422, notice=problem,
                           **_context(state, state.checked.definition))  # fmt: skip
    is_new_edition = definition.edition not in catalog().get(survey_id, {})
    try:
        result = definitions.publish(get_db(), text, SOURCE, auth.actor(),
                                     confirm=request.form.get("confirm") == "yes")  # fmt: skip
    except definitions.BreakingChange:
        notice = "Confirm the changes listed below to publish them."
        return common.page("publish.html", state, 409, notice=notice, confirm_needed=True,
                           **_context(state, definition))  # fmt: skip
    except DefinitionError as exc:
        return common.page("publish.html", state, 422, notice=" ".join(exc.errors),
                           **_context(state, definition))  # fmt: skip
    if not result.changed:
        notice = f"Nothing to publish: edition {definition.edition} serves this version already."
        return common.page("publish.html", state, 409, notice=notice,
                           **_context(state, definition))  # fmt: skip
    if state.draft is not None:
        builder_drafts.delete(get_db(), survey_id, state.revision)
    if is_new_edition:
        _set_new_edition_status(survey_id, definition.edition, request.form.get("open") == "yes")
    return redirect(url_for("admin.builder_history", survey_id=survey_id,
                            published=result.version), code=303)  # fmt: skip


def _set_new_edition_status(survey_id: str, edition: int, open_it: bool) -> None:
    """A new edition opens for answers (closing the one open before) only when asked."""
    db = get_db()
    if open_it:
        closed = editions.open_only(db, common.refreshed_catalog(), survey_id, edition)
        audit.record(db, auth.actor(), "edition_open", survey=survey_id, edition=edition,
                     closed=closed)  # fmt: skip
    else:
        editions.set_edition_status(db, survey_id, edition, "closed")
        audit.record(db, auth.actor(), "edition_close", survey=survey_id, edition=edition)


@bp.get("/questionnaires/<survey_id>/history")
def builder_history(survey_id: str):
    state = common.load(survey_id)
    rows = definitions.versions(get_db(), survey_id)
    names = [row["version"] for row in rows]
    older = names[1] if len(names) > 1 else (names[0] if names else "")
    a, b = request.args.get("a", older), request.args.get("b", names[0] if names else "")
    if (a and a not in names) or (b and b not in names):
        abort(404, f"{survey_id} has no such version.")
    changes, text_diff = [], ""
    if a and b:
        old, new = definitions.version_source(get_db(), a), definitions.version_source(get_db(), b)
        text_diff = diff.text_diff(old[0], new[0], f"version {a}", f"version {b}")
        try:
            changes = diff.changes(parse(*old), parse(*new))
        except DefinitionError:
            changes = []
    published = request.args.get("published", "")
    link = common.public_link(survey_id) if survey_id in catalog() else ""
    return common.page("history.html", state, rows=rows, a=a, b=b, changes=changes,
                       text_diff=text_diff, published=published if published in names else "",
                       link=link)  # fmt: skip
