"""The draft as text: the YAML editor (problems shown by line), uploading a YAML file or
an XLSForm into the draft (size-capped), downloading the draft or a published version
as YAML or XLSForm."""

from __future__ import annotations

from pathlib import PurePath

from flask import Response, abort, current_app, request

from surveyapp.questionnaire import checking
from surveyapp.questionnaire.xlsform import (
    ExportError,
    XLSFormError,
    definition_to_xlsform,
    read_xlsform,
)
from surveyapp.web.admin import bp
from surveyapp.web.admin import builder_common as common

DOWNLOADS = {
    "yaml": "application/yaml; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
XLSX_MAGIC = b"PK\x03\x04"


def upload_limit() -> int:
    return int(current_app.config.get("BUILDER_UPLOAD_MAX_BYTES", 512 * 1024))


def _read_upload() -> tuple[bytes, str, list[str]]:
    """(the uploaded bytes, the file name, problems) of the `file` field, size-capped."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return b"", "", ["Choose a YAML (.yaml) or XLSForm (.xlsx) file."]
    limit = upload_limit()
    try:
        data = upload.stream.read(limit + 1)
    finally:
        upload.close()
    if len(data) > limit:
        return b"", upload.filename, [f"The file is larger than {limit // 1024} KiB."]
    return data, PurePath(upload.filename).name, []


def uploaded_text(edition: int | None = None) -> tuple[str, list[str], list[str]]:
    """(the YAML text of the uploaded file, problems, warnings): an XLSForm (by its
    name or content) is converted; "" and every problem when it cannot be read."""
    data, name, problems = _read_upload()
    if problems:
        return "", problems, []
    if name.lower().endswith(".xlsx") or data.startswith(XLSX_MAGIC):
        try:
            imported = read_xlsform(data, name, edition)
        except XLSFormError as exc:
            return "", exc.errors, []
        return imported.text, [], imported.warnings
    try:
        return data.decode("utf-8-sig"), [], []
    except UnicodeDecodeError:
        return "", [f"{name}: not UTF-8 text; upload YAML as UTF-8, or an .xlsx XLSForm"], []


def _edition_of(state: common.State) -> int | None:
    definition = state.checked.definition or state.published
    return definition.edition if definition else None


@bp.route("/questionnaires/<survey_id>/text", methods=["GET", "POST"])
def builder_text(survey_id: str):
    state = common.load(survey_id)
    if request.method == "GET":
        return common.page("text.html", state, text=state.text)
    text = request.form.get("text", "").replace("\r\n", "\n")
    if not common.save_text(state, text):
        return common.page("text.html", state, 409, notice=common.CONFLICT, text=text)
    state = common.load(survey_id)
    saved = "Saved." if state.checked.ok else "Saved, with the problems listed."
    return common.page("text.html", state, text=state.text, saved=saved)


@bp.post("/questionnaires/<survey_id>/upload")
def builder_upload(survey_id: str):
    """Replace the draft's text by an uploaded YAML file or XLSForm (an XLSForm keeps
    this questionnaire's id)."""
    state = common.load(survey_id)
    text, problems, warnings = uploaded_text(_edition_of(state))
    if problems:
        return common.page("text.html", state, 422, text=state.text, upload_problems=problems)
    doc, _why = checking.document_of(text)
    if doc is not None and request.files["file"].filename.lower().endswith(".xlsx"):
        if doc.get("id") != survey_id:
            warnings.append(f"The file's id {doc.get('id')!r} became {survey_id!r}.")
            doc["id"] = survey_id
            text = checking.text_of(doc)
    if not common.save_text(state, text):
        return common.page("text.html", state, 409, notice=common.CONFLICT, text=state.text)
    state = common.load(survey_id)
    return common.page("text.html", state, text=state.text, saved="Uploaded into the draft.",
                       warnings=warnings)  # fmt: skip


@bp.get("/questionnaires/<survey_id>/download.<fmt>")
def builder_download(survey_id: str, fmt: str):
    """The draft (or `?version=` a published version) as YAML or as an XLSForm."""
    if fmt not in DOWNLOADS:
        abort(404)
    state = common.load(survey_id)
    version = request.args.get("version", "")
    text = common.version_text(survey_id, version) if version else state.text
    name = f"{survey_id}{'-' + version if version else '-draft'}.{fmt}"
    if fmt == "yaml":
        body: bytes = text.encode("utf-8")
    else:
        definition = checking.check_text(text).definition
        if definition is None:
            abort(422, "The draft has problems: fix them (see the editor) to export an XLSForm.")
        try:
            body = definition_to_xlsform(definition)
        except ExportError as exc:
            abort(422, str(exc))
    response = Response(body, mimetype=DOWNLOADS[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
