"""API tokens: made, listed and revoked on /admin/tokens and with `token ...`; shown once,
stored as a SHA-256 hash only; viewers manage their own, admins every account's."""

from __future__ import annotations

import hashlib
import re

import pytest

from surveyapp import store
from surveyapp.store import audit
from tests.adminkit import csrf, login
from tests.apikit import api_app, bearer

pytestmark = pytest.mark.both_engines

TOKEN = re.compile(r"sa_[A-Za-z0-9_-]{43}")


@pytest.fixture
def app(make_app):
    return api_app(make_app)


def db_of(app):
    return store.thread_connection(app.config["DATABASE"])


def test_the_cli_makes_lists_and_revokes_tokens(app):
    runner = app.test_cli_runner()
    made = runner.invoke(args=["token", "create", "vic", "--scope", "read", "--name", "bi"])
    assert made.exit_code == 0, made.output
    (secret,) = TOKEN.findall(made.stdout)
    db = db_of(app)
    row = db.execute("SELECT token_hash, hint FROM api_tokens").fetchone()
    assert row[0] == hashlib.sha256(secret.encode()).hexdigest()
    dump = " ".join(str(v) for r in db.execute("SELECT * FROM api_tokens") for v in r)
    assert secret not in dump and secret[7:] not in dump
    listed = runner.invoke(args=["token", "list"])
    assert "#1\tvic\tread\t" + secret[:7] in listed.stdout and secret not in listed.stdout
    client = app.test_client()
    assert client.get("/api/v1/questionnaires", headers=bearer(secret)).status_code == 200
    assert runner.invoke(args=["token", "revoke", "1"]).exit_code == 0
    assert client.get("/api/v1/questionnaires", headers=bearer(secret)).status_code == 401
    again = runner.invoke(args=["token", "revoke", "1"])
    assert again.exit_code == 1 and "already" in again.output
    assert "revoked" in runner.invoke(args=["token", "list", "vic"]).stdout
    actions = [e["action"] for e in audit.entries(db, 10, 0)]
    assert actions[:2] == ["token_revoke", "token_create"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["token", "create", "nobody"], "no account 'nobody'"),
        (["token", "create", "ada", "--scope", "admin"], "Invalid value for '--scope'"),
        (["token", "revoke", "99"], "no token #99"),
    ],
)
def test_the_cli_refuses_clearly(app, args, message):
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code != 0
    assert message in result.output
    assert db_of(app).execute("SELECT count(*) FROM api_tokens").fetchone()[0] == 0


def make_on_page(client, scope="read", name="dashboards"):
    page = client.get("/admin/tokens")
    return client.post(
        "/admin/tokens", data={"csrf_token": csrf(page.text), "name": name, "scope": scope}
    )


def test_a_viewer_makes_and_revokes_its_own_tokens_in_the_browser(app):
    viewer = app.test_client()
    assert login(viewer, "vic").status_code == 302
    made = make_on_page(viewer, "write")
    assert made.status_code == 200
    (secret,) = TOKEN.findall(made.text)
    assert "shown this once" in made.text
    again = viewer.get("/admin/tokens")
    assert secret not in again.text and secret[:7] in again.text  # never shown twice
    api = app.test_client()
    assert api.get("/api/v1/questionnaires", headers=bearer(secret)).status_code == 200
    # a write token of a viewer still writes nothing
    close = api.post("/api/v1/questionnaires/cmo/editions/2012/close", headers=bearer(secret))
    assert close.status_code == 403
    revoke = viewer.post("/admin/tokens/1/revoke", data={"csrf_token": csrf(again.text)})
    assert revoke.status_code == 303
    assert api.get("/api/v1/questionnaires", headers=bearer(secret)).status_code == 401


def test_viewers_see_and_revoke_only_their_own_admins_every_one(app):
    admin, viewer = app.test_client(), app.test_client()
    login(admin, "ada")
    login(viewer, "vic")
    (admin_secret,) = TOKEN.findall(make_on_page(admin, name="admin's").text)
    (viewer_secret,) = TOKEN.findall(make_on_page(viewer, name="viewer's").text)
    seen = viewer.get("/admin/tokens").text
    assert "viewer&#39;s" in seen and "admin&#39;s" not in seen
    refused = viewer.post("/admin/tokens/1/revoke", data={"csrf_token": csrf(seen)})
    assert refused.status_code == 404
    everything = admin.get("/admin/tokens").text
    assert "viewer&#39;s" in everything and "admin&#39;s" in everything
    assert (
        admin.post("/admin/tokens/2/revoke", data={"csrf_token": csrf(everything)}).status_code
        == 303
    )
    api = app.test_client()
    assert api.get("/api/v1/questionnaires", headers=bearer(viewer_secret)).status_code == 401
    assert api.get("/api/v1/questionnaires", headers=bearer(admin_secret)).status_code == 200
    entry = audit.entries(db_of(app), 1, 0)[0]
    assert (entry["action"], entry["actor"], entry["details"]["account"]) == (
        "token_revoke",
        "ada",
        "vic",
    )


def test_the_token_page_needs_a_login_and_a_csrf_token(app):
    anonymous = app.test_client()
    assert anonymous.get("/admin/tokens").status_code == 302
    viewer = app.test_client()
    login(viewer, "vic")
    assert viewer.post("/admin/tokens", data={"name": "x", "scope": "read"}).status_code == 400
    assert db_of(app).execute("SELECT count(*) FROM api_tokens").fetchone()[0] == 0


def test_a_token_name_too_long_is_refused(app):
    viewer = app.test_client()
    login(viewer, "vic")
    refused = make_on_page(viewer, name="x" * 81)
    assert refused.status_code == 400
    assert not TOKEN.findall(refused.text)
