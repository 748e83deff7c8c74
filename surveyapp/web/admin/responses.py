"""Browsing stored responses: the responses table (chosen columns, sort, key paging, search
and filters) and one response on one screen. Admin only: raw answers, never for viewers."""

from __future__ import annotations

from flask import abort, current_app, render_template, request
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from surveyapp.questionnaire import marks
from surveyapp.questionnaire.model import Definition
from surveyapp.questionnaire.types import REGISTRY
from surveyapp.store import removal, table
from surveyapp.web import catalog, get_db, languages
from surveyapp.web.admin import auth, bp, response_table
from surveyapp.web.admin.common import editions_or_404, request_filters
from surveyapp.web.forms import Form


class ReasonForm(Form):
    reason = TextAreaField(
        "Reason (kept in the audit log)",
        validators=[DataRequired("Give a reason."), Length(max=removal.MAX_REASON)],
    )


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
    """The answer lines of a response, its status and the fields it was not shown."""
    row["lines"] = answer_lines(definition, row["answers"])
    row["status"] = marks.status(row["answers"]).replace("_", " ")
    row["not_shown"] = marks.not_shown(row["answers"])


def _link_args(survey_id: str) -> dict:
    """The request's arguments but the page position: carried into sort and page links."""
    args = request.args.to_dict(flat=False)
    args.pop("after", None)
    args.pop("done", None)
    return {"survey_id": survey_id, **args}


@bp.get("/surveys/<survey_id>/responses")
@auth.login_required(role="admin")
def responses(survey_id: str):
    editions = editions_or_404(survey_id)
    filters = request_filters()
    newest_first = [languages.for_admin(editions[e]) for e in sorted(editions, reverse=True)]
    columns = response_table.columns_of(newest_first)
    chosen = response_table.chosen_columns(columns)
    db = get_db()
    answered_in = table.languages(db, survey_id)
    per_page = current_app.config["RESPONSES_PER_PAGE"]
    query = response_table.table_query(survey_id, tuple(sorted(editions)), filters, columns,
                                       answered_in, per_page + 1)  # fmt: skip
    rows = table.table_rows(db, query)
    more = len(rows) > per_page
    rows = rows[:per_page]
    for row in rows:
        row["cells"] = [response_table.cell(columns[n], row["answers"].get(n)) for n in chosen]
    count, more_than = table.table_count(db, query)
    return render_template(
        "admin/responses.html", definition=newest_first[0], editions=sorted(editions),
        filters=filters, columns=columns, chosen=chosen, rows=rows, query=query,
        count=count, more_than=more_than, languages=answered_in,
        statuses=response_table.STATUSES, shows=response_table.SHOWS,
        answer_filters=list(query.answers) + [("", "")] * (2 - min(len(query.answers), 2)),
        next_after=response_table.encode_after(rows[-1]) if more else None,
        link_args=_link_args(survey_id), done=request.args.get("done"),
    )  # fmt: skip


def response_page(survey_id: str, response_id: str, form=None, status: int = 200):
    """One response on one screen, with the forms that exclude, restore or delete it."""
    editions = editions_or_404(survey_id)
    row = table.one_response(get_db(), survey_id, response_id)
    if row is None:
        abort(404, "No such response.")
    shown = editions.get(row["edition"]) or catalog().by_version(row["version"])
    _describe(row, languages.for_admin(shown))
    html = render_template("admin/response.html", definition=catalog().latest(survey_id),
                           row=row, form=form or ReasonForm())  # fmt: skip
    return html, status


@bp.get("/surveys/<survey_id>/responses/<response_id>")
@auth.login_required(role="admin")
def response(survey_id: str, response_id: str):
    return response_page(survey_id, response_id)
