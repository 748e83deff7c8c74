"""What the builder's views share: the draft being edited, saving it, and rendering a
builder page with the typed values and a message at each field.

A questionnaire's draft is its row in `builder_drafts`; without one, the builder shows
the published definition (the open edition's, else the newest) and the first edit
creates the draft from it. Every form carries the draft's revision: a post made from an
outdated page is refused with what was typed kept, never applied over another edit.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from flask import abort, current_app, render_template, request, url_for

from surveyapp.questionnaire import checking
from surveyapp.questionnaire import editing_forms as ef
from surveyapp.questionnaire.catalog import Catalog
from surveyapp.questionnaire.editing import Document
from surveyapp.questionnaire.model import Definition
from surveyapp.questionnaire.reader import CODE
from surveyapp.questionnaire.types import REGISTRY
from surveyapp.store import builder_drafts, definitions
from surveyapp.web import catalog, get_db, open_definition
from surveyapp.web.admin import auth
from surveyapp.web.admin.sharing import public_link  # noqa: F401 - the builder's views use it

CONFLICT = (
    "The draft was changed (in another tab or by another admin) after this page was "
    "shown, so nothing was saved. What you typed is below: reload the editor, then make "
    "the change again."
)
# How the builder shows each key a question type may declare (a key not listed here is
# a plain text field); `noun` names one entry of a list key.
KEY_FIELDS: dict[str, dict[str, str]] = {
    "scale": {"label": "Shared scale", "kind": "scale",
              "hint": "Edit scales in the outline; the first option is the top box."},
    "options": {"label": "Options", "kind": "entries", "noun": "option"},
    "items": {"label": "Items (rated one by one on the scale)", "kind": "entries",
              "noun": "item"},
    "min_picks": {"label": "Fewest options to pick", "kind": "whole",
                  "hint": "Empty: no lower limit."},
    "max_picks": {"label": "Most options to pick", "kind": "whole",
                  "hint": "Empty: no upper limit."},
    "max_length": {"label": "Longest answer, in characters", "kind": "whole",
                   "hint": "Empty: the type's default."},
    "min": {"label": "Smallest answer allowed", "kind": "decimal", "hint": "Empty: no limit."},
    "max": {"label": "Largest answer allowed", "kind": "decimal", "hint": "Empty: no limit."},
    "integer": {"label": "Whole numbers only", "kind": "boolean", "hint": ""},
    "max_ranks": {"label": "How many options to rank", "kind": "whole",
                  "hint": "Empty: all of them (otherwise the top ones only)."},
}  # fmt: skip
TYPE_CHOICES = [(name, name.replace("_", " ")) for name in REGISTRY]


@dataclass(frozen=True)
class State:
    """A questionnaire as the builder sees it: the text being edited (the draft's, or
    the published one's when there is no draft yet) and its revision (0: no draft)."""

    survey: str
    text: str
    revision: int
    draft: builder_drafts.Draft | None
    published: Definition | None

    @cached_property
    def checked(self) -> checking.Checked:
        return checking.check_text(self.text, self.survey)


def published(survey_id: str) -> Definition | None:
    """The definition an edit starts from: the open edition's, else the newest."""
    if survey_id not in catalog():
        return None
    return open_definition(survey_id) or catalog().latest(survey_id)


def load(survey_id: str) -> State:
    """The questionnaire's state; 404 when it has neither a draft nor a published version."""
    if not CODE.match(survey_id):
        abort(404, f"No questionnaire {survey_id!r}.")
    draft = builder_drafts.get(get_db(), survey_id)
    definition = published(survey_id)
    if draft is not None:
        return State(survey_id, draft.text, draft.revision, draft, definition)
    if definition is None:
        abort(404, f"No questionnaire {survey_id!r}.")
    return State(survey_id, definition.text, 0, None, definition)


def posted_revision() -> int:
    text = request.form.get("revision", "")
    if not (text.isascii() and text.isdigit()) or len(text) > 12:
        abort(400, "The form lacks the draft's revision: reload the page.")
    return int(text)


def save_text(state: State, text: str) -> bool:
    """Store the text as the draft, from the revision the form was shown with; False
    when the draft changed meanwhile (nothing is stored then)."""
    base = state.draft.base_version if state.draft else None
    before = None
    if state.draft is None and state.published is not None:
        base, before = state.published.version, state.published.text
    try:
        builder_drafts.save(get_db(), state.survey, text, auth.actor(), posted_revision(), base,
                            before)  # fmt: skip
    except builder_drafts.DraftConflict:
        return False
    return True


def save_document(state: State, doc: Document) -> bool:
    return save_text(state, checking.text_of(doc))


def where_url(survey_id: str, where: ef.Where, doc: Document) -> str:
    """The URL of a builder view (and the element to show there)."""
    anchor = f"#{where.anchor}" if where.anchor else ""
    if where.view == "question":
        return url_for("admin.builder_question", survey_id=survey_id, p=where.p, q=where.q) + anchor
    if where.view == "scale" and where.name in doc.get("scales", {}):
        index = list(doc["scales"]).index(where.name)
        return url_for("admin.builder_scale", survey_id=survey_id, index=index) + anchor
    if where.view == "settings":
        return url_for("admin.builder_settings", survey_id=survey_id) + anchor
    return url_for("admin.builder_edit", survey_id=survey_id) + anchor


def problem_links(state: State, checked: checking.Checked) -> dict[str, str]:
    """{key path: URL of the field where it is fixed} for every problem."""
    doc, _why = checking.document_of(state.text)
    if doc is None:
        text_url = url_for("admin.builder_text", survey_id=state.survey)
        return {p.path: text_url for p in checked.problems}
    return {p.path: where_url(state.survey, checking.problem_where(doc, p.path), doc)
            for p in checked.problems}  # fmt: skip


def page(template: str, state: State, status: int = 200, **context: Any):
    """Render a builder page: the state, its problems, what was typed (on a refused
    post) and messages refused at fields (`refused`: {field name: message})."""
    checked = state.checked
    context.setdefault("links", problem_links(state, checked))
    context.setdefault("typed", request.form if request.method == "POST" else {})
    context.setdefault("refused", {})
    context.setdefault("notice", "")
    title = checked.definition.title if checked.definition else state.survey
    return render_template(
        f"admin/builder/{template}", state=state, checked=checked, survey=state.survey,
        survey_title=title, type_choices=TYPE_CHOICES, **context,
    ), status  # fmt: skip


def refused_page(template: str, state: State, field: str, message: str, **context: Any):
    """The form again with what was typed and `message` at `field` (422), or the
    conflict notice (409) when the draft changed meanwhile."""
    if field == "revision":
        return page(template, state, 409, notice=CONFLICT, **context)
    return page(template, state, 422, refused={field: message}, notice=message, **context)


def render_plain(template: str, status: int = 200, **context: Any):
    """Render a builder page that shows no draft (the list, a new questionnaire)."""
    context.setdefault("typed", {})
    return render_template(
        f"admin/builder/{template}", type_choices=TYPE_CHOICES, **context
    ), status


def version_text(survey_id: str, version: str) -> str:
    """The text of one published version of this questionnaire; 404 for any other."""
    known = {row["version"] for row in definitions.versions(get_db(), survey_id)}
    text = definitions.version_text(get_db(), version) if version in known else None
    if text is None:
        abort(404, f"{survey_id} has no version {version!r}.")
    return text


def refreshed_catalog() -> Catalog:
    """The catalogue with what this request has just published."""
    live = current_app.extensions.get("live_catalog")
    if live is not None:
        current_app.extensions["surveys"] = live.current(get_db())
    return catalog()
