"""Admin accounts: log-in, log-out, lock-out, the first-admin bootstrap, every route guarded."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from surveyapp import store
from surveyapp.cli.serve import bootstrap_admin
from surveyapp.store import accounts, audit, logins
from surveyapp.web.admin.login import LOGIN_FAILED
from tests.adminkit import PASSWORD, admin_client, csrf, login, make_admin

pytestmark = pytest.mark.both_engines

ARGS = {"survey_id": "cmo", "response_id": "nope", "fmt": "csv", "edition": "2012",
        "action": "close", "username": "ada", "kind": "png", "p": "0", "q": "0",
        "index": "0", "token_id": "1", "endpoint_id": "1", "message_id": "1",
        "field": "region", "question": "comments"}  # fmt: skip


@pytest.fixture
def lock_app(make_app):
    return make_app(LOGIN_MAX_FAILURES=3, LOGIN_ADDRESS_FAILURES=3, LOGIN_ACCOUNT_FAILURES=3)


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


@pytest.mark.parametrize("target", ["%0D%0ASet-Cookie:%20x=1", "%0A", "%0D", "%00", "%E2%80%A8"])
def test_control_characters_in_next_send_to_the_dashboard(app, target):
    """A CR or LF in `next` after a correct password once reached the Location header:
    werkzeug refused the header and the log-in answered 500."""
    make_admin(app)
    client = app.test_client()
    data = {"csrf_token": csrf(client.get("/admin/login").text), "username": "ada",
            "password": PASSWORD}  # fmt: skip
    response = client.post(f"/admin/login?next=/admin/audit{target}", data=data)
    assert response.status_code == 302 and response.headers["Location"] == "/admin/"
    assert "Set-Cookie: x" not in str(response.headers)


def test_account_waits_only_from_the_address_that_failed(make_app):
    lock_app = make_app(LOGIN_MAX_FAILURES=3)
    make_admin(lock_app)
    for _ in range(3):
        assert (
            login(lock_app.test_client(), password="wrong", REMOTE_ADDR="10.0.0.1").status_code
            == 401
        )
    waiting = login(lock_app.test_client(), REMOTE_ADDR="10.0.0.1")
    assert waiting.status_code == 429 and int(waiting.headers["Retry-After"]) > 0
    assert "Too many failed log-ins" in waiting.text
    assert login(lock_app.test_client(), REMOTE_ADDR="10.0.0.2").status_code == 302


def test_failures_from_many_addresses_delay_only_unknown_addresses(lock_app):
    make_admin(lock_app)
    assert login(lock_app.test_client(), REMOTE_ADDR="10.0.0.50").status_code == 302
    for number in range(3):
        # Different addresses: only the account counter reaches its limit.
        login(lock_app.test_client(), password="wrong", REMOTE_ADDR=f"10.0.0.{number}")
    assert login(lock_app.test_client(), REMOTE_ADDR="10.0.1.1").status_code == 429
    # The owner's address, known from an earlier log-in, is not held up by the others.
    assert login(lock_app.test_client(), REMOTE_ADDR="10.0.0.50").status_code == 302
    make_admin(lock_app, username="grace")
    assert login(lock_app.test_client(), "grace", REMOTE_ADDR="10.0.1.1").status_code == 302


def test_address_waits_after_failures_on_many_accounts(lock_app):
    make_admin(lock_app)
    make_admin(lock_app, username="grace")
    assert login(lock_app.test_client(), "grace", REMOTE_ADDR="10.9.9.9").status_code == 302
    for name in ("x1", "x2", "x3"):
        login(lock_app.test_client(), username=name, REMOTE_ADDR="10.9.9.9")
    assert login(lock_app.test_client(), REMOTE_ADDR="10.9.9.9").status_code == 429
    assert login(lock_app.test_client(), REMOTE_ADDR="10.9.9.10").status_code == 302
    # grace logged in from that address before: the address's wait does not apply to her.
    assert login(lock_app.test_client(), "grace", REMOTE_ADDR="10.9.9.9").status_code == 302


def test_wait_ends_after_its_delay(make_app):
    app = make_app(LOGIN_MAX_FAILURES=2)
    make_admin(app)
    for _ in range(2):
        login(app.test_client(), password="wrong")
    assert login(app.test_client()).status_code == 429
    db = store.thread_connection(app.config["DATABASE"])
    with store.immediate(db):
        db.execute("UPDATE login_failures SET blocked_until = '2000-01-01T00:00:00.000000Z'")
    assert login(app.test_client()).status_code == 302


def test_success_clears_the_account_and_address_counter(lock_app):
    make_admin(lock_app)
    for _ in range(2):
        login(lock_app.test_client(), password="wrong", REMOTE_ADDR="10.1.1.1")
    assert login(lock_app.test_client(), REMOTE_ADDR="10.1.1.1").status_code == 302
    for _ in range(2):
        login(lock_app.test_client(), password="wrong", REMOTE_ADDR="10.1.1.1")
    assert login(lock_app.test_client(), REMOTE_ADDR="10.1.1.1").status_code == 302


def test_lockout_attack_cannot_keep_the_owner_out(make_app):
    """50 failures from address A for `admin` (and as many for `ADMIN`): the rightful admin
    logs in from address B at once; A is slowed, and hammering does not lengthen its wait."""
    app = make_app(WTF_CSRF_ENABLED=False)
    make_admin(app, username="admin")
    attacker = app.test_client()
    statuses = []
    for number in range(50):
        for name in ("admin", "ADMIN") if number < 3 else ("admin",):
            data = {"username": name, "password": f"guess {number}"}
            statuses.append(
                attacker.post(
                    "/admin/login", data=data, environ_base={"REMOTE_ADDR": "10.6.6.6"}
                ).status_code
            )
    db = store.thread_connection(app.config["DATABASE"])
    pair = "SELECT failures, blocked_until FROM login_failures WHERE kind = 'pair' AND username = ?"
    assert statuses.count(401) == 5 + 3 and statuses.count(429) == 45
    failures, until = db.execute(pair, ["admin"]).fetchone()
    assert failures == 5  # the 45 attempts made while waiting were not counted
    owner = app.test_client()
    right = {"username": "admin", "password": PASSWORD}
    assert (
        owner.post("/admin/login", data=right, environ_base={"REMOTE_ADDR": "10.7.7.7"}).status_code
        == 302
    )
    assert owner.get("/admin/users").status_code == 200
    slowed = attacker.post("/admin/login", data=right, environ_base={"REMOTE_ADDR": "10.6.6.6"})
    assert slowed.status_code == 429 and 0 < int(slowed.headers["Retry-After"]) <= 30
    assert db.execute(pair, ["admin"]).fetchone() == (5, until)


def test_delay_doubles_up_to_the_longest_and_waiting_does_not_extend_it(app, db):
    limits = logins.Limits(per_pair=2, first_delay=30, max_delay=100)
    start = datetime(2030, 1, 1, tzinfo=UTC)
    waits = []
    now = start
    for _ in range(6):
        logins.record_failure(db, "ada", "10.0.0.1", limits, now)
        waits.append(logins.wait_seconds(db, "ada", "10.0.0.1", limits, now))
        assert logins.wait_seconds(
            db, "ada", "10.0.0.1", limits, now + timedelta(seconds=10)
        ) == max(waits[-1] - 10, 0)
        now += timedelta(seconds=waits[-1] + 1)
    assert waits == [0, 30, 60, 100, 100, 100]
    assert logins.wait_seconds(db, "ada", "10.0.0.2", limits, start) == 0
    # Quiet for a day: the counter is forgotten on the next write.
    later = now + timedelta(seconds=limits.forget_after + 1)
    logins.record_failure(db, "ada", "10.0.0.1", limits, later)
    assert logins.wait_seconds(db, "ada", "10.0.0.1", limits, later) == 0


def test_unlock_command_clears_an_accounts_failures(make_app):
    lock_app = make_app(LOGIN_MAX_FAILURES=3)
    make_admin(lock_app)
    for _ in range(3):
        login(lock_app.test_client(), password="wrong", REMOTE_ADDR="10.0.0.1")
    assert login(lock_app.test_client(), REMOTE_ADDR="10.0.0.1").status_code == 429
    result = lock_app.test_cli_runner().invoke(args=["unlock", "ada"])
    assert result.exit_code == 0 and "Cleared 2 failure counter(s)" in result.output
    assert login(lock_app.test_client(), REMOTE_ADDR="10.0.0.1").status_code == 302
    db = store.thread_connection(lock_app.config["DATABASE"])
    entry = audit.entries(db, 2, 0)[1]
    assert entry["action"] == "unlock" and entry["details"]["username"] == "ada"
    assert lock_app.test_cli_runner().invoke(args=["unlock"]).exit_code != 0


def test_accounts_page_clears_an_accounts_failures(make_app):
    lock_app = make_app(LOGIN_MAX_FAILURES=3)
    make_admin(lock_app)
    make_admin(lock_app, username="grace")
    for _ in range(3):
        login(lock_app.test_client(), "grace", password="wrong", REMOTE_ADDR="10.0.0.1")
    client = lock_app.test_client()
    login(client, REMOTE_ADDR="10.0.0.2")
    page = client.get("/admin/users")
    assert "3 recent, waiting until" in page.text and "/admin/users/grace/unlock" in page.text
    cleared = client.post("/admin/users/grace/unlock", data={"csrf_token": csrf(page.text)})
    assert cleared.status_code == 302
    assert "/admin/users/grace/unlock" not in client.get("/admin/users").text
    assert login(lock_app.test_client(), "grace", REMOTE_ADDR="10.0.0.1").status_code == 302
    assert client.post("/admin/users/grace/unlock").status_code == 400
    token = csrf(client.get("/admin/users").text)
    assert client.post("/admin/users/nobody/unlock", data={"csrf_token": token}).status_code == 404


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


def test_a_counter_that_cannot_be_written_does_not_block_log_in(app, monkeypatch):
    make_admin(app)

    def refuse(*_args):
        raise store.OperationalError("database or disk is full")

    monkeypatch.setattr(logins, "record_failure", refuse)
    monkeypatch.setattr(logins, "record_success", refuse)
    assert login(app.test_client(), password="wrong").status_code == 401
    assert login(app.test_client()).status_code == 302


def test_log_out_that_cannot_end_the_sessions_says_so(app, monkeypatch):
    client = admin_client(app)
    token = csrf(client.get("/admin/").text)

    def refuse(*_args):
        raise store.OperationalError("database or disk is full")

    monkeypatch.setattr(accounts, "end_sessions", refuse)
    response = client.post("/admin/logout", data={"csrf_token": token})
    assert response.status_code == 503 and "could not be ended" in response.text
    assert client.get("/admin/").status_code == 302  # this browser is logged out
