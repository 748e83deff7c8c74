"""The builder's front door (`/admin/questionnaires`, admin role): every questionnaire with
its editions, status, responses and public link (with a QR code drawn by segno), and
creating a questionnaire, empty or from a YAML or XLSForm file."""

from __future__ import annotations

import datetime

from flask import abort, redirect, request, url_for

from surveyapp.questionnaire import checking
from surveyapp.questionnaire.editing import new_document
from surveyapp.questionnaire.editing_texts import default_language, default_text
from surveyapp.questionnaire.reader import CODE
from surveyapp.store import builder_drafts
from surveyapp.web import catalog, get_db
from surveyapp.web.admin import auth, bp, sharing
from surveyapp.web.admin import builder_common as common
from surveyapp.web.admin import builder_text as text_views
from surveyapp.web.admin.editions import edition_rows

NEW_FIELDS = ("id", "title", "edition", "audience")


def _rows() -> list[dict]:
    drafts = builder_drafts.all_drafts(get_db())
    rows = []
    for survey_id in sorted(set(catalog()) | set(drafts)):
        latest = catalog().latest(survey_id)
        draft = drafts.get(survey_id)
        rows.append({
            "id": survey_id,
            "title": latest.title if latest else _draft_title(draft),
            "editions": edition_rows(survey_id) if latest else [],
            "draft": draft,
            "link": common.public_link(survey_id) if latest else "",
        })  # fmt: skip
    return rows


def _draft_title(draft: builder_drafts.Draft | None) -> str:
    doc, _problem = checking.document_of(draft.text) if draft else (None, "")
    return default_text(doc.get("title"), default_language(doc)) if doc else ""


@bp.get("/questionnaires")
def builder_list():
    return common.render_plain("list.html", rows=_rows())


@bp.get("/questionnaires/<survey_id>/qr.<kind>")
def builder_qr(survey_id: str, kind: str):
    """The public link as a QR code image (PNG or SVG)."""
    return sharing.qr_response(survey_id, kind)


def _new_problems(values: dict[str, str]) -> dict[str, str]:
    """{field: message} for a new questionnaire's settings: the loader's own checks, and
    an id no questionnaire or draft has yet."""
    problems: dict[str, str] = {}
    survey_id = values["id"]
    if CODE.match(survey_id) and (
        survey_id in catalog() or builder_drafts.get(get_db(), survey_id)
    ):
        problems["id"] = f"there is already a questionnaire {survey_id!r}"
    checked = checking.check(new_document(**_arguments(values)))
    for key in NEW_FIELDS:
        if checked.at(key) and key not in problems:
            problems[key] = " ".join(checked.at(key))
    return problems


def _arguments(values: dict[str, str]) -> dict[str, str]:
    return {"survey_id": values["id"], "title": values["title"], "edition": values["edition"],
            "audience": values["audience"]}  # fmt: skip


@bp.route("/new-questionnaire", methods=["GET", "POST"])
def builder_new():
    year = str(datetime.date.today().year)
    if request.method == "GET":
        return common.render_plain("new.html", values={"edition": year}, problems={})
    values = {key: request.form.get(key, "").strip() for key in NEW_FIELDS}
    problems = _new_problems(values)
    if problems:
        return common.render_plain("new.html", 422, values=values, problems=problems)
    text = checking.text_of(new_document(**_arguments(values)))
    try:
        builder_drafts.save(get_db(), values["id"], text, auth.actor(), revision=0)
    except builder_drafts.DraftConflict:
        problems = {"id": f"there is already a questionnaire {values['id']!r}"}
        return common.render_plain("new.html", 422, values=values, problems=problems)
    return redirect(url_for("admin.builder_edit", survey_id=values["id"]), code=303)


@bp.post("/new-questionnaire/upload")
def builder_new_upload():
    """A new questionnaire from a YAML or XLSForm file: its id comes from the file."""
    upload = text_views.uploaded_text()
    text, problems = upload.text, upload.problems
    doc, _problem = checking.document_of(text) if text else (None, "")
    survey_id = str(doc.get("id", "")) if doc else ""
    if text and not CODE.match(survey_id):
        problems = [f"id: the file gives no usable id ({survey_id!r})"]
    elif text and (survey_id in catalog() or builder_drafts.get(get_db(), survey_id)):
        problems = [f"there is already a questionnaire {survey_id!r}: open it and upload there"]
    if problems:
        year = str(datetime.date.today().year)
        return common.render_plain(
            "new.html", 422, values={"edition": year}, problems={}, upload_problems=problems
        )
    try:
        builder_drafts.save(get_db(), survey_id, text, auth.actor(), revision=0)
    except builder_drafts.DraftConflict:
        abort(409, f"There is already a questionnaire {survey_id!r}.")
    return redirect(url_for("admin.builder_text", survey_id=survey_id), code=303)
