"""Cross-tabs: one choice field by another of the same edition (admins: it splits
respondents by their answers, as a segment does) or by edition (viewers too, on the
released responses of whole editions), with the chi-square test; and as CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import Response, render_template, request

from surveyapp.exchange.cells import neutralise
from surveyapp.figures import crosstab as tables
from surveyapp.figures import released, tallies
from surveyapp.figures.crosstab import Axis, csv_rows
from surveyapp.questionnaire.answers import counted_fields
from surveyapp.questionnaire.model import Definition
from surveyapp.questionnaire.types import REGISTRY
from surveyapp.store import counts, daycounts
from surveyapp.store import released as store_released
from surveyapp.store import results as store_results
from surveyapp.store.filters import Filters
from surveyapp.web import catalog, get_db
from surveyapp.web.admin import auth, bp, heavy
from surveyapp.web.admin.common import (
    audit_filtered_read,
    reads_raw,
    refuse,
    requested_edition,
)

EDITION = "edition"
_CACHE_SIZE = 256
_pairs: dict[tuple, dict[tuple[str, str], int]] = {}
BY_FIELD_NEEDS_ADMIN = (
    "Viewers can cross-tabulate by edition only: splitting respondents by another "
    "answer is a filter by answers, which needs the admin role."
)


def choice_fields(definition: Definition) -> dict[str, Axis]:
    """{field: its axis} for every field holding one code per respondent, definition order."""
    fields = {}
    for q in definition.questions():
        qtype = REGISTRY[q.type]
        if not qtype.crosstab:
            continue
        for name, options in qtype.tallied(q):
            item = qtype.item_label(q, name)
            title = f"{q.text}: {item}" if item else q.text
            categories = tuple((o.code, o.label) for o in options if not o.na)
            fields[name] = Axis(name, title, categories)
    return fields


def _chosen(fields: dict[str, Axis]) -> tuple[str, str, dict[str, str]]:
    """(row, column, {argument: problem}) from the query string; defaults: the first field
    by edition."""
    names = list(fields)
    row = request.args.get("row") or (names[0] if names else "")
    column = request.args.get("col") or EDITION
    problems = {}
    if row not in fields:
        problems["row"] = f"{row!r} is not a choice question of this edition."
    if column != EDITION and column not in fields:
        problems["col"] = f"{column!r} is not a choice question of this edition, nor edition."
    elif column == row:
        problems["col"] = "Choose a different question for the columns."
    return row, column, problems


def _edition_counts(survey: str, field: str, filters: Filters) -> tuple[dict, list[int]]:
    """{(code, edition): responses} and the editions, for an admin (counters, or answers in
    the time range) or a viewer (released responses)."""
    db = get_db()
    found: dict[tuple[str, str], int] = {}
    if not reads_raw():
        per = {}
        for edition in released.edition_counts(db, catalog(), survey):
            counted = counted_fields(catalog().for_edition(survey, edition))
            per[edition] = released.counts(db, survey, edition, counted)[0]
    elif filters.timed:
        scope = Filters(None, filters.since, filters.until)
        values = heavy.run(True, store_results.edition_value_counts, survey, field, scope)
        per = {e: {(field, code): n for code, n in v.items()} for e, v in values.items()}
    else:
        per = counts.survey_counters(db, survey)
    asked = []  # an edition whose questionnaire did not ask the field is no column
    for edition, found_counts in per.items():
        for (name, code), n in found_counts.items():
            if name == field:
                found[code, str(edition)] = n
                asked.append(edition)
    return found, sorted(set(asked))


def _cross_counts(scope: store_results.Scope, row: str, column: str) -> dict:
    """Two fields counted together, kept while no response of the questionnaire is stored,
    deleted or excluded (the newest row id and the edition's counter both stay put)."""
    db = get_db()
    key = (store_released.database_key(db), scope.survey, scope.edition, scope.filters, row,
           column, counts.change_mark(db),
           store_released.edition_total(db, scope.survey, scope.edition))  # fmt: skip
    if key not in _pairs:
        found = heavy.run(scope.filters.timed, daycounts.pair_counts, scope, row, column)
        if len(_pairs) >= _CACHE_SIZE:
            _pairs.clear()
        _pairs[key] = found
    return _pairs[key]


def table_for(survey_id: str) -> dict[str, Any]:
    """The page's context: the fields, the choice, its problems and the table."""
    editions, filters, definition = requested_edition(survey_id)
    fields = choice_fields(definition)
    row, column, problems = _chosen(fields)
    context = {"definition": definition, "editions": sorted(editions), "filters": filters,
               "fields": fields, "row": row, "column": column, "problems": problems,
               "table": None, "reads_raw": reads_raw()}  # fmt: skip
    if problems:
        return context
    audit_filtered_read(survey_id, filters, {})
    if column == EDITION:
        found, years = _edition_counts(survey_id, row, filters)
        axis = Axis(EDITION, "Edition", tuple((str(e), str(e)) for e in years))
    else:
        if not reads_raw():
            refuse(403, BY_FIELD_NEEDS_ADMIN)
        found = _cross_counts(store_results.Scope(survey_id, definition.edition, filters), row,
                              column)  # fmt: skip
        axis = fields[column]
    context["table"] = tables.crosstab(fields[row], axis, found, tallies.MIN_N)
    return context


@bp.get("/surveys/<survey_id>/crosstab")
@auth.login_required
def crosstab(survey_id: str):
    context = table_for(survey_id)
    status = 400 if context["problems"] else 200
    return render_template("admin/crosstab.html", **context), status


@bp.get("/surveys/<survey_id>/crosstab.csv")
@auth.login_required
def crosstab_csv(survey_id: str):
    context = table_for(survey_id)
    if context["problems"]:
        refuse(400, " ".join(context["problems"].values()))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for line in csv_rows(context["table"]):
        writer.writerow([neutralise(cell) for cell in line])
    response = Response(out.getvalue(), mimetype="text/csv")
    name = f"{survey_id}-{context['row']}-by-{context['column']}.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
