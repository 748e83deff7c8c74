"""The JSON Schemas the API's operations share (OpenAPI 3.1 components); each route module
declares the rest next to its views."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

Schema = dict[str, Any]


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(kind: str, **more: Any) -> Schema:
    return {"type": [kind, "null"], **more}


def record(properties: dict[str, Schema]) -> Schema:
    """An object whose every property is required."""
    return {"type": "object", "required": list(properties), "properties": properties}


SURVEY_EDITION: Schema = {"survey": {"type": "string"}, "edition": {"type": "integer"}}


def page_of(name: str) -> Schema:
    return {
        "type": "object",
        "required": ["data", "next_cursor", "more"],
        "properties": {
            "data": {"type": "array", "items": ref(name)},
            "next_cursor": {
                "type": "string",
                "description": (
                    "Pass as `cursor` for the rows stored after this page: the next page, or"
                    " later, the rows that arrived since."
                ),
            },
            "more": {"type": "boolean", "description": "Whether more rows were stored already."},
        },
    }


TEXT = {"type": "string"}
WHOLE = {"type": "integer"}
ANSWER = {"anyOf": [TEXT, {"type": "array", "items": TEXT}]}

SCHEMAS: dict[str, Schema] = {
    "Problem": {
        "type": "object",
        "description": "An error (RFC 9457).",
        "required": ["type", "title", "status", "detail"],
        "properties": {
            "type": TEXT,
            "title": TEXT,
            "status": WHOLE,
            "detail": TEXT,
            "instance": TEXT,
            "errors": {
                "type": "object",
                "additionalProperties": TEXT,
                "description": "Per field: what is wrong with its answer.",
            },
        },
    },
    "Questionnaire": {
        "type": "object",
        "required": [
            "id",
            "title",
            "audience",
            "access",
            "editions",
            "latest_edition",
            "open_edition",
        ],
        "properties": {
            "id": TEXT,
            "title": TEXT,
            "audience": TEXT,
            "access": {"enum": ["open", "invitation"]},
            "editions": {"type": "array", "items": WHOLE},
            "latest_edition": WHOLE,
            "open_edition": nullable("integer"),
        },
    },
    "Version": {
        "type": "object",
        "required": ["version", "edition", "source", "published_by", "published_at", "current"],
        "properties": {
            "version": TEXT,
            "edition": WHOLE,
            "source": TEXT,
            "published_by": TEXT,
            "published_at": nullable("string"),
            "current": {"type": "boolean"},
        },
    },  # fmt: skip
    "Definition": {
        "type": "object",
        "description": "A parsed definition: the YAML file's content as surveyapp reads it.",
        "required": ["id", "title", "edition", "version", "pages"],
        "properties": {
            "id": TEXT,
            "title": TEXT,
            "edition": WHOLE,
            "version": TEXT,
            "pages": {"type": "array", "items": {"type": "object"}},
        },
    },
    "Edition": {
        "type": "object",
        "required": ["edition", "status", "responses"],
        "properties": {
            "edition": WHOLE,
            "status": {"enum": ["open", "closed", "imported"]},  # imported: no definition file
            "responses": WHOLE,
        },
    },
    "Response": {
        "type": "object",
        "required": ["response_id", "submitted_at", "edition", "version", "answers"],
        "properties": {
            "response_id": TEXT,
            "submitted_at": TEXT,
            "edition": WHOLE,
            "version": TEXT,
            "answers": {"type": "object", "additionalProperties": ANSWER},
            "language": {
                "type": ["string", "null"],
                "description": "Code of the language the respondent answered in",
            },
        },
    },
    "Tallies": {
        "type": "object",
        "description": "The tallies.json contract of the admin pages.",
        "required": ["survey", "edition", "responses", "latest", "questions"],
        "properties": {
            "survey": TEXT,
            "edition": WHOLE,
            "responses": WHOLE,
            "latest": nullable("string"),
            "questions": {"type": "object"},
        },
    },
    "Trends": {
        "type": "object",
        "description": "The trends.json contract of the admin pages.",
        "required": ["survey", "editions", "respondents", "questions"],
        "properties": {
            "survey": TEXT,
            "editions": {"type": "array", "items": WHOLE},
            "respondents": {"type": "object", "additionalProperties": WHOLE},
            "questions": {"type": "object"},
        },
    },
    "Invitation": {
        "type": "object",
        "required": ["id", "edition", "email", "created_at", "expires_at", "used_at"],
        "properties": {
            "id": WHOLE,
            "edition": WHOLE,
            "email": nullable("string"),
            "created_at": TEXT,
            "expires_at": TEXT,
            "used_at": nullable("string"),
        },
    },
}

HEADERS: dict[str, Schema] = {
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "schema": {"type": "string"},
    },
    "Location": {"description": "Where the created resource is.", "schema": {"type": "string"}},
}
COMPONENTS = {"schemas": SCHEMAS, "headers": HEADERS}

# The problems every operation of a kind may answer, besides its own replies.
_READ = (400, 401, 403, 404, 429, 503)
PROBLEM_CODES: dict[str, tuple[int, ...]] = {
    "public": (),
    "read": _READ,
    "write": (*_READ, 409, 413, 415, 422),
}
_RETRY = (429, 503)


def problem_reply(status: int) -> Schema:
    reply: Schema = {
        "description": HTTPStatus(status).phrase,
        "content": {"application/problem+json": {"schema": ref("Problem")}},
    }
    if status in _RETRY:
        reply["headers"] = {"Retry-After": HEADERS["Retry-After"]}
    return reply
