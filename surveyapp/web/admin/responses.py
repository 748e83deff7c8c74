"""Browsing stored responses: a paginated list, newest first, and one response alone."""

from __future__ import annotations

from flask import abort, current_app, render_template

from surveyapp.questionnaire import marks
from surveyapp.questionnaire.model import Definition
from surveyapp.questionnaire.types import REGISTRY
from surveyapp.store import listing
from surveyapp.web import catalog, get_db, languages
from surveyapp.web.admin import auth, bp
from surveyapp.web.admin.common import editions_or_404, page_number, request_filters


def answer_lines(definition: Definition | None, answers: dict) -> list[dict]:
    """(question text, item, field, value, labels) per answered field, in definition order;
    fields the definition does not know (an older version) follow at the end."""
    lines, seen = [], set()
    for q in definition.questions() if definition else ():
        qtype = REGISTRY[q.type]
        options = dict(qtype.tallied(q))
        for name in qtype.field_names(q):
            if name not in answers:
                continue
            seen.add(name)
            value = answers[name]
            codes = value if isinstance(value, list) else [value]
            labels = {o.code: o.label for o in options.get(name, ())}
            lines.append({
                "question": q.text, "item": qtype.item_label(q, name),
                "field": name, "codes": codes, "labels": [labels.get(c, "") for c in codes],
                "text": not options,
            })  # fmt: skip
    for name, value in answers.items():
        if name not in seen and name not in marks.MARKS:
            codes = value if isinstance(value, list) else [value]
            lines.append({"question": name, "item": "", "field": name, "codes": codes,
                          "labels": ["" for _ in codes], "text": True})  # fmt: skip
    return lines


def _describe(row: dict, definition: Definition | None) -> None:
    """The answer lines of a listed response, its status and the fields it was not shown."""
    row["lines"] = answer_lines(definition, row["answers"])
    row["status"] = marks.status(row["answers"]).replace("_", " ")
    row["not_shown"] = marks.not_shown(row["answers"])


@bp.get("/surveys/<survey_id>/responses")
@auth.login_required
def responses(survey_id: str):
    editions = editions_or_404(survey_id)
    filters = request_filters()
    page = page_number()
    per_page = current_app.config["RESPONSES_PER_PAGE"]
    rows = listing.list_responses(get_db(), survey_id, filters, per_page + 1, (page - 1) * per_page)
    for row in rows:
        _describe(row, languages.for_admin(editions.get(row["edition"])))
    return render_template(
        "admin/responses.html",
        definition=catalog().latest(survey_id),
        editions=sorted(editions),
        filters=filters,
        rows=rows[:per_page],
        page=page,
        more=len(rows) > per_page,
    )


@bp.get("/surveys/<survey_id>/responses/<response_id>")
@auth.login_required
def response(survey_id: str, response_id: str):
    editions = editions_or_404(survey_id)
    row = listing.get_response(get_db(), survey_id, response_id)
    if row is None:
        abort(404, "No such response.")
    _describe(row, languages.for_admin(editions.get(row["edition"])))
    return render_template("admin/response.html", definition=catalog().latest(survey_id), row=row)
