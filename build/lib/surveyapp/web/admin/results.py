"""The results page: each question's chart chosen by its type (figures/results.py), with
the survey page's filters; each chart as an SVG download; the searchable, paged list of
a free-text question's answers (admins only: viewers never read raw text).

A viewer's figures rest on the released responses of the whole edition, as the tallies
do (figures/released.py), and anything under MIN_N respondents is suppressed."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, current_app, render_template, request

from surveyapp.figures import released, tallies
from surveyapp.figures import results as figures
from surveyapp.questionnaire.model import Definition
from surveyapp.questionnaire.types import REGISTRY
from surveyapp.store import results as store_results
from surveyapp.store.results import Scope
from surveyapp.web import get_db
from surveyapp.web.admin import auth, bp, heavy
from surveyapp.web.admin.common import (
    audit_filtered_read,
    page_number,
    profile_questions,
    reads_raw,
    request_segment,
    requested_edition,
)
from surveyapp.web.admin.live import tallies_for

SEARCH_MAX = 200


def scope_for(definition: Definition, filters, segment: dict) -> Scope:
    """An admin's filters, or a viewer's released set of the whole edition."""
    if reads_raw():
        return Scope(definition.id, definition.edition, filters, segment)
    chosen = released.release(get_db(), definition.id, definition.edition)
    # Always bounded by the cut, even when every response is released: one stored while
    # this request runs must not show.
    return Scope(definition.id, definition.edition, cut=chosen.cut if chosen.count else 0)


def _pairs(scope: Scope):
    heavy_read = scope.filters.timed or bool(scope.segment)
    return lambda name: heavy.run(heavy_read, store_results.value_counts, scope, name)


def _texts(scope: Scope):
    if not reads_raw():
        return None
    heavy_read = scope.filters.timed or bool(scope.segment)

    def newest(name: str, limit: int) -> tuple[int, list[str]]:
        return heavy.run(heavy_read, store_results.text_page, scope, name, "", limit, 0)

    return newest


def _context(survey_id: str) -> dict[str, Any]:
    editions, filters, definition = requested_edition(survey_id)
    segment = request_segment(definition)
    audit_filtered_read(survey_id, filters, segment)
    return {"editions": sorted(editions), "filters": filters, "definition": definition,
            "segment": segment, "args": filters.query_args() | segment}  # fmt: skip


def _min_n(segment: dict) -> int:
    return tallies.MIN_N if segment or not reads_raw() else 0


@bp.get("/surveys/<survey_id>/results")
@auth.login_required
def results(survey_id: str):
    context = _context(survey_id)
    definition, segment = context["definition"], context["segment"]
    tallied = tallies_for(definition, context["filters"], segment)
    scope = scope_for(definition, context["filters"], segment)
    pairs, texts, min_n = _pairs(scope), _texts(scope), _min_n(segment)
    shown = [(q, figures.figure(q, tallied, pairs, texts, min_n))
             for q in figures.charted(definition)]  # fmt: skip
    raw = reads_raw()
    return render_template(
        "admin/results.html", shown=shown, result=tallied, reads_raw=raw,
        profile=profile_questions(definition) if raw else [], min_n=min_n, **context,
    )  # fmt: skip


@bp.get("/surveys/<survey_id>/results/<field>.svg")
@auth.login_required
def results_chart(survey_id: str, field: str):
    """One question's chart as a file, with the page's filters."""
    context = _context(survey_id)
    definition, segment = context["definition"], context["segment"]
    q = next((q for q in figures.charted(definition) if q.id == field), None)
    if q is None:
        abort(404, f"No chart for {field!r}.")
    tallied = tallies_for(definition, context["filters"], segment)
    scope = scope_for(definition, context["filters"], segment)
    min_n = _min_n(segment)
    shown = figures.figure(q, tallied, _pairs(scope), None, min_n)
    if shown["kind"] == "texts":
        abort(404, "Text answers have no chart: their page lists them.")
    chart = shown["chart"] or figures.too_few(q.text, min_n)
    body = render_template("admin/figure.svg", chart=chart)
    response = Response(body, mimetype="image/svg+xml")
    name = f"{survey_id}-{definition.edition}-{field}.svg"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.get("/surveys/<survey_id>/results/<question>/texts")
@auth.login_required
def results_texts(survey_id: str, question: str):
    """Every text answer of one question, newest first, searched and paged (admin role)."""
    context = _context(survey_id)
    definition = context["definition"]
    q = next((q for q in figures.charted(definition) if q.id == question), None)
    if q is None or REGISTRY[q.type].chart != "texts":
        abort(404, f"No text question {question!r}.")
    search = request.args.get("search", "").strip()
    if len(search) > SEARCH_MAX:
        abort(400, f"search: at most {SEARCH_MAX} characters")
    page = page_number()
    per_page = current_app.config["RESPONSES_PER_PAGE"]
    scope = scope_for(definition, context["filters"], context["segment"])
    heavy_read = scope.filters.timed or bool(scope.segment)
    total, rows = heavy.run(heavy_read, store_results.text_page, scope, question, search,
                            per_page + 1, (page - 1) * per_page)  # fmt: skip
    return render_template(
        "admin/results_texts.html", question=q, search=search, total=total,
        rows=rows[:per_page], page=page, per_page=per_page, more=len(rows) > per_page,
        **context,
    )  # fmt: skip
