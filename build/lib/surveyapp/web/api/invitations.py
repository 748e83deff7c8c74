"""Invitations to invitation-only editions: listing them and making new links (admin role,
as the invitations page; making them also needs a write token)."""

from __future__ import annotations

from typing import Any

from flask import current_app, request

from surveyapp.store import invitations
from surveyapp.store.filters import FilterError, parse_filters
from surveyapp.web import get_db, open_definition
from surveyapp.web.api import access, paging
from surveyapp.web.api.figures import EDITION
from surveyapp.web.api.problems import fail, json_body
from surveyapp.web.api.questionnaires import editions_or_404
from surveyapp.web.api.schemas import SURVEY_EDITION, page_of, record
from surveyapp.web.api.spec import Reply, operations

TAG = "invitations"
read, write = operations(TAG, mirrors="admin.invitation_list")
MAX_LINKS = 1000
EMAIL = {"type": "string", "minLength": 3, "maxLength": invitations.EMAIL_MAX}
BODY = {
    "type": "object",
    "additionalProperties": False,
    "description": "Either `count` links without addresses or one link per address of `emails`.",
    "properties": {
        "count": {"type": "integer", "minimum": 1, "maximum": MAX_LINKS},
        "emails": {"type": "array", "minItems": 1, "maxItems": MAX_LINKS, "items": EMAIL},
        "edition": {"type": "integer", "description": "Default: the open edition."},
        "days": {
            "type": "integer",
            "minimum": 1,
            "maximum": 3650,
            "default": 30,
            "description": "Days until the links expire.",
        },
    },
    "oneOf": [{"required": ["count"]}, {"required": ["emails"]}],
}
LINK = record({"link": {"type": "string"}, "email": {"type": ["string", "null"]}})
MADE = record(
    SURVEY_EDITION
    | {
        "expires_at": {"type": "string"},
        "links": {
            "type": "array",
            "description": "Shown once: only their ids are stored.",
            "items": LINK,
        },
    }
)


@read(
    "/questionnaires/<survey_id>/invitations",
    summary="Invitations, a page at a time",
    params=(paging.CURSOR, paging.LIMIT, EDITION),
    replies={200: Reply("A page of invitations", page_of("Invitation"))},
)
def invitation_page(survey_id: str):
    editions_or_404(survey_id)
    try:
        edition = parse_filters(request.args.get("edition")).edition
    except FilterError as exc:
        fail(400, str(exc))
    start, size = paging.after(), paging.limit()
    rows = invitations.page_after(get_db(), survey_id, start, size + 1, edition)
    return paging.page(rows, size, start)


def _body() -> dict[str, Any]:
    body = json_body("Send application/json.")
    if not isinstance(body, dict) or set(body) - set(BODY["properties"]):
        fail(422, "Send an object with count or emails, and optionally edition and days.")
    return body


def _whole(body: dict, name: str, low: int, high: int, default: int | None = None) -> int | None:
    value = body.get(name, default)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        fail(422, f"{name}: a whole number from {low} to {high}")
    return value


def _emails(body: dict) -> list[str | None]:
    if ("count" in body) == ("emails" in body):
        fail(422, "Send either count or emails.")
    if "count" in body:
        return [None] * (_whole(body, "count", 1, MAX_LINKS) or 0)
    emails = body["emails"]
    if not isinstance(emails, list) or not 0 < len(emails) <= MAX_LINKS:
        fail(422, f"emails: a list of 1 to {MAX_LINKS} addresses")
    if not all(isinstance(e, str) for e in emails):
        fail(422, "emails: every address must be text")
    problems = invitations.email_problems(emails)
    if problems:
        fail(
            422,
            "Some addresses were refused; nothing was made.",
            errors={p.split(":", 1)[0]: p.split(":", 1)[1].strip() for p in problems},
        )
    return list(emails)


@write(
    "/questionnaires/<survey_id>/invitations",
    summary="Make invitation links",
    body=BODY,
    replies={201: Reply("The links, shown once", MADE)},
)
def invitation_create(survey_id: str):
    known = editions_or_404(survey_id)
    body = _body()
    emails, days = _emails(body), _whole(body, "days", 1, 3650, 30) or 30
    edition = _whole(body, "edition", 1, 999_999_999)
    if edition is None:
        opened = open_definition(survey_id)
        edition = opened.edition if opened else None
    if edition is None or edition not in known:
        fail(409, f"{survey_id}: no such edition open; give an edition.")
    if known[edition].access != "invitation":
        fail(409, f"{survey_id} {edition} is open to anyone: it takes no invitations.")
    secret, start = current_app.config["SECRET_KEY"], current_app.config["PUBLIC_URL"]
    made = invitations.create(
        get_db(), secret, survey_id, edition, emails, days, actor=access.actor()
    )
    links = [
        {"link": f"{start.rstrip('/')}/i/{token}", "email": email}
        for token, email, _expires in made
    ]
    return {"survey": survey_id, "edition": edition, "expires_at": made[0][2], "links": links}, 201
