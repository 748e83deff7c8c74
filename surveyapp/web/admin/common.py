"""What the admin views share: the blueprint, looking up a questionnaire, filters, ETags."""

from __future__ import annotations

from flask import Response, abort, make_response, request

from surveyapp.questionnaire.model import Definition, Question
from surveyapp.store.filters import FilterError, Filters, parse_filters
from surveyapp.web import catalog


def editions_or_404(survey_id: str) -> dict[int, Definition]:
    editions = catalog().get(survey_id)
    if not editions:
        abort(404, f"No questionnaire {survey_id!r}.")
    return editions


def request_filters() -> Filters:
    try:
        return parse_filters(
            request.args.get("edition"), request.args.get("since"), request.args.get("until")
        )
    except FilterError as exc:
        abort(400, str(exc))


def chosen_definition(editions: dict[int, Definition], filters: Filters) -> Definition:
    """The edition the filters name, or the newest one."""
    edition = max(editions) if filters.edition is None else filters.edition
    if edition not in editions:
        abort(404, f"No edition {edition}.")
    return editions[edition]


def conditional(body: str, mimetype: str) -> Response:
    """A response with a strong ETag of its body; 304 when the client already has it."""
    response = make_response(body)
    response.mimetype = mimetype
    response.add_etag()
    return response.make_conditional(request)


def requested_edition(survey_id: str) -> tuple[dict[int, Definition], Filters, Definition]:
    """The questionnaire's editions, the request's filters and the edition they choose."""
    editions = editions_or_404(survey_id)
    filters = request_filters()
    return editions, filters, chosen_definition(editions, filters)


def page_number() -> int:
    """The `page` query argument: a positive whole number (default 1), else 400."""
    page = request.args.get("page", "1")
    if not (page.isascii() and page.isdigit()) or not 0 < int(page) < 10**9:
        abort(400, "page must be a positive whole number")
    return int(page)


def profile_questions(definition: Definition) -> list[Question]:
    """The questions a view can be filtered by: single choices on the first page."""
    first = definition.pages[0].questions if definition.pages else ()
    return [q for q in first if q.type == "single_choice"]


def request_segment(definition: Definition) -> dict[str, str | list[str]]:
    """{profile field: code or [codes]} from the query string; 400 on an unknown code."""
    segment: dict[str, str | list[str]] = {}
    for q in profile_questions(definition):
        codes = [c for c in request.args.getlist(q.id) if c]
        known = {o.code for o in q.options}
        for code in codes:
            if code not in known:
                abort(400, f"{q.id}: unknown code {code!r}")
        if codes:
            segment[q.id] = codes[0] if len(codes) == 1 else codes
    return segment
