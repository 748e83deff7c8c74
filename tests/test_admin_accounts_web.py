"""Accounts in the browser: creating one (given or generated password, the policy, field
errors with the answers kept), and the role, status, unlock and password actions."""

from __future__ import annotations

import html
import json
import re

import pytest

from surveyapp.store import accounts, passwords
from tests.adminkit import admin_client, csrf, login, make_admin

pytestmark = pytest.mark.both_engines

GENERATED = re.compile(r'<code id="new-password">([^<]+)</code>')
STRONG = "violet tractor 42 morning"


@pytest.fixture
def admin(app):
    return admin_client(app)


def post(client, url, **fields):
    return client.post(url, data={"csrf_token": csrf(client.get("/admin/users").text), **fields})


def audit_rows(db, action):
    rows = db.execute("SELECT actor, details FROM audit WHERE action = ?", [action]).fetchall()
    return [(actor, json.loads(details)) for actor, details in rows]


def test_an_account_created_with_a_given_password_can_log_in(app, admin, db):
    page = post(admin, "/admin/users", username="vic", role="viewer", password=STRONG)
    assert page.status_code == 200 and "Account vic (viewer) created." in page.text
    assert accounts.get_admin(db, "vic")["role"] == "viewer"
    assert audit_rows(db, "user_create") == [
        ("ada", {"username": "vic", "role": "viewer", "generated": False})
    ]
    viewer = app.test_client()
    assert login(viewer, "vic", STRONG).status_code == 302
    assert viewer.get("/admin/users").status_code == 403


def test_a_generated_password_is_shown_once_and_works(app, admin, db):
    page = post(admin, "/admin/users", username="grace.h", role="admin", generate="y")
    password = html.unescape(GENERATED.search(page.text).group(1))
    assert passwords.problem(password) is None
    assert password not in admin.get("/admin/users").text
    assert login(app.test_client(), "grace.h", password).status_code == 302
    assert audit_rows(db, "user_create")[0][1]["generated"] is True


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"username": "ada", "password": STRONG},
            "username",
            "there is already an account &#39;ada&#39;",
        ),
        ({"username": "bad name", "password": STRONG}, "username", "1 to 64 letters"),
        ({"username": "a/b", "password": STRONG}, "username", "1 to 64 letters"),
        ({"username": "bob", "password": "short"}, "password", "at least 12 characters"),
        ({"username": "bob", "password": "password1234"}, "password", "common passwords"),
        ({"username": "bob"}, "password", "give a password, or ask for a generated one"),
        ({"username": "bob", "password": STRONG, "role": "owner"}, "role", "choose a role"),
    ],
)
def test_bad_new_accounts_are_refused_at_the_field_with_answers_kept(
    admin, db, fields, field, message
):
    before = accounts.list_admins(db)
    page = post(admin, "/admin/users", **{"role": "viewer", **fields})
    assert page.status_code == 422
    error = re.search(rf'<p class="error" id="new-{field}-error">([^<]*)</p>', page.text)
    assert error and message in error.group(1)
    assert f'id="new-{field}' in page.text and 'aria-invalid="true"' in page.text
    assert f'name="username" value="{html.escape(fields["username"])}"' in page.text.replace(
        "&#39;", "'"
    )
    assert accounts.list_admins(db) == before, "nothing changed"
    assert audit_rows(db, "user_create") == []
    assert STRONG not in page.text, "a password is never sent back"


def test_an_existing_account_is_never_overwritten(admin, db):
    old_hash = accounts.get_admin(db, "ada")["password_hash"]
    with pytest.raises(accounts.AccountExists):
        accounts.create_admin(db, "ada", passwords.hash_password(STRONG), "viewer", only_new=True)
    assert accounts.get_admin(db, "ada")["password_hash"] == old_hash


def test_role_disable_enable_and_reset_are_audited(app, admin, db):
    make_admin(app, "bob", role="viewer")
    assert post(admin, "/admin/users/bob/role", role="admin").status_code == 302
    assert post(admin, "/admin/users/bob/status", status="disabled").status_code == 302
    page = admin.get("/admin/users").text
    assert "<strong>disabled</strong> since" in page and ">Enable<span" in page
    assert post(admin, "/admin/users/bob/status", status="enabled").status_code == 302
    reset = post(admin, "/admin/users/bob/password", password=STRONG)
    assert "Password of bob changed" in reset.text
    assert login(app.test_client(), "bob", STRONG).status_code == 302
    assert [a for a, _d in audit_rows(db, "role_change")] == ["ada"]
    assert audit_rows(db, "account_disable") == [("ada", {"username": "bob"})]
    assert audit_rows(db, "account_enable") == [("ada", {"username": "bob"})]
    assert audit_rows(db, "password_reset") == [("ada", {"username": "bob", "generated": False})]
    weak = post(admin, "/admin/users/bob/password", password="short")
    assert weak.status_code == 422 and "at least 12 characters" in weak.text


def test_viewers_cannot_create_accounts(app, db):
    make_admin(app, "ada")
    make_admin(app, "vic", role="viewer")
    viewer = app.test_client()
    login(viewer, "vic")
    token = csrf(viewer.get("/admin/").text)
    refused = viewer.post("/admin/users", data={"csrf_token": token, "username": "eve",
                                                "role": "admin", "password": STRONG})  # fmt: skip
    assert refused.status_code == 403 and accounts.get_admin(db, "eve") is None
    anonymous = app.test_client().post("/admin/users", data={"username": "eve"})
    assert anonymous.status_code in (302, 400) and accounts.get_admin(db, "eve") is None


def test_the_csrf_token_is_required(admin, db):
    refused = admin.post(
        "/admin/users", data={"username": "eve", "role": "admin", "password": STRONG}
    )
    assert refused.status_code == 400 and accounts.get_admin(db, "eve") is None
