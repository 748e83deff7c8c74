"""The yearly report pages: trends across editions (HTML and the trends.json contract),
both questionnaires of one edition side by side, and one printable report per edition."""

from __future__ import annotations

import json
from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any

from flask import abort, current_app, render_template

from surveyapp.figures import released, tallies, weighted_views
from surveyapp.figures import trends as trend_figures
from surveyapp.figures.charts import trend_chart
from surveyapp.figures.trend_charts import matrix_chart, ranking_words
from surveyapp.questionnaire.model import Definition
from surveyapp.questionnaire.types import REGISTRY
from surveyapp.store import listing
from surveyapp.store.filters import NO_FILTERS
from surveyapp.web import catalog, get_db, languages
from surveyapp.web.admin import auth, bp, heavy
from surveyapp.web.admin.common import (
    all_editions,
    audit_filtered_read,
    conditional,
    editions_or_404,
    profile_questions,
    reads_raw,
    request_segment,
)


def labels(editions: dict[int, Definition]) -> dict[tuple[str, str], str]:
    """Question texts (key (question, "")) and item/option labels; the newest edition wins."""
    found: dict[tuple[str, str], str] = {}
    for edition in sorted(editions):
        for q in editions[edition].questions():
            found[q.id, ""] = q.text
            choices = {o.code: o.label for o in q.items or q.options}
            for s in trend_figures.series_of(q):
                found[q.id, s.item] = choices.get(s.item, s.item)
    return found


def trend_document(
    survey_id: str, prefix: str = ""
) -> tuple[dict[int, Definition], dict, dict[str, Any]]:
    """The trends document the account may read, for the segment in the query string
    (`prefix` starts the arguments' names: see request_segment)."""
    editions = editions_or_404(survey_id)
    segment = request_segment(catalog().latest(survey_id), prefix)
    audit_filtered_read(survey_id, NO_FILTERS, segment)
    if reads_raw():  # without a segment the counts are the counters': no heavy read
        counted = heavy.run(bool(segment), trend_figures.counts, survey_id, segment or None)
    else:
        counted = released.trend_counts(get_db(), catalog(), survey_id)
    try:
        document = trend_figures.trends(
            get_db(), catalog(), survey_id, segment or None, counted=counted
        )
    except ValueError as exc:
        abort(400, str(exc))
    if reads_raw():
        weighted_views.add_to_trends(get_db(), catalog(), survey_id, document, segment or None)
    return editions, segment, document


def shares(editions: dict[int, Definition]) -> set[tuple[str, str]]:
    """The (question, item) trend lines that are one option's share, not a scale's boxes
    (their top box and top-2 box are the same codes): "top-box" means nothing for them."""
    return {(s.question, s.item) for d in editions.values() for q in d.questions()
            for s in trend_figures.series_of(q) if s.top == s.top2}  # fmt: skip


def charted(
    document: dict[str, Any], names: dict[tuple[str, str], str], share: Collection = frozenset()
) -> list[dict[str, Any]]:
    """Per question of a trends document: its text and, per item, a chart (None when no
    edition has figures to draw) and table rows; `share` names the option-share lines."""
    sections = []
    for question, body in document["questions"].items():
        items = []
        for item, cells in body["items"].items():
            name = names.get((question, item), item)
            if item == question:
                name = names.get((question, ""), question)
            one = (question, item) in share
            drawn = any(c and not c.get("suppressed") for c in cells.values())
            items.append({
                "item": item, "name": name, "cells": cells, "share": one,
                "chart": trend_chart(name, document["editions"], cells, one) if drawn else None,
                "breaks": body.get("breaks", {}).get(item, []),
            })  # fmt: skip
        sections.append({"id": question, "text": names.get((question, ""), question),
                         "items": items, "share": all(i["share"] for i in items)})  # fmt: skip
    return sections


@bp.get("/surveys/<survey_id>/trends")
@auth.login_required
def trends(survey_id: str):
    editions, segment, document = trend_document(survey_id)
    shown = {edition: languages.for_admin(d) for edition, d in editions.items()}
    latest = languages.for_admin(catalog().latest(survey_id))
    return render_template(
        "admin/trends.html",
        definition=latest,
        document=document,
        sections=charted(document, labels(shown), shares(editions)),
        segment=segment,
        profile=profile_questions(latest) if reads_raw() else [],
    )


@bp.get("/surveys/<survey_id>/trends.json")
@auth.login_required
def trends_json(survey_id: str):
    _editions, _segment, document = trend_document(survey_id)
    return conditional(json.dumps(document, ensure_ascii=False), "application/json")


def ranked(definition: Definition) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The edition's tallies and its matrix items ranked by top-2-box (each question ranked
    on its own), each with its question and its rank change between the two orderings.
    An item fewer than 5 answered is suppressed and ranks last. A viewer's rest on the
    released responses."""
    if reads_raw():
        result = tallies.tallies(get_db(), definition, min_n=tallies.MIN_N)
        weighted_views.add_to_tallies(get_db(), definition, result)
    else:
        result = released.edition_tallies(get_db(), definition)
    rows = []
    for question, items in tallies.rankings(definition, result).items():
        for row in tallies.ordered(items, "top2"):
            row["field"] = f"{question}-{row['item']}"
            row["question"] = question
            row["rank_change"] = row["rank_top2"] - row["rank_top"]
            row["weighted"] = result["questions"][question]["items"][row["item"]].get("weighted")
            rows.append(row)
    return result, rows


def mirrored_pairs(edition: int) -> list[tuple[Definition, Definition]]:
    """Questionnaires of one edition whose definitions mirror each other, once per pair."""
    found: dict[frozenset[str], tuple[Definition, Definition]] = {}
    for survey in sorted(catalog()):
        own = catalog()[survey].get(edition)
        for target in own.mirrors.values() if own else ():
            other = catalog().get(target.split(":", 1)[0], {}).get(edition)
            key = frozenset((survey, target.split(":", 1)[0]))
            if other is not None and other.id != survey:
                found.setdefault(key, (own, other))
    return list(found.values())


def aligned(left: Definition, right: Definition) -> list[tuple[str, str]]:
    """Mirrored (left field, right field) pairs, declared on either side."""
    pairs = {(own, target.split(":", 1)[1]) for own, target in left.mirrors.items()
             if target.split(":", 1)[0] == right.id}  # fmt: skip
    pairs |= {(target.split(":", 1)[1], own) for own, target in right.mirrors.items()
              if target.split(":", 1)[0] == left.id}  # fmt: skip
    return sorted(pairs)


def both_sides(edition: int) -> list[dict[str, Any]]:
    """Per mirrored pair of the edition: both sides ranked and their items aligned."""
    views = []
    for left, right in mirrored_pairs(edition):
        sides = [ranked(left), ranked(right)]
        by_field = [{row["field"]: row for row in rows} for _result, rows in sides]
        matched = [
            (by_field[0][a], by_field[1][b])
            for a, b in aligned(left, right)
            if a in by_field[0] and b in by_field[1]
        ]
        partner = {a["field"]: b for a, b in matched} | {b["field"]: a for a, b in matched}
        views.append({"left": left, "right": right, "sides": sides, "matched": matched,
                      "partner": partner})  # fmt: skip
    return views


@bp.get("/compare/<int:edition>")
@auth.login_required
def compare(edition: int):
    views = both_sides(edition)
    if not views:
        abort(404, f"No two questionnaires of edition {edition} mirror each other.")
    return render_template("admin/compare.html", edition=edition, views=views)


def report_context(edition: int) -> dict[str, Any]:
    """What the printed report of an edition shows: per questionnaire its ranked items, one
    compact trend chart per matrix (editions up to this one) and its comments; then both
    sides of each mirrored pair, if any."""
    definitions = [d for s in sorted(catalog()) if (d := all_editions(s).get(edition)) is not None]
    if not definitions:
        abort(404, f"No questionnaire has an edition {edition}.")
    # its tallies and trends are the counters', its comments every answer: a heavy read
    wanted = [(d.id, edition, _comment_fields(d)) for d in definitions]
    shown = current_app.config["REPORT_COMMENTS"]
    comments = heavy.run(True, listing.text_answers_of, wanted, shown + 1)
    parts = []
    for definition, texts in zip(definitions, comments, strict=True):
        survey = definition.id
        result, rows = ranked(definition)
        for row in rows:
            row["rank_words"] = ranking_words(row["rank_top"], row["rank_top2"])
        document = trend_figures.trends(get_db(), catalog(), survey)
        weighted_views.add_to_trends(get_db(), catalog(), survey, document)
        editions = [e for e in document["editions"] if e <= edition]
        parts.append({
            "definition": definition, "result": result, "rows": rows, "editions": editions,
            "charts": matrix_charts(definition, document, editions), "comments": texts[:shown],
            "more_comments": len(texts) > shown,
        })  # fmt: skip
    return {"edition": edition, "parts": parts, "pairs": both_sides(edition),
            "printed_on": printed_on()}  # fmt: skip


def printed_on() -> str:
    """Today's date (UTC) as the report prints it: "1 December 2026"."""
    today = datetime.now(UTC).date()
    return f"{today.day} {today:%B %Y}"


def matrix_charts(
    definition: Definition, document: dict[str, Any], editions: list[int]
) -> list[dict[str, Any]]:
    """One compact chart per matrix question of the definition, with its rows for a table."""
    names = labels(catalog()[definition.id])
    charts = []
    for q in definition.questions():
        body = document["questions"].get(q.id)
        if REGISTRY[q.type].tally != "matrix" or body is None:
            continue
        items = [{"item": item, "cells": cells, "name": names.get((q.id, item), item)}
                 for item, cells in body["items"].items()]  # fmt: skip
        charts.append({"id": q.id, "text": q.text, "items": items,
                       "chart": matrix_chart(q.text, editions, items)})  # fmt: skip
    return charts


@bp.get("/report/<int:edition>")
@auth.login_required
def report(edition: int):
    return render_template("admin/report.html", **report_context(edition))


def _comment_fields(definition: Definition) -> list[str]:
    return [f for q in definition.questions() for f in REGISTRY[q.type].comment_fields(q)]
