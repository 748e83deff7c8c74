"""Importing past responses by upload (admin role; the CSRF token is checked by CSRFProtect)."""

from __future__ import annotations

from flask import current_app, render_template, request

from surveyapp.exchange import importer
from surveyapp.store import audit
from surveyapp.web import catalog, get_db
from surveyapp.web.admin import auth, bp
from surveyapp.web.admin.common import editions_or_404

IMPORT_FORMATS = {"": "from the file name", "csv": "CSV", "jsonl": "JSON Lines"}


def _form_edition() -> int | None:
    text = request.form.get("edition", "").strip()
    # isdigit() alone accepts "²" and other digits int() refuses
    return int(text) if text.isascii() and text.isdigit() and 1900 <= int(text) <= 9999 else None


@bp.route("/surveys/<survey_id>/import", methods=["GET", "POST"])
@auth.login_required(role="admin")
def import_history(survey_id: str):
    known = editions_or_404(survey_id)
    definition = catalog().latest(survey_id)
    limit = current_app.config.get("IMPORT_MAX_BYTES", 1024 * 1024)
    context = {"definition": definition, "editions": sorted(known), "formats": IMPORT_FORMATS,
               "limit": limit, "result": None, "problems": [], "chosen": {}}  # fmt: skip
    if request.method == "GET":
        return render_template("admin/import.html", **context)
    upload = request.files.get("file")
    edition = _form_edition()
    fmt = request.form.get("format", "")
    context["chosen"] = {"edition": edition, "format": fmt}
    problems = []
    if upload is None or not upload.filename:
        problems.append("Choose a file to import.")
    if edition is None:
        problems.append("Edition must be a year, e.g. 2011.")
    if fmt not in IMPORT_FORMATS:
        problems.append("Format must be CSV or JSON Lines.")
    data = b""
    if upload is not None:
        try:
            data = upload.stream.read(limit + 1)
        finally:
            upload.close()  # a large upload is spooled to a temporary file
    if len(data) > limit:
        problems.append(f"The file is larger than {limit // 1024} KiB.")
    if problems:
        context["problems"] = problems
        return render_template("admin/import.html", **context), 400
    result = importer.import_file(
        get_db(), catalog(), survey_id, edition, data, fmt or None, name=upload.filename
    )
    audit.record(get_db(), auth.actor(), "import",
                 **audit.import_details(survey_id, edition, upload.filename, result))  # fmt: skip
    context["result"] = result
    return render_template("admin/import.html", **context), 200 if result.ok else 422
