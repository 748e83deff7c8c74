"""Admin accounts: log-in, log-out, lock-out, the first-admin bootstrap, every route guarded."""

from __future__ import annotations

import re

import pytest

from surveyapp import store
from surveyapp.cli.serve import bootstrap_admin
from surveyapp.store import accounts
from surveyapp.web.admin.login import LOGIN_FAILED
from tests.adminkit import PASSWORD, admin_client, csrf, login, make_admin

ARGS = {"survey_id": "cmo", "response_id": "nope", "fmt": "csv", "edition": "2012",
        "action": "close", "username": "ada", "kind": "png", "p": "0", "q": "0",
        "index": "0"}  # fmt: skip


@pytest.fixture
def lock_app(make_app):
    return make_app(LOGIN_MAX_FAILURES=3, LOGIN_LOCK_SECONDS=600)


def test_login_then_logout(app):
    make_admin(app)
    client = app.test_client()
    response = login(client)
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/"
    page = client.get("/admin/")
    assert page.status_code == 200 and "ada (admin)" in page.text
    out = client.post("/admin/logout", data={"csrf_token": csrf(page.text)})
    assert out.status_code == 302 and out.headers["Location"].startswith("/admin/login")
    assert client.get("/admin/").status_code == 302


def test_logout_needs_csrf_token(app):
    client = admin_client(app)
    assert client.post("/admin/logout").status_code == 400
    assert client.get("/admin/").status_code == 200


def test_wrong_password_and_unknown_user_get_the_same_message(app):
    make_admin(app)
    client = app.test_client()
    wrong_password = login(client, password="not it at all")
    unknown_user = login(client, username="nobody")
    assert wrong_password.status_code == unknown_user.status_code == 401
    for response in (wrong_password, unknown_user):
        assert LOGIN_FAILED in response.text
        assert "password" not in response.text.split("</h1>", 1)[1].split("<form", 1)[0].lower()


def test_login_redirects_only_to_admin_pages(app):
    make_admin(app)
    client = app.test_client()
    page = client.get("/admin/login?next=/admin/surveys/cmo")
    data = {"csrf_token": csrf(page.text), "username": "ada", "password": PASSWORD}
    ok = client.post("/admin/login?next=/admin/surveys/cmo", data=data)
    assert ok.headers["Location"] == "/admin/surveys/cmo"
    data["csrf_token"] = csrf(client.get("/admin/login").text)
    evil = client.post("/admin/login?next=//evil.example/admin", data=data)
    assert evil.headers["Location"] == "/admin/"


def test_account_locked_after_repeated_failures(lock_app):
    make_admin(lock_app)
    for number in range(3):
        client = lock_app.test_client()
        # Different addresses: only the account counter reaches the limit.
        assert login(client, password="wrong", REMOTE_ADDR=f"10.0.0.{number}").status_code == 401
    locked = login(lock_app.test_client(), REMOTE_ADDR="10.0.1.1")
    assert locked.status_code == 401
    assert LOGIN_FAILED in locked.text
    make_admin(lock_app, username="grace")
    assert login(lock_app.test_client(), "grace", REMOTE_ADDR="10.0.1.1").status_code == 302


def test_address_locked_after_failures_on_many_accounts(lock_app):
    make_admin(lock_app)
    for name in ("x1", "x2", "x3"):
        login(lock_app.test_client(), username=name, REMOTE_ADDR="10.9.9.9")
    assert login(lock_app.test_client(), REMOTE_ADDR="10.9.9.9").status_code == 401
    assert login(lock_app.test_client(), REMOTE_ADDR="10.9.9.10").status_code == 302


def test_lock_expires_after_the_window(make_app):
    app = make_app(LOGIN_MAX_FAILURES=2, LOGIN_LOCK_SECONDS=600)
    make_admin(app)
    for _ in range(2):
        login(app.test_client(), password="wrong")
    assert login(app.test_client()).status_code == 401
    db = store.thread_connection(app.config["DATABASE"])
    with store.immediate(db):
        db.execute("UPDATE login_failures SET at = '2000-01-01T00:00:00.000000Z'")
    assert login(app.test_client()).status_code == 302


def test_success_clears_the_account_counter(lock_app):
    make_admin(lock_app)
    for _ in range(2):
        login(lock_app.test_client(), password="wrong", REMOTE_ADDR="10.1.1.1")
    assert login(lock_app.test_client(), REMOTE_ADDR="10.2.2.2").status_code == 302
    login(lock_app.test_client(), password="wrong", REMOTE_ADDR="10.3.3.3")
    assert login(lock_app.test_client(), REMOTE_ADDR="10.4.4.4").status_code == 302


def _admin_rules(app):
    rules = [r for r in app.url_map.iter_rules() if r.rule.startswith("/admin")]
    return [r for r in rules if r.endpoint != "admin.login"]


def _url(rule, fmt="csv"):
    url = rule.rule
    for name in rule.arguments:
        url = re.sub(rf"<(\w+:)?{name}>", {**ARGS, "fmt": fmt}[name], url)
    return url


def test_every_admin_route_refuses_anonymous_users(app):
    rules = _admin_rules(app)
    endpoints = {r.endpoint for r in rules}
    assert {
        "admin.dashboard",
        "admin.survey",
        "admin.tallies_json",
        "admin.responses",
        "admin.response",
        "admin.export_file",
        "admin.codebook",
        "admin.logout",
    } <= endpoints
    client = app.test_client()
    token = csrf(client.get("/admin/login").text)
    checked = 0
    for rule in rules:
        formats = ("csv", "jsonl", "xlsx") if "fmt" in rule.arguments else ("csv",)
        for fmt in formats:
            url = _url(rule, fmt)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                response = client.open(url, method=method, data={"csrf_token": token})
                checked += 1
                if url.endswith(".json"):
                    assert response.status_code == 401, url
                    assert response.json == {"error": "login required"}
                else:
                    assert response.status_code == 302, (method, url, response.status_code)
                    assert response.headers["Location"].startswith("/admin/login?next="), url
    assert checked >= 10


def test_json_clients_get_401_everywhere(app):
    response = app.test_client().get("/admin/", headers={"Accept": "application/json"})
    assert response.status_code == 401


def test_viewer_role_can_read(app):
    make_admin(app, username="vic", role="viewer")
    client = app.test_client()
    assert login(client, "vic").status_code == 302
    assert client.get("/admin/surveys/cmo").status_code == 200


def test_bootstrap_admin_from_environment(app, db, monkeypatch):
    monkeypatch.setenv("SURVEYAPP_ADMIN_USER", "boss")
    monkeypatch.setenv("SURVEYAPP_ADMIN_PASSWORD", "from the environment")
    assert bootstrap_admin(db) is None
    assert accounts.get_admin(db, "boss")["role"] == "admin"
    assert login(app.test_client(), "boss", "from the environment").status_code == 302
    monkeypatch.setenv("SURVEYAPP_ADMIN_USER", "second")
    assert bootstrap_admin(db) is None
    assert accounts.get_admin(db, "second") is None


def test_bootstrap_admin_generates_a_password_once(app, db, monkeypatch):
    monkeypatch.delenv("SURVEYAPP_ADMIN_USER", raising=False)
    monkeypatch.delenv("SURVEYAPP_ADMIN_PASSWORD", raising=False)
    generated = bootstrap_admin(db)
    assert generated and len(generated) >= 12
    assert login(app.test_client(), "admin", generated).status_code == 302
    assert bootstrap_admin(db) is None


def test_create_admin_command(app, runner, monkeypatch):
    monkeypatch.setenv("SURVEYAPP_ADMIN_PASSWORD", "long enough pw")
    result = runner.invoke(args=["create-admin", "carol", "--role", "viewer"])
    assert result.exit_code == 0, result.output
    assert login(app.test_client(), "carol", "long enough pw").status_code == 302
    monkeypatch.setenv("SURVEYAPP_ADMIN_PASSWORD", "short")
    assert runner.invoke(args=["create-admin", "dave"]).exit_code != 0
    assert accounts.get_admin(store.thread_connection(app.config["DATABASE"]), "dave") is None


def test_password_is_stored_hashed(app, db):
    make_admin(app)
    stored = accounts.get_admin(db, "ada")["password_hash"]
    assert PASSWORD not in stored and re.match(r"^(scrypt|pbkdf2)", stored)
