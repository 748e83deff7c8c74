"""A questionnaire's own look on the respondent pages: its logo and its accent colour
(a stylesheet per colour: the CSP allows no inline style) served by us, and
organisers' Markdown texts rendered safe for templates."""

from __future__ import annotations

from flask import Response, abort, current_app
from markupsafe import Markup

from surveyapp.questionnaire import markdown
from surveyapp.questionnaire.branding import LOGO_ID, accent_problem
from surveyapp.store import logos
from surveyapp.web import get_db
from surveyapp.web.survey import bp
from surveyapp.web.wording import N_

FOREVER = "public, max-age=31536000, immutable"  # both are named by what they hold


@bp.app_template_filter("markdown")
def markdown_filter(text: str) -> Markup:
    return Markup(markdown.render(text or ""))  # noqa: S704 - sanitised by nh3


@bp.get("/logo/<name>")
def logo(name: str):
    found = logos.get(get_db(), name) if LOGO_ID.fullmatch(name) else None
    if found is None:
        abort(404, N_("There is no such logo."))  # translated by the error page
    content_type, data = found
    response = Response(data, content_type=content_type)
    response.headers["Cache-Control"] = FOREVER
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = "inline"
    response.set_etag(name)
    return response


@bp.get("/accent/<colour>.css")
def accent_css(colour: str):
    """The accent as a custom property; named by the colour, so previews of drafts have
    theirs too. Only a colour the definition check accepts is served."""
    if accent_problem(f"#{colour}") or colour != colour.lower():
        abort(404, N_("There is no such stylesheet."))
    css = f":root {{ --accent: #{colour}; }}\n"
    response = current_app.response_class(css, content_type="text/css; charset=utf-8")
    response.headers["Cache-Control"] = FOREVER
    return response
