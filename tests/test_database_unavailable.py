"""A database that cannot be reached for a moment (a PostgreSQL server restarting) is a
503 the browser may retry, never a 500: here the one SELECT every page makes first fails."""

from __future__ import annotations

import pytest

from surveyapp import store
from surveyapp.store import definitions

pytestmark = pytest.mark.both_engines


def test_a_page_while_the_database_is_unreachable_is_a_503_to_try_again(app, monkeypatch):
    client = app.test_client()
    assert client.get("/s/cmo").status_code == 200

    def unreachable(*_args):
        raise store.OperationalError("PostgreSQL is unreachable: connection refused")

    monkeypatch.setattr(definitions, "catalogue_mark", unreachable)
    page = client.get("/s/cmo")
    assert page.status_code == 503
    assert page.headers["Retry-After"] == "5"
    assert "temporarily unable" in page.text
    monkeypatch.undo()
    assert client.get("/s/cmo").status_code == 200
