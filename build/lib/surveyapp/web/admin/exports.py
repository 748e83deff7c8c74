"""Downloads: every response as CSV, JSON Lines, XLSX, SPSS (.sav) or Stata (.dta), and the
codebook, all streamed. When an edition has weighting targets, each format has a weight
column (surveyapp.figures.weighted_views).

An export reads through its own connection, closed when the download ends, so a
long download never shares the request thread's connection."""

from __future__ import annotations

from collections.abc import Iterator

from flask import Response, abort, current_app, request

from surveyapp import store
from surveyapp.exchange import export
from surveyapp.figures import weighted_views
from surveyapp.store import audit, counts
from surveyapp.store.filters import Filters
from surveyapp.web import get_db
from surveyapp.web.admin import auth, bp
from surveyapp.web.admin.common import editions_or_404, request_filters

# Their values are always codes' numbers with the option labels attached: no labels=1 file.
STATISTICAL = frozenset({"sav", "dta"})


def _download(chunks: Iterator, filename: str, mimetype: str) -> Response:
    response = Response(chunks, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Accel-Buffering"] = "no"
    return response


def record_export(
    survey: str, fmt: str, filters: Filters, rows: int | None, **extra: object
) -> None:
    """Audit a download when it starts; `rows` is counted just before streaming. A HEAD
    request sends no body, so it exports nothing and is not recorded. A database refusing
    the entry (full disk) does not stop the download: the failure is logged."""
    if request.method == "HEAD":
        return
    audit.record_or_log(get_db(), auth.actor(), "export", survey=survey, format=fmt,
                        filter=filters.query_args(), rows=rows, **extra)  # fmt: skip


@bp.get("/surveys/<survey_id>/export.<fmt>")
@auth.login_required
def export_file(survey_id: str, fmt: str):
    return export_download(survey_id, fmt)


def export_download(survey_id: str, fmt: str) -> Response:
    """The streamed download of the request's filters (the page and the API's alike)."""
    if fmt not in export.STREAMS:
        abort(404)
    editions = editions_or_404(survey_id)
    filters = request_filters()
    if filters.edition is not None and filters.edition not in editions:
        abort(404, f"No edition {filters.edition}.")
    labels = request.args.get("labels") == "1" and fmt not in STATISTICAL
    path = current_app.config["DATABASE"]
    rows = counts.response_count(get_db(), survey_id, filters)
    weights = weighted_views.weigher(get_db(), editions, filters)
    record_export(survey_id, fmt, filters, rows, labels=labels)

    def chunks():
        db = store.connect(path)
        try:
            yield from export.STREAMS[fmt](db, survey_id, editions, filters, labels, weights)
        finally:
            db.close()

    suffix = "-labels" if labels else ""
    return _download(chunks(), f"{survey_id}{suffix}.{fmt}", export.FORMATS[fmt])


@bp.get("/surveys/<survey_id>/codebook.csv")
@auth.login_required
def codebook(survey_id: str):
    return codebook_download(survey_id)


def codebook_download(survey_id: str) -> Response:
    editions = editions_or_404(survey_id)
    filters = request_filters()
    record_export(survey_id, "codebook", filters, None)
    weights = weighted_views.weigher(get_db(), editions, filters)
    return _download(export.codebook_csv(editions, filters, weights), f"{survey_id}-codebook.csv",
                     export.FORMATS["csv"])  # fmt: skip
