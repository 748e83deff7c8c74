"""Live admin pages: the dashboard and a questionnaire's tallies, plus the tallies JSON.

A page embeds its figures rendered by a partial template; static/admin.js polls the
same URL with ?partial=1 and If-None-Match (no request waits on the server, so nothing
holds a worker between polls). The ETag is a hash of the newest response's row id and
the URL, so an unchanged page answers 304 after one indexed lookup, without computing
or rendering any figure."""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from collections.abc import Callable
from typing import Any

from flask import Response, render_template, request
from markupsafe import Markup

from surveyapp.figures import released, tallies, weighted_views
from surveyapp.questionnaire.answers import counted_fields
from surveyapp.store import counts
from surveyapp.store.filters import Filters
from surveyapp.web import catalog, get_db, languages
from surveyapp.web.admin import auth, bp, heavy, reports, sharing
from surveyapp.web.admin import editions as edition_views
from surveyapp.web.admin.common import (
    all_editions,
    audit_filtered_read,
    conditional,
    profile_questions,
    reads_raw,
    request_segment,
    requested_edition,
)

ORDERS = {"definition": "definition order", "top2": "top-2-box", "top": "top-box"}
POLL_MS = 1000


# A restart (new definitions, templates or code) changes every ETag.
BOOT = secrets.token_hex(8)


def _mark(key: str, clock: bool, surveys: list[str]) -> str:
    """The ETag of a live partial: what the figures depend on, not the figures. A viewer's
    depend on the released responses of `surveys` alone: the ETag does not change when a
    response arrives, so polling cannot time one."""
    if reads_raw():
        parts = [BOOT, key, str(counts.change_mark(get_db()))]
        if clock:  # "last 24 hours" moves on with time alone
            parts.append(str(int(time.time() // 60)))
    else:
        parts = [BOOT, "released", key, released.mark(get_db(), catalog(), surveys)]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


def _live(
    page: str,
    partial: str,
    key: str,
    figures: Callable[[], dict[str, Any]],
    page_context: dict[str, Any] | None = None,
    clock: bool = False,
    surveys: list[str] | None = None,
):
    """The partial alone (for polling, with ETag/304) or the whole page around it;
    `key` names everything besides the stored responses that the figures depend on."""
    etag = _mark(key, clock, surveys or [])
    polling = request.args.get("partial") == "1"
    if polling and request.if_none_match.contains(etag):
        response = Response(status=304)
    else:
        context = figures()
        body = render_template(partial, **context)
        if not polling:
            body = render_template(page, live=Markup(body), etag=f'"{etag}"', poll_ms=POLL_MS,  # noqa: S704 - our own template
                                   **context, **(page_context or {}))  # fmt: skip
        response = Response(body, mimetype="text/html")
    if polling:
        response.set_etag(etag)
    return response


@bp.get("/")
@auth.login_required
def dashboard():
    surveys = catalog()

    def figures():
        if reads_raw():
            numbers = tallies.dashboard(get_db(), sorted(surveys))
        else:
            numbers = released.dashboard(get_db(), surveys)
        return {"rows": [(surveys.latest(s), sorted(every[s]), numbers[s])
                         for s in sorted(surveys)]}  # fmt: skip

    every = {s: all_editions(s) for s in surveys}
    years = {e for editions in every.values() for e in editions}
    both_sides = {e for e in years if reports.mirrored_pairs(e)}
    context: dict[str, Any] = {"both_sides": both_sides}
    if request.args.get("partial") != "1":
        context["sharing"] = {s: sharing.link_state(s) for s in sorted(surveys)}
    return _live(
        "admin/dashboard.html", "admin/_dashboard_live.html", "dashboard", figures, context,
        clock=True, surveys=sorted(surveys),
    )  # fmt: skip


@bp.get("/surveys/<survey_id>")
@auth.login_required
def survey(survey_id: str):
    editions, filters, definition = requested_edition(survey_id)
    definition = languages.for_admin(definition)
    segment = request_segment(definition)
    page_context: dict[str, Any] = {"args": filters.query_args() | segment}
    order = request.args.get("order", "definition")
    if order not in ORDERS:
        order = "definition"

    raw = reads_raw()

    def figures():
        audit_filtered_read(survey_id, filters, segment)
        result = tallies_for(definition, filters, segment)
        ranked = tallies.rankings(definition, result)
        return {
            "definition": definition, "editions": sorted(editions), "filters": filters,
            "segment": segment, "profile": profile_questions(definition) if raw else [],
            "result": result, "order": order, "orders": ORDERS, "reads_raw": raw,
            "ranked": {qid: tallies.ordered(rows, order) for qid, rows in ranked.items()},
        }  # fmt: skip

    if request.args.get("partial") != "1":
        shown = None if raw else released.edition_counts(get_db(), catalog(), survey_id)
        page_context["edition_rows"] = edition_views.edition_rows(survey_id, shown, scheduled=True)
        page_context["both_sides"] = bool(reports.mirrored_pairs(definition.edition))
        page_context["share"] = sharing.link_state(survey_id)
    key = f"survey|{survey_id}|{definition.edition}|{filters.since}|{filters.until}|{order}"
    key += "|" + json.dumps(segment, sort_keys=True) + "|" + languages.admin_key()
    return _live("admin/survey.html", "admin/_tallies_live.html", key, figures, page_context,
                 surveys=[survey_id])  # fmt: skip


def tallies_for(definition, filters, segment) -> dict[str, Any]:
    """Exact figures, weighted ones beside them when the edition has targets, for an
    account that may read raw responses (a time range or a segment is a heavy read, run
    apart); else released ones (never weighted)."""
    if not reads_raw():
        return released.edition_tallies(get_db(), definition)
    scope = Filters(definition.edition, filters.since, filters.until)
    found = heavy.run(scope.timed or bool(segment), tallies.edition_counts, definition.id,
                      scope, segment, counted_fields(definition))  # fmt: skip
    result = tallies.tallies(get_db(), definition, filters, segment, found=found)
    weighted_views.add_to_tallies(get_db(), definition, result, filters, segment)
    return result


@bp.get("/surveys/<survey_id>/tallies.json")
@auth.login_required
def tallies_json(survey_id: str):
    _editions, filters, definition = requested_edition(survey_id)
    segment = request_segment(definition)
    audit_filtered_read(survey_id, filters, segment)
    result = tallies_for(definition, filters, segment)
    return conditional(json.dumps(result, ensure_ascii=False), "application/json")
