"""One password policy everywhere: at least 12 characters, not in the bundled list of
common passwords; a generated password when none is given."""

from __future__ import annotations

import gzip
import hashlib

import click
import pytest

from surveyapp.cli.serve import bootstrap_admin
from surveyapp.store import accounts, passwords
from tests.adminkit import login

DJANGO_LIST_SHA256 = "3c1baed62596de36860824eb3f436d5932d37ca8b06e59df78f5a44ec175afe4"


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("x", "at least 12"),
        ("eleven chrs", "at least 12"),
        ("password1234", "common passwords"),
        ("Password1234!", "common passwords"),  # case and trailing digits/symbols
        ("qwertyuiop12", "common passwords"),
        ("International", "common passwords"),
        ("aaaaaaaaaaaaaaaa", "different characters"),
        ("x" * 1001, "at most 1000"),
    ],
)
def test_policy_refuses(password, reason):
    assert reason in passwords.problem(password)
    with pytest.raises(passwords.PasswordRefused):
        passwords.check(password)


def test_policy_accepts_a_long_uncommon_passphrase():
    assert passwords.problem("correct horse battery") is None
    assert passwords.check("twelve chars") == "twelve chars"


def test_the_bundled_list_is_djangos_common_passwords():
    data = passwords.COMMON_FILE.read_bytes()
    assert hashlib.sha256(data).hexdigest() == DJANGO_LIST_SHA256
    lines = gzip.decompress(data).decode("utf-8").split()
    assert len(passwords.common_passwords()) == len(set(lines)) > 19_000
    assert {"password", "123456", "qwerty123456"} <= passwords.common_passwords()


def test_generated_passwords_meet_the_policy_and_differ():
    generated = {passwords.generate() for _ in range(20)}
    assert len(generated) == 20
    assert all(passwords.problem(p) is None and len(p) == 20 for p in generated)


def test_bootstrap_refuses_a_weak_environment_password(app, db, monkeypatch):
    monkeypatch.setenv("SURVEYAPP_ADMIN_PASSWORD", "x")
    with pytest.raises(click.ClickException, match="at least 12"):
        bootstrap_admin(db)
    assert accounts.admin_count(db) == 0


def test_bootstrap_generates_a_password_when_none_is_given(app, db, monkeypatch):
    monkeypatch.delenv("SURVEYAPP_ADMIN_USER", raising=False)
    monkeypatch.delenv("SURVEYAPP_ADMIN_PASSWORD", raising=False)
    generated = bootstrap_admin(db)
    assert passwords.problem(generated) is None
    assert login(app.test_client(), "admin", generated).status_code == 302


@pytest.mark.parametrize("password", ["password1234", "short pw"])
def test_create_admin_refuses_a_weak_password(app, db, runner, monkeypatch, password):
    monkeypatch.setenv("SURVEYAPP_ADMIN_PASSWORD", password)
    result = runner.invoke(args=["create-admin", "eve"])
    assert result.exit_code != 0
    assert accounts.get_admin(db, "eve") is None


def test_create_admin_generates_a_password_shown_once(app, db, runner, monkeypatch):
    monkeypatch.delenv("SURVEYAPP_ADMIN_PASSWORD", raising=False)
    result = runner.invoke(args=["create-admin", "gen", "--generate"])
    assert result.exit_code == 0, result.output
    generated = result.output.split("Password (shown once): ")[1].strip()
    assert passwords.problem(generated) is None
    assert login(app.test_client(), "gen", generated).status_code == 302


def test_hashes_use_the_production_cost(app, db, runner, monkeypatch):
    """tests.adminkit makes its accounts with a cheap hash; everything the app hashes itself
    uses scrypt at 2**15 (werkzeug's default), the CLI's accounts included."""
    assert passwords.hash_password("a long uncommon passphrase").startswith("scrypt:32768:8:1$")
    monkeypatch.setenv("SURVEYAPP_ADMIN_PASSWORD", "a long uncommon passphrase")
    assert runner.invoke(args=["create-admin", "eve"]).exit_code == 0
    assert accounts.get_admin(db, "eve")["password_hash"].startswith("scrypt:32768:8:1$")
