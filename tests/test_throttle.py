"""Submissions per client address are limited, counted in the database."""

from __future__ import annotations

from pathlib import Path

import pytest

from surveyapp import store
from tests.adminkit import stored_count as stored
from tests.walker import Respondent

pytestmark = pytest.mark.both_engines

FOLDER = Path(__file__).parent / "invite_questionnaires"
PAGES = [{"first": "one"}, {"second": "x"}, {"third": "p"}]


def submit(client, address: str, pages=PAGES):
    client.environ_base["REMOTE_ADDR"] = address
    return Respondent(client, "t_pages").complete(pages)


def test_limit_reached_gives_429_with_answers_kept_and_nothing_stored(make_app):
    app = make_app(FOLDER, SUBMISSIONS_PER_ADDRESS=2)
    for _ in range(2):
        assert submit(app.test_client(), "10.0.0.1").status_code == 302
    third = submit(app.test_client(), "10.0.0.1", [{"first": "kept"}, {"second": "y"}, {}])
    assert third.status_code == 429
    assert "Too many questionnaires" in third.text and "Thank you" not in third.text
    assert 'value="p"' in third.text and "checked" not in third.text.split('value="p"')[1][:40]
    assert stored(app) == 2
    other = submit(app.test_client(), "10.0.0.2")
    assert other.status_code == 302
    assert stored(app) == 3
    db = store.thread_connection(app.config["DATABASE"])
    addresses = [r["address"] for r in db.query("SELECT address FROM submission_log")]
    assert len(addresses) == 3 and not any("10.0.0" in a for a in addresses)


def test_answers_kept_on_the_429_page(make_app):
    app = make_app(FOLDER, SUBMISSIONS_PER_ADDRESS=1)
    submit(app.test_client(), "10.0.0.9")
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "10.0.0.9"
    walker = Respondent(client, "t_pages")
    walker.complete([{"first": "mine"}, {"second": "y"}, {"third": ["p", "q"]}])
    assert walker.last.status_code == 429
    assert walker.last.text.count("checked") == 2
    assert client.get("/s/t_pages?page=1").text.count('value="mine"') == 1


def test_two_app_instances_on_one_database_agree(make_app):
    first = make_app(FOLDER, SUBMISSIONS_PER_ADDRESS=3)
    second = make_app(FOLDER, SUBMISSIONS_PER_ADDRESS=3, DATABASE=first.config["DATABASE"])
    assert first is not second
    codes = [submit(app.test_client(), "192.0.2.7").status_code
             for app in (first, second, first, second)]  # fmt: skip
    assert codes == [302, 302, 302, 429]
    assert stored(first) == 3


def test_old_submissions_fall_out_of_the_window(make_app):
    app = make_app(FOLDER, SUBMISSIONS_PER_ADDRESS=1, SUBMISSION_WINDOW_SECONDS=600)
    assert submit(app.test_client(), "10.1.1.1").status_code == 302
    assert submit(app.test_client(), "10.1.1.1").status_code == 429
    db = store.thread_connection(app.config["DATABASE"])
    db.execute("UPDATE submission_log SET at = '2000-01-01T00:00:00.000000Z'")
    db.conn.commit()
    assert submit(app.test_client(), "10.1.1.1").status_code == 302
    assert db.execute("SELECT count(*) FROM submission_log").fetchone()[0] == 1


def test_a_limit_of_zero_turns_the_limit_off(make_app):
    app = make_app(FOLDER, SUBMISSIONS_PER_ADDRESS=0)
    codes = [submit(app.test_client(), "10.2.2.2").status_code for _ in range(3)]
    assert codes == [302, 302, 302]
    db = store.thread_connection(app.config["DATABASE"])
    assert db.execute("SELECT count(*) FROM submission_log").fetchone()[0] == 0
