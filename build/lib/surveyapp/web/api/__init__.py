"""The REST API (`/api/v1`): JSON only, authenticated by API tokens alone (never the
session cookie), errors as application/problem+json. Each route declares its access and
schemas with `spec.operation`; `/api/v1/openapi.json` is generated from them."""

from flask import Blueprint
from werkzeug.exceptions import HTTPException

from surveyapp import store
from surveyapp.web import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # no cookie authenticates the API, so no request can be forged with one

from surveyapp.web.api import access, problems  # noqa: E402

bp.before_request(access.check)


@bp.after_request
def _no_store(response):
    response.headers.setdefault("Cache-Control", "no-store")
    return response


@bp.errorhandler(HTTPException)
def _http_error(error):
    return problems.as_problem(error)


@bp.errorhandler(store.DatabaseError)
def _storage_error(error):
    """A write refused (a restore running, the write queue stuck, a full disk): nothing
    was changed, the client may try again."""
    if not isinstance(error, store.Maintenance | store.StorageBusy):
        access.log_storage_error(error)
    detail = "The database could not take this request just now; nothing was changed."
    return problems.problem(503, detail, {"Retry-After": "30"})


from surveyapp.web.api import (  # noqa: E402, F401 - register routes
    docs,
    exports,
    figures,
    invitations,
    questionnaires,
    responses,
    submit,
)
