"""Tallies and trends: the admin pages' JSON contracts, by the admin pages' own functions,
so a viewer's token gets released figures and no time or answer filter, as a viewer does."""

from __future__ import annotations

from flask import request

from surveyapp.web import catalog
from surveyapp.web.admin.common import (
    audit_filtered_read,
    profile_questions,
    request_segment,
    requested_edition,
)
from surveyapp.web.admin.live import tallies_for
from surveyapp.web.admin.reports import trend_document
from surveyapp.web.api.problems import fail
from surveyapp.web.api.schemas import ref
from surveyapp.web.api.spec import Param, Reply, operations

TAG = "figures"
read = operations(TAG)[0]
ANSWER_PREFIX = "answer."
EDITION = Param(
    "edition",
    {"type": "integer", "exclusiveMinimum": -(10**9), "exclusiveMaximum": 10**9},
    "The edition (default: the newest).",
)
TIME_NOTE = "(a UTC date, or an ISO 8601 time: naive means UTC)"
SINCE = Param(
    "since",
    {"type": "string", "format": "date"},
    f"Responses submitted at or after this moment {TIME_NOTE}.",
)
UNTIL = Param(
    "until",
    {"type": "string", "format": "date"},
    f"Responses submitted before this moment {TIME_NOTE}.",
)
SEGMENT_NOTE = (
    "Keep only respondents with these profile answers: `answer.<question>=<code>` for the"
    " single-choice questions of the first page (repeat for several codes). Time and answer"
    " filters need the admin role: a viewer's token gets whole editions only."
)


def check_answer_names(allowed: set[str]) -> None:
    """400 for an `answer.<field>` argument naming no field that may filter here."""
    unknown = sorted(
        k[len(ANSWER_PREFIX) :]
        for k in request.args
        if k.startswith(ANSWER_PREFIX) and k[len(ANSWER_PREFIX) :] not in allowed
    )
    if unknown:
        fail(400, f"cannot filter on {', '.join(unknown)}: not a profile question here")


@read(
    "/questionnaires/<survey_id>/tallies",
    summary="Counts and shares of one edition",
    mirrors="admin.tallies_json",
    params=(EDITION, SINCE, UNTIL),
    description=SEGMENT_NOTE,
    replies={200: Reply("The tallies", ref("Tallies"))},
)
def tallies(survey_id: str):
    _editions, filters, definition = requested_edition(survey_id)
    segment = request_segment(definition, ANSWER_PREFIX)
    check_answer_names({q.id for q in profile_questions(definition)})
    audit_filtered_read(survey_id, filters, segment)
    return tallies_for(definition, filters, segment)  # a filtered read runs apart (heavy.run)


@read(
    "/questionnaires/<survey_id>/trends",
    summary="Shares per edition with changes",
    mirrors="admin.trends_json",
    description=SEGMENT_NOTE,
    replies={200: Reply("The trends", ref("Trends"))},
)
def trends(survey_id: str):
    latest = catalog().latest(survey_id)
    if latest is None:
        fail(404, f"No questionnaire {survey_id!r}.")
    check_answer_names({q.id for q in profile_questions(latest)})
    return trend_document(survey_id, ANSWER_PREFIX)[2]  # a segment runs apart (heavy.run)
