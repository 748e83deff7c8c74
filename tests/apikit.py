"""Helpers for API tests: an app with an open and an invitation-only questionnaire, tokens
for an admin and a viewer, headers."""

from __future__ import annotations

from pathlib import Path

from surveyapp import SHIPPED_SURVEYS, store
from surveyapp.store import tokens
from tests.adminkit import make_admin

INVITES = Path(__file__).parent / "invite_questionnaires"
RESPONSES = "/api/v1/questionnaires/cmo/responses"


def token(app, username: str, scope: str) -> str:
    with app.app_context():
        db = store.thread_connection(app.config["DATABASE"])
        return tokens.create(db, username, scope, f"{scope} test")[1]


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def api_app(make_app, **config):
    """The shipped questionnaires and the invitation-only `invited`, accounts `ada` (admin)
    and `vic` (viewer)."""
    app = make_app(SHIPPED_SURVEYS, INVITES, **config)
    make_admin(app, "ada")
    make_admin(app, "vic", role="viewer")
    return app
