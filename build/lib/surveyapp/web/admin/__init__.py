"""The admin side (`/admin`): every endpoint needs an account, and the admin role unless
`auth.VIEWER_ENDPOINTS` lists it; the guard runs before any view."""

from flask import Blueprint

from surveyapp.web.admin import auth

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.before_request(auth.guard_blueprint)


@bp.after_request
def _no_store(response):
    """Admin pages show responses and accounts: no browser or proxy may keep a copy.
    Live figures still answer 304: admin.js sends the ETag it holds itself."""
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.context_processor
def _permissions() -> dict:
    return {"may": auth.allowed}


from surveyapp.web.admin import (  # noqa: E402, F401 - register routes
    builder,
    builder_brand,
    builder_editor,
    builder_preview,
    builder_publish,
    builder_text,
    crosstab,
    editions,
    exports,
    imports,
    invitations,
    live,
    login,
    printed,
    reports,
    response_actions,
    responses,
    results,
    schedules,
    sharing,
    shell,
    tokens,
    users,
    webhooks,
    weights,
)
