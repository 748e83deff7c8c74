"""The command-line interface and configuration precedence."""

from __future__ import annotations

from pathlib import Path

import pytest

from surveyapp import create_app, store
from surveyapp.store import accounts


@pytest.mark.both_engines
def test_init_db_is_idempotent(runner, app):
    first = runner.invoke(args=["init-db"])
    second = runner.invoke(args=["init-db"])
    assert first.exit_code == 0 and second.exit_code == 0
    assert "0 migration(s) applied" in second.output
    db = store.thread_connection(app.config["DATABASE"])
    assert {"responses", "answers", "counters", "admins"} <= set(db.table_names())


def test_init_db_creates_a_fresh_database(make_app, tmp_path):
    app = make_app(DATABASE=str(tmp_path / "sub" / "fresh.db"))
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0
    assert (tmp_path / "sub" / "fresh.db").exists()


def test_check_definitions_reports_each_error(runner, tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\ntitle: T\naudience: a\nedition: 2012\npages:\n  - title: P\n"
                   "    questions:\n      - {id: q, type: rating_matrix, text: Q, scale: nope,"
                   " items: [{code: a, label: A}]}\n")  # fmt: skip
    result = runner.invoke(args=["check-definitions", str(bad)])
    assert result.exit_code == 1
    assert "bad.yaml: pages[0].questions[0].scale: unknown scale 'nope'" in result.output


def test_check_definitions_passes_the_shipped_ones(runner):
    result = runner.invoke(args=["check-definitions"])
    assert result.exit_code == 0, result.output
    assert "cmo edition 2012" in result.output and "client edition 2012" in result.output


@pytest.mark.both_engines
def test_create_admin_stores_a_hash(runner, app, monkeypatch):
    monkeypatch.setenv("SURVEYAPP_ADMIN_PASSWORD", "correct horse battery")
    result = runner.invoke(args=["create-admin", "ada"])
    assert result.exit_code == 0, result.output
    admin = accounts.get_admin(store.thread_connection(app.config["DATABASE"]), "ada")
    assert admin["role"] == "admin"
    assert "correct horse" not in admin["password_hash"]
    assert admin["password_hash"].startswith(("scrypt:", "pbkdf2:"))


@pytest.mark.both_engines
def test_create_admin_prompts_without_the_variable(runner, app, monkeypatch):
    monkeypatch.delenv("SURVEYAPP_ADMIN_PASSWORD", raising=False)
    result = runner.invoke(args=["create-admin", "bob", "--role", "viewer"],
                           input="long enough pw\nlong enough pw\n")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert accounts.get_admin(store.thread_connection(app.config["DATABASE"]), "bob")["role"] == (
        "viewer"
    )


@pytest.mark.both_engines
def test_create_admin_refuses_a_short_password(runner, monkeypatch):
    monkeypatch.setenv("SURVEYAPP_ADMIN_PASSWORD", "short")
    result = runner.invoke(args=["create-admin", "eve"])
    assert result.exit_code != 0
    assert "at least 12" in result.output


def test_configuration_precedence(tmp_path: Path, monkeypatch):
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "config.py").write_text(
        f"DATABASE = {str(tmp_path / 'from_config.db')!r}\nRESPONSES_PER_PAGE = 7\n"
    )
    monkeypatch.setenv("SURVEYAPP_INSTANCE", str(instance))
    monkeypatch.delenv("SURVEYAPP_DATABASE", raising=False)
    monkeypatch.delenv("SURVEYAPP_SECRET_KEY", raising=False)
    app = create_app(init_db=True)
    assert app.config["DATABASE"] == str(tmp_path / "from_config.db")
    assert app.config["RESPONSES_PER_PAGE"] == 7
    generated = (instance / "secret_key").read_text()
    assert app.config["SECRET_KEY"] == generated and len(generated) == 64
    assert create_app().config["SECRET_KEY"] == generated, "the key survives restarts"
    store.close_thread_connections()

    monkeypatch.setenv("SURVEYAPP_DATABASE", str(tmp_path / "from_env.db"))
    monkeypatch.setenv("SURVEYAPP_SECRET_KEY", "from-env")
    app = create_app(init_db=True)
    assert (app.config["DATABASE"], app.config["SECRET_KEY"]) == (
        str(tmp_path / "from_env.db"), "from-env",
    )  # fmt: skip
    app = create_app({"DATABASE": str(tmp_path / "from_test.db"), "SECRET_KEY": "t"}, init_db=True)
    assert app.config["DATABASE"] == str(tmp_path / "from_test.db")
    store.close_thread_connections()
