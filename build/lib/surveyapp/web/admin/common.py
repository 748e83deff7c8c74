"""What the admin views share: the blueprint, looking up a questionnaire, filters, ETags.

A role that may not read raw responses (a viewer) gets no time or segment filter: its
figures are whole editions of released responses (surveyapp.figures.released)."""

from __future__ import annotations

import json
import time

from flask import Response, abort, current_app, g, make_response, request

from surveyapp import store
from surveyapp.questionnaire.model import Definition, Question
from surveyapp.questionnaire.types import REGISTRY
from surveyapp.store import audit
from surveyapp.store import editions as edition_store
from surveyapp.store.filters import FilterError, Filters, parse_filters
from surveyapp.web import catalog, get_db
from surveyapp.web.admin import auth

VIEWER_FILTERS = (
    "Viewers see whole editions only: filtering by time or by profile answers needs the "
    "admin role, because the difference between two filtered views could single out "
    "a respondent."
)
AUDIT_REPEAT_SECONDS = 3600  # the same filtered view by the same account: one entry an hour
_audited: dict[tuple, float] = {}


def all_editions(survey_id: str) -> dict[int, Definition]:
    """Every edition of the questionnaire: those defined and those known only from stored
    (imported) responses, labelled with the definition version their rows answered."""
    if survey_id not in catalog():
        return {}
    return catalog().with_stored(survey_id, edition_store.stored_versions(get_db(), survey_id))


def editions_or_404(survey_id: str) -> dict[int, Definition]:
    editions = all_editions(survey_id)
    if not editions:
        abort(404, f"No questionnaire {survey_id!r}.")
    return editions


def reads_raw() -> bool:
    """Whether the account may read raw responses, and so exact filtered figures."""
    return auth.allowed("admin.responses")


def refuse(status: int, message: str):
    """Stop the request with `message`: as JSON for a .json URL, else as the error page."""
    if request.path.endswith(".json"):
        body = json.dumps({"error": message})
        abort(Response(body, status=status, mimetype="application/json"))
    abort(status, message)


def request_filters() -> Filters:
    since, until = request.args.get("since"), request.args.get("until")
    if (since or until) and not reads_raw():
        refuse(403, VIEWER_FILTERS)
    try:
        return parse_filters(request.args.get("edition"), since, until)
    except FilterError as exc:
        refuse(400, str(exc))


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
    """The questions a view can be filtered by: those on the first page whose type allows it
    (a screening question is not one: every completed response gave it the same answer)."""
    first = definition.pages[0].questions if definition.pages else ()
    return [q for q in first if REGISTRY[q.type].segment and q.screen_out is None]


def request_segment(definition: Definition, prefix: str = "") -> dict[str, str | list[str]]:
    """{profile field: code or [codes]} from the query string (arguments named `prefix`
    and the field: the API's `answer.company_size`); 400 on an unknown code."""
    segment: dict[str, str | list[str]] = {}
    for q in profile_questions(definition):
        codes = [c for c in request.args.getlist(prefix + q.id) if c]
        known = {o.code for o in q.options}
        for code in codes:
            if code not in known:
                refuse(400, f"{q.id}: unknown code {code!r}")
        if codes:
            segment[q.id] = codes[0] if len(codes) == 1 else codes
    if segment and not reads_raw():
        refuse(403, VIEWER_FILTERS)
    return segment


def audit_filtered_read(survey: str, filters: Filters, segment: dict) -> None:
    """Record a read of filtered figures (edition, time or segment) with the account's
    role; the same view by the same account is recorded once an hour per process."""
    if not filters.query_args() and not segment:
        return
    details = {"survey": survey, **filters.query_args(), "segment": segment}
    admin = g.get("admin") or {}
    key = (current_app.config["DATABASE"], auth.actor(), request.endpoint,
           json.dumps(details, sort_keys=True))  # fmt: skip
    now = time.monotonic()
    if now - _audited.get(key, -AUDIT_REPEAT_SECONDS) < AUDIT_REPEAT_SECONDS:
        return
    if len(_audited) > 10_000:
        _audited.clear()
    try:
        audit.record(get_db(), auth.actor(), "filtered_read", endpoint=request.endpoint,
                     role=admin.get("role"), **details)  # fmt: skip
    except store.DatabaseError:  # reading goes on when the log cannot be written
        current_app.logger.exception("could not audit a filtered read")
        return
    _audited[key] = now
