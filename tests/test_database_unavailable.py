"""A database that cannot be reached for a moment (a PostgreSQL server restarting) is a
503 the browser may retry, never a 500, and a form posted meanwhile comes back with its
answers, saying nothing was saved."""

from __future__ import annotations

import pytest

from bench.harness import KEY, TOKEN, answers_kept
from surveyapp import store
from surveyapp.store import definitions

pytestmark = pytest.mark.both_engines


def test_a_page_while_the_database_is_unreachable_is_a_503_to_try_again(app, monkeypatch):
    client = app.test_client()
    assert client.get("/s/cmo").status_code == 200

    def unreachable(*_args):
        raise store.OperationalError("PostgreSQL is unreachable: connection refused")

    monkeypatch.setattr(store, "thread_connection", unreachable)
    page = client.get("/s/cmo")
    assert page.status_code == 503
    assert page.headers["Retry-After"] == "5"
    assert "temporarily unable" in page.text
    monkeypatch.undo()
    assert client.get("/s/cmo").status_code == 200


def test_a_form_posted_while_the_database_is_unreachable_keeps_its_answers(app, monkeypatch):
    client = app.test_client()
    html = client.get("/s/cmo").text
    form = {"csrf_token": TOKEN.search(html)[1], "submission_key": KEY.search(html)[1],
            "action": "next", "manufactures_for_clients": "yes", "company_size": "medium",
            "region": "europe"}  # fmt: skip

    def unreachable(*_args, **_kwargs):
        raise store.OperationalError("PostgreSQL is unreachable: connection refused")

    monkeypatch.setattr(definitions, "catalogue_mark", unreachable)
    monkeypatch.setattr(store, "save_draft", unreachable)
    refused = client.post("/s/cmo?page=1", data=form)
    assert refused.status_code == 503
    assert "could not save your answers just now" in refused.text
    assert answers_kept(refused.text, {k: form[k] for k in ("company_size", "region")})
    monkeypatch.undo()
    assert client.post("/s/cmo?page=1", data=form).status_code == 302


def test_a_form_whose_state_cannot_be_read_comes_back_with_its_answers(app, monkeypatch):
    client = app.test_client()
    html = client.get("/s/cmo").text
    form = {"csrf_token": TOKEN.search(html)[1], "submission_key": KEY.search(html)[1],
            "action": "next", "manufactures_for_clients": "yes", "company_size": "large",
            "region": "asia"}  # fmt: skip

    def unreachable(*_args, **_kwargs):
        raise store.OperationalError("PostgreSQL is unreachable: connection refused")

    monkeypatch.setattr(store, "load_draft", unreachable)
    refused = client.post("/s/cmo?page=1", data=form)
    assert refused.status_code == 503
    assert "could not save your answers just now" in refused.text
    assert answers_kept(refused.text, {k: form[k] for k in ("company_size", "region")})
    assert KEY.search(refused.text)[1] == form["submission_key"]
    monkeypatch.undo()
    assert client.post("/s/cmo?page=1", data=form).location.endswith("page=2")
