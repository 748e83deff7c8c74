"""Exports through the API: the admin pages' downloads (CSV, JSON Lines, XLSX, SPSS .sav,
Stata .dta, with the weight column where the edition is weighted) and the codebook,
streamed, audited, and reached under the responses page's rule (admin role)."""

from __future__ import annotations

from surveyapp.exchange import export
from surveyapp.web.admin.exports import codebook_download, export_download
from surveyapp.web.api.figures import EDITION, SINCE, UNTIL
from surveyapp.web.api.questionnaires import editions_or_404
from surveyapp.web.api.spec import Param, Reply, operations

TAG = "responses"
read = operations(TAG)[0]
FILE = {"type": "string", "format": "binary"}
FORMAT = Param("fmt", {"enum": sorted(export.STREAMS)}, "The file format.", where="path")
LABELS = Param(
    "labels",
    {"type": "string"},
    "1: option labels instead of codes (CSV, JSON Lines, XLSX; SPSS and Stata files have"
    " both always).",
)
MEDIA = {fmt: kind.split(";")[0] for fmt, kind in export.FORMATS.items()}


@read(
    "/questionnaires/<survey_id>/export.<fmt>",
    summary="Every response as a file",
    mirrors="admin.export_file",
    params=(FORMAT, EDITION, SINCE, UNTIL, LABELS),
    description="The admin page's export, streamed; `sav` and `dta` as in the README's"
    " Statistical files.",
    replies={
        200: Reply(
            "The file",
            FILE,
            MEDIA["csv"],
            also=tuple((MEDIA[f], FILE) for f in sorted(MEDIA) if f != "csv"),
        )
    },
)
def export_file(survey_id: str, fmt: str):
    editions_or_404(survey_id)
    return export_download(survey_id, fmt)


@read(
    "/questionnaires/<survey_id>/codebook.csv",
    summary="The codebook",
    mirrors="admin.codebook",
    params=(EDITION, SINCE, UNTIL),
    replies={200: Reply("Every column and code, with labels", FILE, MEDIA["csv"])},
)
def codebook(survey_id: str):
    editions_or_404(survey_id)
    return codebook_download(survey_id)
