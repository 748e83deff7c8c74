"""A questionnaire's public link and its QR code (drawn here by segno): shown in the
builder, on the dashboard and on the questionnaire's page. Only an edition open to
anyone has a public link; an invitation-only one is reached through invitations."""

from __future__ import annotations

import io
from typing import Any

import segno
from flask import Response, abort, current_app, request, url_for

from surveyapp.web import catalog, open_definition
from surveyapp.web.admin import auth, bp

QR_KINDS = {"png": "image/png", "svg": "image/svg+xml"}


def public_link(survey_id: str) -> str:
    """The address respondents open (PUBLIC_URL + /s/<id>)."""
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    return base + url_for("survey.page", survey_id=survey_id)


def link_state(survey_id: str) -> dict[str, Any]:
    """What the questionnaire's public link does now: `state` is 'open' (with `link`),
    'invitation' (the open edition takes invitations only) or 'closed' (no edition open)."""
    opened = open_definition(survey_id)
    if opened is None:
        return {"state": "closed", "link": "", "edition": None}
    if opened.access == "invitation":
        return {"state": "invitation", "link": "", "edition": opened.edition}
    return {"state": "open", "link": public_link(survey_id), "edition": opened.edition}


def qr_code(link: str, kind: str) -> bytes:
    """`link` as a QR code image: SVG (scale 4) or PNG (scale 8), medium error correction."""
    code = segno.make(link, error="m")
    buffer = io.BytesIO()
    if kind == "svg":
        code.save(buffer, kind="svg", scale=4, border=4, xmldecl=False, title="QR code")
    else:
        code.save(buffer, kind="png", scale=8, border=4)
    return buffer.getvalue()


def qr_response(survey_id: str, kind: str) -> Response:
    """The public link of a questionnaire as a QR code image; `download=1` saves it."""
    if kind not in QR_KINDS or survey_id not in catalog():
        abort(404)
    response = Response(qr_code(public_link(survey_id), kind), mimetype=QR_KINDS[kind])
    response.headers["Cache-Control"] = "private, max-age=300"
    if request.args.get("download") == "1":
        response.headers["Content-Disposition"] = f'attachment; filename="{survey_id}-qr.{kind}"'
    return response


@bp.get("/surveys/<survey_id>/qr.<kind>")
@auth.login_required
def public_qr(survey_id: str, kind: str):
    """The public link as a QR code for the dashboard, viewers included (the builder's
    own route is for admins)."""
    return qr_response(survey_id, kind)
