"""Who may call what: every role (viewer, admin) × token scope (read, write) × operation;
tokens and nothing else authenticate; revoking, demoting and disabling take effect on the
next request; requests are limited per token."""

from __future__ import annotations

import pytest

from surveyapp import store
from surveyapp.store import accounts, tokens
from surveyapp.web.api.spec import OPERATIONS
from tests.adminkit import add, cmo, login
from tests.apikit import api_app, bearer, token

pytestmark = pytest.mark.both_engines

# What a viewer reads on the admin pages: questionnaires (their questions, as the tallies
# page shows them), editions, tallies and trends; not the version history or YAML texts.
VIEWER_READS = {
    "api.questionnaires",
    "api.questionnaire",
    "api.definition_json",
    "api.edition_list",
    "api.tallies",
    "api.trends",
}
PUBLIC = {"api.openapi", "api.reference"}


@pytest.fixture
def world(make_app):
    app = api_app(make_app)
    for size in ("small", "medium", "large"):
        add(app, "cmo", cmo(size=size))
    response_id = add(app, "cmo", cmo())
    version = app.extensions["surveys"].latest("cmo").version
    return app, {"response_id": response_id, "version": version}


def request_for(endpoint: str, known: dict) -> tuple[str, str, dict | None]:
    """A request each operation accepts from an account that may make it."""
    rid, version = known["response_id"], known["version"]
    return {
        "api.questionnaires": ("GET", "/questionnaires", None),
        "api.questionnaire": ("GET", "/questionnaires/cmo", None),
        "api.definition_versions": ("GET", "/questionnaires/cmo/versions", None),
        "api.definition_json": ("GET", f"/questionnaires/cmo/versions/{version}", None),
        "api.definition_yaml": ("GET", f"/questionnaires/cmo/versions/{version}.yaml", None),
        "api.edition_list": ("GET", "/questionnaires/cmo/editions", None),
        "api.edition_open": ("POST", "/questionnaires/cmo/editions/2012/open", None),
        "api.edition_close": ("POST", "/questionnaires/cmo/editions/2012/close", None),
        "api.tallies": ("GET", "/questionnaires/cmo/tallies", None),
        "api.trends": ("GET", "/questionnaires/cmo/trends", None),
        "api.response_page": ("GET", "/questionnaires/cmo/responses", None),
        "api.response_stream": ("GET", "/questionnaires/cmo/responses.ndjson", None),
        "api.response_one": ("GET", f"/questionnaires/cmo/responses/{rid}", None),
        "api.submit": ("POST", "/questionnaires/cmo/responses", {"answers": cmo()}),
        "api.invitation_page": ("GET", "/questionnaires/invited/invitations", None),
        "api.invitation_create": ("POST", "/questionnaires/invited/invitations", {"count": 2}),
        "api.export_file": ("GET", "/questionnaires/cmo/export.sav", None),
        "api.codebook": ("GET", "/questionnaires/cmo/codebook.csv", None),
        "api.openapi": ("GET", "/openapi.json", None),
        "api.reference": ("GET", "/docs", None),
    }[endpoint]


def test_the_matrix_lists_every_operation():
    assert set(OPERATIONS) == VIEWER_READS | PUBLIC | {
        "api.definition_versions",
        "api.definition_yaml",
        "api.edition_open",
        "api.edition_close",
        "api.response_page",
        "api.response_stream",
        "api.response_one",
        "api.export_file",
        "api.codebook",
        "api.submit",
        "api.invitation_page",
        "api.invitation_create",
    }


@pytest.mark.parametrize("role", ["viewer", "admin"])
@pytest.mark.parametrize("scope", ["read", "write"])
@pytest.mark.parametrize("endpoint", sorted(set(OPERATIONS) - PUBLIC))
def test_role_and_scope_decide_each_operation(world, role, scope, endpoint):
    app, known = world
    secret = token(app, "ada" if role == "admin" else "vic", scope)
    method, path, body = request_for(endpoint, known)
    writes = method == "POST"
    allowed = (scope == "write" or not writes) and (role == "admin" or endpoint in VIEWER_READS)
    response = app.test_client().open(
        "/api/v1" + path, method=method, json=body, headers=bearer(secret)
    )
    if allowed:
        assert 200 <= response.status_code < 300, response.text
    else:
        assert response.status_code == 403, response.text
        assert response.mimetype == "application/problem+json"
    if not allowed and writes:
        assert _stored(app) == 4  # a refused write changed nothing


def _stored(app) -> int:
    db = store.thread_connection(app.config["DATABASE"])
    return db.execute("SELECT count(*) FROM responses").fetchone()[0]


def test_a_viewer_token_gets_released_figures_and_no_filters(world):
    app, _known = world
    client = app.test_client()
    viewer, admin = bearer(token(app, "vic", "read")), bearer(token(app, "ada", "read"))
    seen = client.get("/api/v1/questionnaires/cmo/tallies", headers=viewer).get_json()
    exact = client.get("/api/v1/questionnaires/cmo/tallies", headers=admin).get_json()
    assert exact["responses"] == 4
    assert seen["responses"] == 0  # today's responses are not released yet
    assert seen["released"] == {"block": 5, "through": None}
    editions = client.get("/api/v1/questionnaires/cmo/editions", headers=viewer).get_json()
    assert editions == [{"edition": 2012, "status": "open", "responses": 0}]
    for query in ("since=2020-01-01", "until=2030-01-01", "answer.company_size=small"):
        for what in ("tallies", "trends"):
            refused = client.get(f"/api/v1/questionnaires/cmo/{what}?{query}", headers=viewer)
            if what == "trends" and "answer" not in query:
                assert refused.status_code == 200  # trends take no time filter at all
                continue
            assert refused.status_code == 403, (what, query)
            assert "whole editions" in refused.get_json()["detail"]
    filtered = client.get(
        "/api/v1/questionnaires/cmo/tallies?answer.company_size=small", headers=admin
    ).get_json()
    assert filtered["responses"] == 2


def test_a_session_cookie_does_not_authenticate_the_api(world):
    app, _known = world
    client = app.test_client()
    assert login(client).status_code == 302
    assert client.get("/admin/").status_code == 200
    response = client.get("/api/v1/questionnaires")
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"


def test_bad_tokens_are_refused(world):
    app, _known = world
    client = app.test_client()
    secret = token(app, "ada", "read")
    for header in (
        secret,
        f"Basic {secret}",
        "Bearer",
        f"Bearer {secret}x",
        f"Bearer {secret[:-1]}",
        "Bearer sa_" + "A" * 200,
    ):
        response = client.get("/api/v1/questionnaires", headers={"Authorization": header})
        assert response.status_code == 401, header
    assert client.get("/api/v1/questionnaires", headers=bearer(secret)).status_code == 200


def test_revoking_takes_effect_at_once(world):
    app, _known = world
    client = app.test_client()
    secret = token(app, "ada", "write")
    assert client.get("/api/v1/questionnaires", headers=bearer(secret)).status_code == 200
    db = store.thread_connection(app.config["DATABASE"])
    (row,) = [t for t in tokens.listing(db, "ada")]
    assert tokens.revoke(db, row["id"])
    refused = client.get("/api/v1/questionnaires", headers=bearer(secret))
    assert refused.status_code == 401
    assert "revoked" in refused.get_json()["detail"]


def test_a_role_taken_away_takes_effect_at_once(world):
    app, _known = world
    client = app.test_client()
    secret = bearer(token(app, "vic", "write"))
    db = store.thread_connection(app.config["DATABASE"])
    accounts.set_role(db, "vic", "admin")
    assert client.get("/api/v1/questionnaires/cmo/responses", headers=secret).status_code == 200
    accounts.set_role(db, "vic", "viewer")
    assert client.get("/api/v1/questionnaires/cmo/responses", headers=secret).status_code == 403


def _disable(db, username: str) -> None:
    """Disable an account as the accounts module does where accounts can be disabled."""
    if hasattr(accounts, "set_enabled"):
        accounts.set_enabled(db, username, False)
        return
    columns = {row[1] for row in db.execute("PRAGMA table_info(admins)")}
    if "disabled_at" not in columns:
        db.execute("ALTER TABLE admins ADD COLUMN disabled_at TEXT")
    with store.immediate(db):
        db.execute(
            "UPDATE admins SET disabled_at = ? WHERE username = ?", [store.utcnow(), username]
        )


def test_a_disabled_account_s_tokens_are_refused(world):
    app, _known = world
    client = app.test_client()
    secret = bearer(token(app, "vic", "read"))
    assert client.get("/api/v1/questionnaires", headers=secret).status_code == 200
    _disable(store.thread_connection(app.config["DATABASE"]), "vic")
    refused = client.get("/api/v1/questionnaires", headers=secret)
    assert refused.status_code == 401
    assert "disabled" in refused.get_json()["detail"]


def test_requests_are_limited_per_token(make_app):
    app = api_app(make_app, API_RATE_LIMIT=3, API_RATE_WINDOW_SECONDS=60)
    client = app.test_client()
    first, second = bearer(token(app, "ada", "read")), bearer(token(app, "ada", "read"))
    for _ in range(3):
        assert client.get("/api/v1/questionnaires", headers=first).status_code == 200
    refused = client.get("/api/v1/questionnaires", headers=first)
    assert refused.status_code == 429
    assert refused.mimetype == "application/problem+json"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert client.get("/api/v1/questionnaires", headers=second).status_code == 200


def test_the_window_starts_again_after_it_ends(make_app):
    from datetime import UTC, datetime, timedelta

    app = api_app(make_app)
    db = store.thread_connection(app.config["DATABASE"])
    token(app, "ada", "read")
    token_id = tokens.listing(db)[0]["id"]
    start = datetime(2030, 1, 1, tzinfo=UTC)
    counted = [
        tokens.count_request(db, token_id, 2, 60, start + timedelta(seconds=s)) for s in (0, 10, 59)
    ]
    assert [c.allowed for c in counted] == [True, True, False]
    assert counted[2].retry_after == 1
    later = tokens.count_request(db, token_id, 2, 60, start + timedelta(seconds=61))
    assert later.allowed
