"""Who may call the API: a bearer token, and nothing else (no session cookie).

Every operation declares a scope and the admin endpoint whose role rule it follows
(spec.Operation.mirrors); the rule itself is the admin pages' (`auth.allowed` over
`auth.VIEWER_ENDPOINTS`), applied to the token's account as if it were logged in. So a
viewer's token reaches what a viewer reaches, and `common.reads_raw` gives it released
figures as the pages do. Requests are counted per token in the database (every worker
agrees); past API_RATE_LIMIT in API_RATE_WINDOW_SECONDS the answer is 429.
"""

from __future__ import annotations

from flask import current_app, g, request

from surveyapp import store
from surveyapp.store import tokens
from surveyapp.web import get_db
from surveyapp.web.admin import auth
from surveyapp.web.api.problems import fail
from surveyapp.web.api.spec import OPERATIONS

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="surveyapp"'}


def bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    kind, _, token = header.partition(" ")
    return token.strip() if kind.lower() == "bearer" and token.strip() else None


def log_storage_error(error: Exception) -> None:
    current_app.logger.error("API request failed on the database: %s", error)


def _count(token_id: int, writes: bool) -> None:
    """Count the request; 429 past the limit. A read goes on (uncounted) when the database
    refuses the count (a restore, a full disk); a write fails with it. A limit of 0
    counts nothing."""
    limit, window = (
        int(current_app.config[key]) for key in ("API_RATE_LIMIT", "API_RATE_WINDOW_SECONDS")
    )
    if limit <= 0:
        return
    try:
        rate = tokens.count_request(get_db(), token_id, limit, window)
    except store.DatabaseError as exc:
        if writes:
            raise
        log_storage_error(exc)
        return
    if not rate.allowed:
        fail(
            429,
            "Too many requests with this token: wait and try again.",
            {"Retry-After": str(rate.retry_after)},
        )


def check() -> None:
    """before_request of the API blueprint."""
    op = OPERATIONS.get(request.endpoint or "")
    if op is None:
        fail(404, "No such operation.")
    if op.scope is None:
        return
    token = bearer()
    if token is None:
        fail(401, "Send an API token: Authorization: Bearer <token>.", CHALLENGE)
    found = tokens.authenticate(get_db(), token)
    if found is None:
        fail(401, "This token is unknown or revoked.", CHALLENGE)
    row, account = found
    if account.get("disabled_at"):
        fail(401, "The token's account is disabled.", CHALLENGE)
    _count(row["id"], op.scope == "write")
    g.admin, g.api_token = account, row
    if op.scope == "write" and row["scope"] != "write":
        fail(403, "This token is read-only: a write needs a token with scope 'write'.")
    if not auth.allowed(op.mirrors or ""):
        fail(403, "This needs the admin role: the token's account is a viewer.")


def actor() -> str:
    """Who an audit entry names for an API write: the account and its token."""
    return f"{g.admin['username']} (API token #{g.api_token['id']})"
