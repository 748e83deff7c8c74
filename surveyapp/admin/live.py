"""Live admin pages: the dashboard and a questionnaire's tallies, plus the tallies JSON.

A page embeds its figures rendered by a partial template; static/admin.js polls the
same URL with ?partial=1 and If-None-Match, so an unchanged page costs a 304 and no
request waits on the server (nothing holds a worker between polls)."""

from __future__ import annotations

import json

from flask import render_template, request
from markupsafe import Markup
from werkzeug.http import generate_etag, quote_etag

from surveyapp import tallies
from surveyapp.admin import auth
from surveyapp.admin.common import (
    bp,
    chosen_definition,
    conditional,
    editions_or_404,
    request_filters,
)
from surveyapp.web import catalog, get_db

ORDERS = {"definition": "definition order", "top2": "top-2-box", "top": "top-box"}
POLL_MS = 1000


def _live(page: str, partial: str, **context):
    """The partial alone (for polling, with ETag/304) or the whole page around it."""
    body = render_template(partial, **context)
    if request.args.get("partial") == "1":
        return conditional(body, "text/html")
    etag = quote_etag(generate_etag(body.encode()))
    page_body = render_template(page, live=Markup(body), etag=etag, poll_ms=POLL_MS, **context)  # noqa: S704 - our own rendered template
    return conditional(page_body, "text/html")


@bp.get("/")
@auth.login_required
def dashboard():
    surveys = catalog()
    figures = tallies.dashboard(get_db(), sorted(surveys))
    rows = [(surveys[s][max(surveys[s])], sorted(surveys[s]), figures[s]) for s in sorted(surveys)]
    return _live("admin/dashboard.html", "admin/_dashboard_live.html", rows=rows)


@bp.get("/surveys/<survey_id>")
@auth.login_required
def survey(survey_id: str):
    editions = editions_or_404(survey_id)
    filters = request_filters()
    definition = chosen_definition(editions, filters)
    result = tallies.tallies(get_db(), definition, filters)
    order = request.args.get("order", "definition")
    if order not in ORDERS:
        order = "definition"
    ranked = tallies.rankings(definition, result)
    sorted_items = {qid: tallies.ordered(rows, order) for qid, rows in ranked.items()}
    return _live(
        "admin/survey.html",
        "admin/_tallies_live.html",
        definition=definition,
        editions=sorted(editions),
        filters=filters,
        result=result,
        ranked=sorted_items,
        order=order,
        orders=ORDERS,
    )


@bp.get("/surveys/<survey_id>/tallies.json")
@auth.login_required
def tallies_json(survey_id: str):
    editions = editions_or_404(survey_id)
    filters = request_filters()
    definition = chosen_definition(editions, filters)
    result = tallies.tallies(get_db(), definition, filters)
    return conditional(json.dumps(result, ensure_ascii=False), "application/json")
