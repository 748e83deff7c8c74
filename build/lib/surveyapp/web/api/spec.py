"""Each API route declares itself once, with `operation`: its rule, who may call it (token
scope and the admin endpoint whose role rule it follows), its parameters and the schemas
of its body and answers. The Flask route and the OpenAPI 3.1 document both come from
that declaration (`document`), so the published description cannot drift from the code.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from surveyapp.web.api import bp
from surveyapp.web.api.schemas import COMPONENTS, PROBLEM_CODES, problem_reply

Schema = dict[str, Any]
PREFIX = "/api/v1"
_CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")
_TYPES = {
    "int": {"type": "integer", "minimum": 0},
    None: {"type": "string", "minLength": 1, "maxLength": 200},
}


@dataclass(frozen=True)
class Param:
    """One parameter of an operation, as the OpenAPI document states it: `where` is
    "query" or "path"."""

    name: str
    schema: Schema
    description: str
    where: str = "query"
    required: bool = False


@dataclass(frozen=True)
class Reply:
    description: str
    schema: Schema | None = None
    media: str = "application/json"
    headers: tuple[str, ...] = ()
    also: tuple[tuple[str, Schema], ...] = ()  # other media types, by Accept


@dataclass(frozen=True)
class Operation:
    rule: str
    method: str
    endpoint: str
    summary: str
    scope: str | None  # None: public (the API's own description)
    mirrors: str | None  # the admin endpoint whose role rule applies
    params: tuple[Param, ...] = ()
    body: Schema | None = None
    replies: dict[int, Reply] = field(default_factory=dict)
    tag: str = ""
    description: str = ""


OPERATIONS: dict[str, Operation] = {}


def operation(rule: str, method: str = "GET", **declared: Any) -> Callable:
    """Register the view as a route of the API blueprint and as an OpenAPI operation."""

    def register(view: Callable) -> Callable:
        found = Operation(rule=rule, method=method, endpoint=f"api.{view.__name__}", **declared)
        if declared.get("scope") not in (None, "read", "write"):
            raise ValueError(f"{found.endpoint}: scope must be read, write or None")
        OPERATIONS[found.endpoint] = found
        bp.add_url_rule(rule, view.__name__, view, methods=[method])
        return view

    return register


def operations(tag: str, **shared: Any) -> tuple[Callable[..., Callable], Callable[..., Callable]]:
    """`operation` for one tag's reads (GET, scope read) and writes (POST, scope write),
    with what else they all declare alike (`shared`)."""
    reads = functools.partial(operation, scope="read", tag=tag, **shared)
    return reads, functools.partial(operation, method="POST", scope="write", tag=tag, **shared)


def openapi_path(rule: str) -> str:
    return _CONVERTER.sub(lambda m: "{" + m.group(2) + "}", rule)


def _parameters(op: Operation) -> list[Schema]:
    """The rule's path parameters (a Param with where="path" describes one more closely),
    then the declared query and header parameters."""
    declared = {p.name: p for p in op.params if p.where == "path"}
    found = []
    for converter, name in _CONVERTER.findall(op.rule):
        given = declared.get(name)
        schema = given.schema if given else dict(_TYPES[converter or None])
        entry = {"name": name, "in": "path", "required": True, "schema": schema}
        found.append(entry | ({"description": given.description} if given else {}))
    for p in op.params:
        if p.where == "path":
            continue
        entry = {"name": p.name, "in": p.where, "required": p.required,
                 "description": p.description, "schema": p.schema}  # fmt: skip
        found.append(entry)
    return found


def _replies(op: Operation) -> Schema:
    replies: Schema = {}
    for status, reply in sorted(op.replies.items()):
        entry: Schema = {"description": reply.description}
        if reply.schema is not None:
            entry["content"] = {reply.media: {"schema": reply.schema}}
            entry["content"] |= {media: {"schema": schema} for media, schema in reply.also}
        if reply.headers:
            entry["headers"] = {h: COMPONENTS["headers"][h] for h in reply.headers}
        replies[str(status)] = entry
    codes = PROBLEM_CODES["public" if op.scope is None else op.scope]
    for status in codes:
        replies.setdefault(str(status), problem_reply(status))
    return replies


def _operation(op: Operation) -> Schema:
    entry: Schema = {
        "operationId": op.endpoint.removeprefix("api."),
        "summary": op.summary,
        "tags": [op.tag] if op.tag else [],
        "parameters": _parameters(op),
        "responses": _replies(op),
    }
    if op.description:
        entry["description"] = op.description
    if op.scope is None:
        entry["security"] = []
    else:
        entry["x-scope"] = op.scope
        entry["x-role-of"] = op.mirrors
    if op.body is not None:
        entry["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": op.body}},
        }
    return entry


def document() -> Schema:
    """The OpenAPI 3.1 document of every registered operation."""
    paths: Schema = {}
    for op in OPERATIONS.values():
        paths.setdefault(openapi_path(op.rule), {})[op.method.lower()] = _operation(op)
    return {
        "openapi": "3.1.0",
        "info": {"title": "surveyapp API", "version": "1", "description": DESCRIPTION},
        "servers": [{"url": PREFIX}],
        "security": [{"token": []}],
        "paths": paths,
        "components": {
            "schemas": COMPONENTS["schemas"],
            "securitySchemes": {
                "token": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An API token: `sa_...`",
                }
            },
        },
    }


DESCRIPTION = (
    "Questionnaires, editions, responses, figures and invitations of one surveyapp site. "
    "Every call but this description needs `Authorization: Bearer <token>` with an API "
    "token (made on /admin/tokens or with `surveyapp token create`). A token reads "
    "(scope `read`) or reads and writes (scope `write`), within its account's role: a "
    "viewer's token reads what a viewer reads on the admin pages (released figures) and "
    "nothing else. Errors are `application/problem+json` (RFC 9457). Requests are counted "
    "per token; past the limit the answer is 429 with Retry-After."
)
