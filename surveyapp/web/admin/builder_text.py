"""The draft as text: the YAML editor (problems shown by line), uploading a YAML file or
an XLSForm into the draft (size-capped), downloading the draft or a published version
as YAML or XLSForm."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePath

from flask import Response, abort, current_app, request

from surveyapp.questionnaire import checking
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
        size = f"{limit // 1024} KiB" if limit >= 1024 else f"{limit} bytes"
        return b"", upload.filename, [f"The file is larger than {size}."]
    return data, PurePath(upload.filename).name, []


@dataclass
class Upload:
    """An uploaded definition as YAML text ("" when it cannot be read, with every problem)."""

    text: str = ""
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    xlsform: bool = False


def uploaded_text(edition: int | None = None) -> Upload:
    """The uploaded file as YAML text: an XLSForm (by its name or content) is converted."""
    data, name, problems = _read_upload()
    if problems:
        return Upload(problems=problems)
    if name.lower().endswith(".xlsx") or data.startswith(XLSX_MAGIC):
        # pyxform and openpyxl load on first use: every process (each server start, each
        # command) otherwise pays for importing them
        from surveyapp.questionnaire.xlsform import XLSFormError, read_xlsform

        try:
            imported = read_xlsform(data, name, edition)
        except XLSFormError as exc:
            return Upload(problems=exc.errors, xlsform=True)
        return Upload(imported.text, warnings=list(imported.warnings), xlsform=True)
    try:
        return Upload(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        return Upload(problems=[f"{name}: not UTF-8 text; upload YAML as UTF-8, or an XLSForm"])


def _own_id(upload: Upload, survey_id: str) -> str:
    """An XLSForm's text with this questionnaire's id (its form_id is often a file name)."""
    doc, _why = checking.document_of(upload.text)
    if not upload.xlsform or doc is None or doc.get("id") == survey_id:
        return upload.text
    upload.warnings.append(f"The file's id {doc.get('id')!r} became {survey_id!r}.")
    doc["id"] = survey_id
    return checking.text_of(doc)


def _edition_of(state: common.State) -> int | None:
    definition = state.checked.definition or state.published
    return definition.edition if definition else None


def _page(state: common.State, status: int = 200, **context):
    return common.page("text.html", state, status, upload_limit=upload_limit(), **context)


@bp.route("/questionnaires/<survey_id>/text", methods=["GET", "POST"])
def builder_text(survey_id: str):
    state = common.load(survey_id)
    if request.method == "GET":
        return _page(state, text=state.text)
    text = request.form.get("text", "").replace("\r\n", "\n")
    if not common.save_text(state, text):
        return _page(state, 409, notice=common.CONFLICT, text=text)
    state = common.load(survey_id)
    saved = "Saved." if state.checked.ok else "Saved, with the problems listed."
    return _page(state, text=state.text, saved=saved)


@bp.post("/questionnaires/<survey_id>/upload")
def builder_upload(survey_id: str):
    """Replace the draft's text by an uploaded YAML file or XLSForm (an XLSForm keeps
    this questionnaire's id)."""
    state = common.load(survey_id)
    upload = uploaded_text(_edition_of(state))
    if upload.problems:
        return _page(state, 422, text=state.text, upload_problems=upload.problems)
    if not common.save_text(state, _own_id(upload, survey_id)):
        return _page(state, 409, notice=common.CONFLICT, text=state.text)
    state = common.load(survey_id)
    return _page(state, text=state.text, saved="Uploaded into the draft.",
                 warnings=upload.warnings)  # fmt: skip


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
        from surveyapp.questionnaire.xlsform import ExportError, definition_to_xlsform

        try:
            body = definition_to_xlsform(definition)
        except ExportError as exc:
            abort(422, str(exc))
    response = Response(body, mimetype=DOWNLOADS[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
