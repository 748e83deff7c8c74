"""Submitting a response through the API: the open edition, the forms' checks
(answers.check_definition), and an optional Idempotency-Key: a retry with the same key
and body answers 200 with the first response's id, the same key with another body 409.
The key is stored in the response's own transaction (store.tokens.idempotency_claim)."""

from __future__ import annotations

import hashlib
from typing import Any

import orjson
from flask import g, request, url_for

from surveyapp import store
from surveyapp.questionnaire.answers import check_definition, counted_fields
from surveyapp.questionnaire.loader import field_names
from surveyapp.store import listing, tokens
from surveyapp.web import get_db, open_definition
from surveyapp.web.api.problems import fail, json_body
from surveyapp.web.api.questionnaires import editions_or_404
from surveyapp.web.api.schemas import ANSWER, SURVEY_EDITION, record
from surveyapp.web.api.spec import Param, Reply, operations

write = operations("responses")[1]
BODY = {
    "type": "object",
    "required": ["answers"],
    "additionalProperties": False,
    "properties": {
        "answers": {
            "type": "object",
            "maxProperties": 1000,
            "additionalProperties": ANSWER,
            "description": "{field: code or text, or a list of codes}; field names and"
            " codes as in the export (`<question>-<item>` for a matrix row).",
        },
        "edition": {"type": "integer", "description": "Refused unless it is the open edition."},
    },
}
SUBMITTED = record(
    {"response_id": {"type": "string"}}
    | SURVEY_EDITION
    | {
        "version": {"type": "string"},
        "replayed": {
            "type": "boolean",
            "description": "true: an earlier request with this key stored it",
        },
    }
)
KEY = Param(
    "Idempotency-Key",
    {"type": "string", "minLength": 1, "maxLength": tokens.KEY_MAX, "pattern": "^[\\x21-\\x7e]+$"},
    "Any unique text (e.g. a UUID): a retry with the same key and body stores nothing"
    " and answers 200 with the first response's id.",
    where="header",
)


def _body() -> dict[str, Any]:
    body = json_body("Send the response as application/json.")
    if not isinstance(body, dict) or not isinstance(body.get("answers"), dict):
        fail(422, 'The body must be an object with "answers": {field: value}.')
    edition = body.get("edition", 0)
    whole = isinstance(edition, int) and not isinstance(edition, bool) and abs(edition) < 10**9
    if set(body) - {"answers", "edition"} or not whole:
        fail(422, "Only 'answers' and an integer 'edition' may be sent.")
    return body


def _shape_errors(answers: dict[str, Any], known: set[str]) -> dict[str, str]:
    errors = {}
    for name, value in answers.items():
        values = value if isinstance(value, list) else [value]
        if not all(isinstance(v, str) and _utf8(v) for v in values) or not _utf8(name):
            errors[name[:100]] = "must be text or a list of texts"
        elif name not in known:
            errors[name[:100]] = "not a field of this edition"
    return errors


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in text


def _key() -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    if not 0 < len(key) <= tokens.KEY_MAX or not all(0x21 <= ord(c) <= 0x7E for c in key):
        fail(400, "Idempotency-Key: 1 to 255 visible ASCII characters")
    return key


def _replay(survey_id: str, response_id: str, status: int = 200) -> tuple[dict, int, dict]:
    found = listing.get_response(get_db(), survey_id, response_id)
    edition, version = (found["edition"], found["version"]) if found else (None, None)
    body = {
        "response_id": response_id,
        "survey": survey_id,
        "edition": edition,
        "version": version,
        "replayed": status == 200,
    }
    where = url_for("api.response_one", survey_id=survey_id, response_id=response_id)
    return body, status, {"Location": where}


def _previous(key: str | None, digest: str) -> str | None:
    if key is None:
        return None
    try:
        return tokens.idempotent_response(get_db(), g.admin["id"], key, digest)
    except tokens.KeyReused:
        fail(409, "This Idempotency-Key was used with another body.")


@write(
    "/questionnaires/<survey_id>/responses",
    summary="Submit a response",
    mirrors="admin.import_history",
    params=(KEY,),
    body=BODY,
    description="Stored in the open edition after the checks the forms make."
    " Invitation-only editions take answers through their links only.",
    replies={
        201: Reply("Stored", SUBMITTED, headers=("Location",)),
        200: Reply("Stored before, under this Idempotency-Key", SUBMITTED, headers=("Location",)),
    },
)
def submit(survey_id: str):
    editions_or_404(survey_id)
    body, key = _body(), _key()
    answers = body["answers"]
    shape = _shape_errors(answers, set())
    if any(message != "not a field of this edition" for message in shape.values()):
        fail(422, "Some answers are not text.", errors=shape)
    canonical = orjson.dumps([survey_id, body], option=orjson.OPT_SORT_KEYS)
    digest = hashlib.sha256(canonical).hexdigest()
    earlier = _previous(key, digest)
    if earlier is not None:
        return _replay(survey_id, earlier)
    return _store(survey_id, body, key, digest)


def _store(survey_id: str, body: dict, key: str | None, digest: str):
    definition = open_definition(survey_id)
    if definition is None or body.get("edition", definition.edition) != definition.edition:
        fail(409, f"{survey_id}: that edition is not open to answers.")
    if definition.access == "invitation":
        fail(403, "This edition is invitation-only: answers come through its links.")
    errors = _shape_errors(body["answers"], set(field_names(definition)))
    clean, checked = check_definition(definition, body["answers"])
    errors |= checked
    if errors:
        fail(422, "Some answers were refused; nothing was stored.", errors=errors)
    claim = tokens.idempotency_claim(g.admin["id"], key, digest) if key else None
    try:
        response_id, _created = store.insert_response(
            get_db(),
            survey=survey_id,
            edition=definition.edition,
            version=definition.version,
            answers=clean,
            counted=counted_fields(definition),
            claim=claim,
        )
    except tokens.Replayed as replayed:
        return _replay(survey_id, replayed.response_id)
    except tokens.KeyReused:
        fail(409, "This Idempotency-Key was used with another body.")
    return _replay(survey_id, response_id, 201)
