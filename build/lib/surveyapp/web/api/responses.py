"""Responses: cursor-paged listing (JSON pages or one NDJSON stream) and one by id. Raw
responses follow the admin role rule of the responses page (admin.responses)."""

from __future__ import annotations

from collections.abc import Iterator

import orjson
from flask import Response, current_app, request

from surveyapp import store
from surveyapp.questionnaire.loader import field_names
from surveyapp.store import listing, table
from surveyapp.store.filters import Filters
from surveyapp.web import get_db
from surveyapp.web.admin.common import request_filters
from surveyapp.web.api import paging
from surveyapp.web.api.figures import ANSWER_PREFIX, EDITION, SINCE, UNTIL
from surveyapp.web.api.problems import fail
from surveyapp.web.api.questionnaires import editions_or_404
from surveyapp.web.api.schemas import page_of, ref
from surveyapp.web.api.spec import Param, Reply, operations

TAG = "responses"
read = operations(TAG, mirrors="admin.responses")[0]
NDJSON = "application/x-ndjson"
LINE = {"allOf": [ref("Response")], "description": "One line per response, with its `cursor`."}
EXCLUDED = Param(
    "excluded",
    {"type": "boolean"},
    "`true`: the responses set aside as excluded (test or invalid) instead of the counted"
    " ones, which never include them (default `false`).",
)
FILTER_NOTE = (
    "Oldest first, in the order the responses were stored. Filter by answers with"
    " `answer.<field>=<value>` (a question id, or `<question>-<item>` for a matrix row;"
    " repeat a field for any of several values; several fields must all match)."
)


def _answer_filter(survey_id: str) -> dict[str, list[str]]:
    known = {name for d in editions_or_404(survey_id).values() for name in field_names(d)}
    chosen: dict[str, list[str]] = {}
    for key in request.args:
        if key.startswith(ANSWER_PREFIX):
            name = key[len(ANSWER_PREFIX) :]
            if name not in known:
                fail(400, f"answer.{name}: {survey_id} has no field {name!r}")
            chosen[name] = request.args.getlist(key)
    return chosen


def _scope(survey_id: str) -> tuple[Filters, dict[str, list[str]], int]:
    answers = _answer_filter(survey_id)
    return request_filters(), answers, paging.after()


def _reader():
    """What lists the responses asked for: the counted ones, or with `excluded=true` the
    excluded ones (cursors of the two lists are row ids of different tables)."""
    flag = request.args.get("excluded", "false")
    if flag not in ("true", "false"):
        fail(400, "excluded: true or false")
    return table.excluded_after if flag == "true" else listing.responses_after


def _lines(path: str, survey_id: str, filters: Filters, answers: dict, start: int,
           reader) -> Iterator:  # fmt: skip
    """The NDJSON body, read through its own connection (closed when the stream ends)."""
    db = store.connect(path)
    try:
        for row_id, response in reader(db, survey_id, filters, answers, start):
            yield orjson.dumps(response | {"cursor": paging.encode(row_id)}) + b"\n"
    finally:
        db.close()


def _stream(survey_id: str) -> Response:
    filters, answers, start = _scope(survey_id)
    body = _lines(current_app.config["DATABASE"], survey_id, filters, answers, start, _reader())
    response = Response(body, mimetype=NDJSON)
    response.headers["X-Accel-Buffering"] = "no"
    return response


@read(
    "/questionnaires/<survey_id>/responses",
    summary="Responses, a page at a time",
    params=(paging.CURSOR, paging.LIMIT, EDITION, SINCE, UNTIL, EXCLUDED),
    description=FILTER_NOTE + f" With `Accept: {NDJSON}` every response from the"
    " cursor on comes as one stream, as from `responses.ndjson`.",
    replies={200: Reply("A page of responses", page_of("Response"), also=((NDJSON, LINE),))},
)
def response_page(survey_id: str):
    editions_or_404(survey_id)
    best = request.accept_mimetypes.best_match(["application/json", NDJSON])
    if best == NDJSON:
        return _stream(survey_id)
    filters, answers, start = _scope(survey_id)
    size = paging.limit()
    rows = list(_reader()(get_db(), survey_id, filters, answers, start, size + 1))
    return paging.page(rows, size, start)


@read(
    "/questionnaires/<survey_id>/responses.ndjson",
    summary="Responses as one stream",
    params=(paging.CURSOR, EDITION, SINCE, UNTIL, EXCLUDED),
    description=FILTER_NOTE,
    replies={200: Reply("One JSON object per line", LINE, NDJSON)},
)
def response_stream(survey_id: str):
    editions_or_404(survey_id)
    return _stream(survey_id)


@read(
    "/questionnaires/<survey_id>/responses/<response_id>",
    summary="One response",
    replies={200: Reply("The response", ref("Response"))},
)
def response_one(survey_id: str, response_id: str):
    editions_or_404(survey_id)
    found = listing.get_response(get_db(), survey_id, response_id)
    if found is None:
        fail(404, f"{survey_id} has no response {response_id!r}.")
    return found
