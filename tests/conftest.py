from __future__ import annotations

import os
from pathlib import Path

import pytest

from surveyapp import SHIPPED_SURVEYS, create_app, store

HERE = Path(__file__).parent
TEST_QUESTIONNAIRES = HERE / "questionnaires"


@pytest.fixture
def make_app(tmp_path):
    """Build an app on a fresh database; extra config and survey folders may be given."""

    def build(*folders: Path, **config):
        settings = {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "AUDIT_KEY": "test-audit-key",
            "DATABASE": str(tmp_path / "test.db"),
            "SURVEY_FOLDERS": [str(f) for f in folders] or [str(SHIPPED_SURVEYS)],
        }
        settings.update(config)
        return create_app(settings, init_db=True)

    yield build
    store.close_thread_connections()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def db(app):
    return store.thread_connection(app.config["DATABASE"])


@pytest.fixture
def instance(tmp_path, monkeypatch):
    """A production-style setup: an instance folder and the environment, no database yet."""
    folder = tmp_path / "instance"
    for name in list(os.environ):
        if name.startswith("SURVEYAPP_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("SURVEYAPP_INSTANCE", str(folder))
    monkeypatch.setenv("SURVEYAPP_SECRET_KEY", "boot-secret")
    yield folder
    store.close_thread_connections()
