"""Admin sessions end: log-out, password change and disabling end every session of the
account; idle and absolute timeouts; disable/enable and password reset from the accounts
page and the CLI; the last enabled admin cannot be demoted or disabled by any path."""

from __future__ import annotations

import time

import pytest

from surveyapp import store
from surveyapp.store import accounts, audit
from tests.adminkit import PASSWORD, csrf, login, make_admin

pytestmark = pytest.mark.both_engines

NEW_PASSWORD = "a quite different phrase"


def signed_in(app, username="ada", role="admin", **environ):
    make_admin(app, username, role=role)
    return again(app, username, **environ)


def again(app, username="ada", **environ):
    """Another session of an existing account."""
    client = app.test_client()
    assert login(client, username, **environ).status_code == 302
    return client


def cookie(client) -> str:
    return client.get_cookie("session").value


def in_(client) -> bool:
    response = client.get("/admin/users")
    return response.status_code == 200


def token(client) -> str:
    return csrf(client.get("/admin/users").text)


def db_of(app):
    return store.thread_connection(app.config["DATABASE"])


def test_a_logged_out_cookie_replayed_is_refused(app):
    client = signed_in(app)
    copied = cookie(client)
    other = app.test_client()
    other.set_cookie("session", copied)
    assert in_(other)
    client.post("/admin/logout", data={"csrf_token": token(client)})
    replay = app.test_client()
    replay.set_cookie("session", copied)
    refused = replay.get("/admin/users")
    assert refused.status_code == 302 and refused.headers["Location"].startswith("/admin/login")
    assert not in_(other)  # log-out ends every session of the account


def test_password_reset_from_the_cli_ends_old_sessions(app, runner, monkeypatch):
    client = signed_in(app)
    monkeypatch.setenv("SURVEYAPP_ADMIN_PASSWORD", NEW_PASSWORD)
    assert runner.invoke(args=["create-admin", "ada"]).exit_code == 0
    assert not in_(client)
    assert login(app.test_client(), password=PASSWORD).status_code == 401
    assert login(app.test_client(), password=NEW_PASSWORD).status_code == 302


def test_accounts_page_resets_a_password_and_ends_its_sessions(app):
    admin = signed_in(app)
    bob = signed_in(app, "bob", role="viewer")
    bob_elsewhere = again(app, "bob")
    url = "/admin/users/bob/password"
    refused = admin.post(url, data={"csrf_token": token(admin), "password": "password1234"})
    assert refused.status_code == 422 and "common passwords" in refused.text
    assert admin.post(url, data={"csrf_token": token(admin)}).status_code == 400
    assert bob.get("/admin/").status_code == 200  # nothing changed yet
    done = admin.post(url, data={"csrf_token": token(admin), "password": NEW_PASSWORD})
    assert done.status_code == 200 and NEW_PASSWORD not in done.text
    assert done.headers["Cache-Control"] == "no-store"
    for client in (bob, bob_elsewhere):
        assert client.get("/admin/").status_code == 302
    assert login(app.test_client(), "bob", NEW_PASSWORD).status_code == 302
    entry = audit.entries(db_of(app), 1, 0)[0]
    assert (entry["actor"], entry["action"]) == ("bob", "login")
    reset = audit.entries(db_of(app), 2, 0)[1]
    assert reset["action"] == "password_reset"
    assert reset["details"] == {"username": "bob", "generated": False}
    assert NEW_PASSWORD not in str(db_of(app).execute("SELECT * FROM audit").fetchall())


def test_accounts_page_generates_a_password_shown_once(app):
    admin = signed_in(app)
    other = again(app)  # a second session of the same account
    page = admin.post(
        "/admin/users/ada/password", data={"csrf_token": token(admin), "generate": "y"}
    )
    assert page.status_code == 200 and "shown once" in page.text
    generated = page.text.split('<code id="new-password">')[1].split("</code>")[0]
    assert len(generated) >= 12
    assert in_(admin)  # the session that made the change goes on
    assert not in_(other)
    assert generated not in admin.get("/admin/users").text
    assert login(app.test_client(), password=generated).status_code == 302


def test_disabling_ends_sessions_and_refuses_log_in(app):
    admin = signed_in(app)
    bob = signed_in(app, "bob")
    url = "/admin/users/bob/status"
    assert admin.post(url, data={"csrf_token": token(admin), "status": "off"}).status_code == 400
    assert admin.post(url, data={"status": "disabled"}).status_code == 400
    assert in_(bob)
    assert (
        admin.post(url, data={"csrf_token": token(admin), "status": "disabled"}).status_code == 302
    )
    assert not in_(bob)
    assert login(app.test_client(), "bob").status_code == 401
    assert "<strong>disabled</strong> since" in admin.get("/admin/users").text
    assert (
        admin.post(url, data={"csrf_token": token(admin), "status": "enabled"}).status_code == 302
    )
    assert login(app.test_client(), "bob").status_code == 302
    actions = [e["action"] for e in audit.entries(db_of(app), 4, 0)]
    assert actions == ["login", "account_enable", "login_failed", "account_disable"]
    missing = admin.post("/admin/users/nobody/status",
                         data={"csrf_token": token(admin), "status": "disabled"})  # fmt: skip
    assert missing.status_code == 404


def test_cli_disables_and_enables_an_account(app, runner):
    bob = signed_in(app, "bob", role="viewer")
    make_admin(app)
    result = runner.invoke(args=["disable-account", "bob"])
    assert result.exit_code == 0, result.output
    assert bob.get("/admin/").status_code == 302
    assert login(app.test_client(), "bob").status_code == 401
    assert runner.invoke(args=["enable-account", "bob"]).exit_code == 0
    assert login(app.test_client(), "bob").status_code == 302
    missing = runner.invoke(args=["disable-account", "nobody"])
    assert missing.exit_code != 0 and "No account" in missing.output
    actions = [e["action"] for e in audit.entries(db_of(app), 4, 0)]
    assert actions == ["login", "account_enable", "login_failed", "account_disable"]


@pytest.mark.parametrize(
    "args",
    [["create-admin", "ada", "--role", "viewer"], ["disable-account", "ada"]],
)
def test_the_cli_cannot_remove_the_last_admin(app, runner, monkeypatch, args):
    make_admin(app)
    make_admin(app, "vic", role="viewer")
    monkeypatch.setenv("SURVEYAPP_ADMIN_PASSWORD", NEW_PASSWORD)
    result = runner.invoke(args=args)
    assert result.exit_code != 0 and "last enabled admin" in result.output
    ada = accounts.get_admin(db_of(app), "ada")
    assert ada["role"] == "admin" and ada["disabled_at"] is None
    assert login(app.test_client(), password=PASSWORD).status_code == 302


def test_the_last_admin_rule_counts_only_enabled_admins(app):
    make_admin(app)
    make_admin(app, "bob")
    db = db_of(app)
    assert accounts.set_enabled(db, "bob", False) is True
    with pytest.raises(accounts.LastAdmin):
        accounts.set_role(db, "ada", "viewer")
    with pytest.raises(accounts.LastAdmin):
        accounts.set_enabled(db, "ada", False)
    with pytest.raises(accounts.LastAdmin):
        accounts.create_admin(db, "ada", "hash", "viewer")
    assert accounts.set_enabled(db, "bob", True) is False
    assert accounts.set_role(db, "ada", "viewer") == "admin"
    admin = signed_in(app, "bob")
    refused = admin.post("/admin/users/bob/status",
                         data={"csrf_token": token(admin), "status": "disabled"})  # fmt: skip
    assert refused.status_code == 409
    assert accounts.get_admin(db, "bob")["disabled_at"] is None


def test_idle_sessions_end(make_app):
    app = make_app(ADMIN_IDLE_MINUTES=30)
    client = signed_in(app)
    with client.session_transaction() as session:
        session["seen"] = int(time.time()) - 29 * 60
    assert in_(client)  # activity within the idle time keeps the session
    with client.session_transaction() as session:
        assert session["seen"] >= int(time.time()) - 5
        session["seen"] = int(time.time()) - 31 * 60
    assert client.get("/admin/").status_code == 302
    assert client.get("/admin/").status_code == 302  # the ended session was cleared


def test_sessions_end_after_the_absolute_timeout(make_app):
    app = make_app(ADMIN_SESSION_HOURS=12)
    client = signed_in(app)
    with client.session_transaction() as session:
        session["since"] = int(time.time()) - 11 * 3600
    assert in_(client)
    with client.session_transaction() as session:
        session["since"] = int(time.time()) - 12 * 3600 - 1
    assert not in_(client)


def test_a_session_without_a_generation_is_refused(app):
    """Cookies made before sessions had generations (or forged without one) do not work."""
    client = signed_in(app)
    with client.session_transaction() as session:
        del session["gen"]
    assert client.get("/admin/").status_code == 302
