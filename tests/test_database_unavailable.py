"""An admin page whose database cannot be reached for a moment (a PostgreSQL server
restarting) is a 503 the page's script or the browser may retry, never a 500."""

from __future__ import annotations

import pytest

from surveyapp import store
from tests.adminkit import admin_client

pytestmark = pytest.mark.both_engines


def test_an_admin_poll_while_the_database_is_unreachable_is_a_503_to_try_again(app, monkeypatch):
    admin = admin_client(app)
    assert admin.get("/admin/surveys/cmo/tallies.json").status_code == 200

    def unreachable(*_args):
        raise store.OperationalError("PostgreSQL is unreachable: connection refused")

    monkeypatch.setattr(store, "thread_connection", unreachable)
    polled = admin.get("/admin/surveys/cmo/tallies.json")
    assert polled.status_code == 503
    assert polled.headers["Retry-After"] == "5"
    assert "temporarily unable" in polled.text
    monkeypatch.undo()
    assert admin.get("/admin/surveys/cmo/tallies.json").status_code == 200
