"""The respondent hot path's caches and write queue keep behaviour intact."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest

from surveyapp import store
from surveyapp.questionnaire.answers import counted_fields
from tests.walker import Respondent, cmo_answers, hidden

pytestmark = pytest.mark.both_engines


def normalised(html: str) -> str:
    tokens = hidden(html)
    return html.replace(tokens["csrf_token"], "CSRF").replace(tokens["submission_key"], "KEY")


def test_blank_page_from_the_cache_matches_a_full_render(make_app):
    app = make_app()
    first = app.test_client().get("/s/cmo?page=2").get_data(as_text=True)
    assert [key[1] for key in app.extensions["blank_pages"]] == [2]
    second = app.test_client().get("/s/cmo?page=2").get_data(as_text=True)
    assert hidden(first) != hidden(second)
    assert normalised(first) == normalised(second)
    assert "\x00" not in second


def test_each_respondent_gets_own_tokens_and_can_submit(app, db):
    walkers = [Respondent(app.test_client(), "cmo") for _ in range(3)]
    keys = {hidden(w.open(1).get_data(as_text=True))["submission_key"] for w in walkers}
    assert len(keys) == 3
    for walker in walkers:
        assert walker.complete(cmo_answers()).status_code == 302
    stored = {r["submission_key"] for r in db.query("SELECT submission_key FROM responses")}
    assert len(stored) == 3


def test_a_page_with_saved_answers_is_rendered_with_them(client):
    walker = Respondent(client, "cmo")
    walker.open(1)
    walker.post(
        1, {"manufactures_for_clients": "yes", "company_size": "large", "region": "asia"}, "next"
    )
    page1 = client.get("/s/cmo?page=1").get_data(as_text=True)
    assert re.search(r'value="large"\s+checked', page1)
    page2 = client.get("/s/cmo?page=2").get_data(as_text=True)
    assert " checked" not in page2


def test_csrf_can_still_be_switched_off(make_app):
    app = make_app(WTF_CSRF_ENABLED=False)
    client = app.test_client()
    html = client.get("/s/cmo").get_data(as_text=True)
    key = re.search(r'name="submission_key" type="hidden" value="([^"]*)"', html).group(1)
    response = client.post("/s/cmo?page=1", data={
        "submission_key": key, "action": "next", **cmo_answers()[0]})  # fmt: skip
    assert response.status_code == 302


def test_counted_fields_hands_out_a_copy(app):
    definition = app.extensions["surveys"]["cmo"][2012]
    fields = counted_fields(definition)
    fields.clear()
    assert counted_fields(definition)[:3] == ["manufactures_for_clients", "company_size", "region"]


def test_session_serializer_is_built_once_and_still_checks_signatures(app, make_app):
    interface = app.session_interface
    assert interface.get_signing_serializer(app) is interface.get_signing_serializer(app)
    client = app.test_client()
    client.get("/s/cmo")
    cookie = client.get_cookie("session").value
    other = make_app(SECRET_KEY="another-secret").test_client()
    other.set_cookie("session", cookie)
    with other.session_transaction() as session:
        assert "keys" not in session


def insert(db, n: int) -> None:
    store.insert_response(
        db, survey="cmo", edition=2012, version="v", answers={"region": "asia"},
        counted=["region"], submission_key=f"key-{n}",
    )  # fmt: skip


def test_concurrent_writers_queue_and_all_land(app, engine):
    path = app.config["DATABASE"]
    errors = []

    def writer(first: int) -> None:
        db = store.connect(path)
        try:
            for n in range(first, first + 15):
                insert(db, n)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            db.close()

    threads = [threading.Thread(target=writer, args=(i * 100,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    db = store.connect(path)
    assert db.execute("SELECT count(*) FROM responses").fetchone()[0] == 90
    count = db.execute("SELECT count FROM counters WHERE field = '*'").fetchone()[0]
    assert count == 90
    if engine == "sqlite":  # PostgreSQL's writers queue on its advisory lock, not a file
        assert (Path(path).parent / (Path(path).name + "-writer.lock")).exists()


def test_nested_transaction_fails_instead_of_deadlocking(db):
    outcome = []

    def nested() -> None:
        outer = store.immediate(db)
        with outer, pytest.raises(store.OperationalError), store.immediate(db):
            pass
        outcome.append("raised")

    thread = threading.Thread(target=nested)
    thread.start()
    thread.join(timeout=20)
    assert outcome == ["raised"]


def test_insert_many_still_all_or_none(db):
    rows = [dict(survey="cmo", edition=2012, version="v", answers={"region": "asia"},
                 counted=["region"], submission_key=f"k{n}") for n in range(3)]  # fmt: skip
    assert store.insert_many(db, rows) == 3
    assert store.insert_many(db, rows) == 0
    bad = [*rows[:1], dict(rows[0], submission_key="new", survey=None)]
    with pytest.raises(store.IntegrityError):
        store.insert_many(db, bad)
    assert db.execute("SELECT count(*) FROM responses").fetchone()[0] == 3
