"""Errors of the API as `application/problem+json` (RFC 9457): `fail` stops a request
with one, and `as_problem` turns any HTTP error met under /api/ (a missing route, a wrong
method, a body too large, an admin helper's abort) into one."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any, NoReturn

from flask import Response, abort, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed

MEDIA = "application/problem+json"
TYPES = "https://www.rfc-editor.org/rfc/rfc9110#status."


def problem(
    status: int, detail: str, headers: dict[str, str] | None = None, **extensions: Any
) -> Response:
    body = {
        "type": f"{TYPES}{status}" if status != 429 else "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": request.path,
        **extensions,
    }
    response = Response(json.dumps(body, ensure_ascii=False), status=status, mimetype=MEDIA)
    response.headers["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def fail(
    status: int, detail: str, headers: dict[str, str] | None = None, **extensions: Any
) -> NoReturn:
    abort(problem(status, detail, headers, **extensions))


def json_body(media_detail: str) -> Any:
    """The request's JSON body: 415 (`media_detail`) unless it is application/json, 400
    unless it parses."""
    if request.mimetype != "application/json":
        fail(415, media_detail)
    try:
        return json.loads(request.get_data(cache=False) or b"null")
    except (ValueError, RecursionError):
        fail(400, "The body is not JSON.")


def _detail(error: HTTPException) -> str:
    """The message of an error, also when an admin helper sent it as JSON `{"error": ...}`."""
    response = error.response
    if response is not None and response.mimetype == "application/json":
        try:
            return str(json.loads(response.get_data(as_text=True)).get("error"))
        except (ValueError, AttributeError):
            pass
    return error.description or HTTPStatus(error.code or 500).phrase


def as_problem(error: HTTPException) -> Response:
    if error.response is not None and error.response.mimetype == MEDIA:
        return error.response
    status = error.code or 500
    if error.response is not None:
        status = error.response.status_code
    headers = {}
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        headers["Allow"] = ", ".join(sorted(error.valid_methods))
    retry = error.response.headers.get("Retry-After") if error.response is not None else None
    if retry or status == 503:
        headers["Retry-After"] = retry or "30"
    return problem(status, _detail(error), headers)
