"""The builder's form editor: the outline (settings, shared scales, pages and their
questions), a question's form, a scale's form and the settings form. Every action is a
form post (CSRF-checked by CSRFProtect) that saves what was typed, then performs the
button pressed, and redirects to the changed place; `check` answers the same post with
the problems it would leave, storing nothing (static/builder.js shows them as you type).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, jsonify, redirect, request, url_for

from surveyapp.questionnaire import checking
from surveyapp.questionnaire import editing as ed
from surveyapp.questionnaire import editing_forms as ef
from surveyapp.questionnaire.editing_texts import shown as in_default_language
from surveyapp.questionnaire.types import REGISTRY
from surveyapp.store import audit, builder_drafts
from surveyapp.web import get_db
from surveyapp.web.admin import auth, bp
from surveyapp.web.admin import builder_common as common

DELETIONS = {"page_delete": "page", "question_delete": "question", "scale_delete": "scale",
             "delete": "question"}  # fmt: skip


def _action() -> str:
    return request.form.get("action", "save")


def _editable(state: common.State) -> ed.Document:
    doc, why = checking.document_of(state.text)
    if doc is None:
        abort(409, f"{why} Fix it in the YAML text editor first.")
    return doc


def _apply(state: common.State, template: str, change: Callable[[ed.Document], ef.Where],
           **context):  # fmt: skip
    """Apply a post to the draft: save and redirect, or the form again with what was
    typed and the reason (a refused edit, or a draft changed meanwhile)."""
    doc = _editable(state)
    shown = in_default_language(doc)  # the forms show and edit the default language
    if common.posted_revision() != state.revision:
        return common.refused_page(template, state, "revision", "", doc=shown, **context)
    try:
        where = change(doc)
    except ed.EditError as exc:
        return common.refused_page(template, state, exc.field, exc.message, doc=shown, **context)
    if not common.save_document(state, doc):
        return common.refused_page(template, state, "revision", "", doc=shown, **context)
    _audit_deletion(state.survey, _action())
    return redirect(common.where_url(state.survey, where, doc), code=303)


def _audit_deletion(survey_id: str, action: str) -> None:
    verb, _, target = action.partition(":")
    what = DELETIONS.get(verb) or ("option" if verb.endswith("_delete") else "")
    if what:
        audit.record(get_db(), auth.actor(), "builder_delete", survey=survey_id, what=what,
                     target=target)  # fmt: skip


@bp.route("/questionnaires/<survey_id>", methods=["GET", "POST"])
def builder_edit(survey_id: str):
    state = common.load(survey_id)
    if request.method == "POST":
        return _apply(state, "editor.html", lambda doc: ef.apply_outline(doc, request.form,
                                                                          _action()))  # fmt: skip
    doc, why = checking.document_of(state.text)
    shown = in_default_language(doc) if doc is not None else None
    return common.page("editor.html", state, doc=shown, why=why)


@bp.route("/questionnaires/<survey_id>/settings", methods=["GET", "POST"])
def builder_settings(survey_id: str):
    state = common.load(survey_id)
    if request.method == "POST":

        def change(doc: ed.Document) -> ef.Where:
            ef.apply_settings(doc, request.form)
            return ef.Where("settings")

        return _apply(state, "settings.html", change)
    return common.page("settings.html", state, doc=in_default_language(_editable(state)))


@bp.route("/questionnaires/<survey_id>/pages/<int:p>/questions/<int:q>", methods=["GET", "POST"])
def builder_question(survey_id: str, p: int, q: int):
    state = common.load(survey_id)
    doc = _editable(state)
    try:
        ed.question(doc, p, q)
    except ed.EditError:
        abort(404, f"Page {p + 1} has no question {q + 1} (any more): see the outline.")
    context = _question_context(in_default_language(doc), p, q)
    if request.method == "POST":
        where = ef.Where("question", p, q)
        return _apply(
            state,
            "question.html",
            lambda d: ef.question_action(d, where, request.form, _action()),
            **context,
        )
    return common.page("question.html", state, doc=in_default_language(doc), **context)


def _question_context(doc: ed.Document, p: int, q: int) -> dict:
    qtype = REGISTRY.get(str(ed.question(doc, p, q).get("type")))
    keys = ef.ordered_keys(qtype.keys) if qtype else []
    pages = [(str(i), f"Page {i + 1}: {pg.get('title', '')}") for i, pg in enumerate(ed.pages(doc))]
    return {
        "p": p, "q": q, "keys": keys, "key_fields": common.KEY_FIELDS,
        "shown": [k for k in keys if k not in ef.LIST_KEYS],
        "default_required": qtype.default_required if qtype else False,
        "scale_choices": [(n, n) for n in doc.get("scales") or {}], "page_choices": pages,
    }  # fmt: skip


@bp.route("/questionnaires/<survey_id>/scales/<int:index>", methods=["GET", "POST"])
def builder_scale(survey_id: str, index: int):
    state = common.load(survey_id)
    doc = _editable(state)
    names = list(ed.scales(doc))
    if not 0 <= index < len(names):
        abort(404, "There is no such scale (any more): see the outline.")
    context = {"index": index, "name": names[index], "users": ed.scale_users(doc, names[index])}
    if request.method == "POST":
        where = ef.Where("scale", name=names[index])
        return _apply(
            state,
            "scale.html",
            lambda d: ef.scale_action(d, where, request.form, _action()),
            **context,
        )
    return common.page("scale.html", state, doc=in_default_language(doc), **context)


@bp.post("/questionnaires/<survey_id>/check")
def builder_check(survey_id: str):
    """The problems the posted form would leave, by key path; nothing is stored."""
    state = common.load(survey_id)
    doc, why = checking.document_of(state.text)
    if doc is None:
        return jsonify(problems={"": [why]}, refused={})
    view = request.form.get("view", "outline")
    try:
        _check_change(doc, view)
    except ed.EditError as exc:
        return jsonify(problems={}, refused={exc.field: exc.message})
    return jsonify(problems=checking.check_text(checking.text_of(doc), survey_id).by_path(),
                   refused={})  # fmt: skip


def _check_change(doc: ed.Document, view: str) -> None:
    """Apply the posted form as its Save button would."""
    form = request.form
    if view == "settings":
        ef.apply_settings(doc, form)
    elif view == "question":
        p, q = ef.position(form.get("p", "")), ef.position(form.get("q", ""))
        ef.question_action(doc, ef.Where("question", p, q), form, "save")
    elif view == "scale":
        ef.scale_action(doc, ef.Where("scale", name=form.get("scale-name", "")), form, "save")
    else:
        ef.apply_outline(doc, form, "save")


@bp.post("/questionnaires/<survey_id>/undo")
def builder_undo(survey_id: str):
    state = common.load(survey_id)
    try:
        builder_drafts.undo(get_db(), survey_id, auth.actor(), common.posted_revision())
    except builder_drafts.DraftConflict:
        abort(409, "Nothing to undo, or the draft changed since the page was shown: reload it.")
    return redirect(url_for("admin.builder_edit", survey_id=state.survey), code=303)


@bp.post("/questionnaires/<survey_id>/discard")
def builder_discard(survey_id: str):
    """Throw the draft away: the builder shows the published version again (a
    questionnaire never published is gone)."""
    state = common.load(survey_id)
    if state.draft is None:
        return redirect(url_for("admin.builder_edit", survey_id=survey_id), code=303)
    if not builder_drafts.delete(get_db(), survey_id, common.posted_revision()):
        abort(409, "The draft changed since the page was shown: reload it.")
    audit.record(get_db(), auth.actor(), "draft_discard", survey=survey_id,
                 base_version=state.draft.base_version)  # fmt: skip
    if state.published is None:
        return redirect(url_for("admin.builder_list"), code=303)
    return redirect(url_for("admin.builder_edit", survey_id=survey_id), code=303)
