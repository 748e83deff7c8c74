"""Downloads: every response as CSV, JSON Lines or XLSX, and the codebook, all streamed.

An export reads through its own connection, closed when the download ends, so a
long download never shares the request thread's connection."""

from __future__ import annotations

from collections.abc import Iterator

from flask import Response, abort, current_app, request

from surveyapp import db as storage
from surveyapp import export
from surveyapp.admin import auth
from surveyapp.admin.common import bp, editions_or_404, request_filters


def _download(chunks: Iterator, filename: str, mimetype: str) -> Response:
    response = Response(chunks, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Accel-Buffering"] = "no"
    return response


@bp.get("/surveys/<survey_id>/export.<fmt>")
@auth.login_required
def export_file(survey_id: str, fmt: str):
    if fmt not in export.STREAMS:
        abort(404)
    editions = editions_or_404(survey_id)
    filters = request_filters()
    if filters.edition is not None and filters.edition not in editions:
        abort(404, f"No edition {filters.edition}.")
    labels = request.args.get("labels") == "1"
    path = current_app.config["DATABASE"]

    def chunks():
        db = storage.connect(path)
        try:
            yield from export.STREAMS[fmt](db, survey_id, editions, filters, labels)
        finally:
            db.close()

    suffix = "-labels" if labels else ""
    return _download(chunks(), f"{survey_id}{suffix}.{fmt}", export.FORMATS[fmt])


@bp.get("/surveys/<survey_id>/codebook.csv")
@auth.login_required
def codebook(survey_id: str):
    editions = editions_or_404(survey_id)
    filters = request_filters()
    return _download(
        export.codebook_csv(editions, filters), f"{survey_id}-codebook.csv", export.FORMATS["csv"]
    )
