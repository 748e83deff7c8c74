"""PostgreSQL down or restarting while respondents answer: the "could not save just now"
page with their answers kept, and the next request after it is back goes through."""

from __future__ import annotations

import re

import psycopg
import pytest

from surveyapp import store
from tests.walker import Respondent, cmo_answers

pytestmark = pytest.mark.postgresql_only


@pytest.fixture
def outage(app):
    """down(): the app's database refuses connections and its sessions end (as while the
    server restarts); up(): it accepts them again."""
    url = app.config["DATABASE"]
    server, name = url.rsplit("/", 1)

    def admin(sql: str) -> None:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
            conn.execute(sql)

    class Outage:
        def down(self) -> None:
            admin(f"ALTER DATABASE {name} ALLOW_CONNECTIONS false")
            admin(
                f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
            )

        def up(self) -> None:
            admin(f"ALTER DATABASE {name} ALLOW_CONNECTIONS true")

    outage = Outage()
    yield outage
    outage.up()


def checked(page_text: str, value: str) -> bool:
    found = re.search(rf'<input[^>]*value="{value}"[^>]*>', page_text)
    return found is not None and "checked" in found.group(0)


def test_a_respondent_gets_try_again_with_answers_kept_while_postgresql_is_down(app, outage):
    respondent = Respondent(app.test_client(), "cmo")
    respondent.open(1)
    outage.down()
    page = respondent.post(1, cmo_answers(region="asia")[0])
    assert page.status_code == 503
    assert "could not save your answers" in page.text
    assert checked(page.text, "asia") and checked(page.text, "small")
    assert page.headers["Retry-After"]
    outage.up()
    assert respondent.open(1).status_code == 200
    assert store.thread_connection(app.config["DATABASE"]).execute("SELECT 1").fetchone() == (1,)


def test_the_answers_posted_again_after_the_outage_are_saved(app, outage):
    respondent = Respondent(app.test_client(), "cmo")
    respondent.open(1)
    outage.down()
    assert respondent.post(1, cmo_answers(region="asia")[0]).status_code == 503
    outage.up()
    page = respondent.post(1, cmo_answers(region="asia")[0])  # "please try again"
    assert page.status_code == 200 and respondent.last_location.endswith("page=2")
    db = store.thread_connection(app.config["DATABASE"])
    [(answers,)] = db.execute("SELECT answers FROM drafts").fetchall()
    assert '"region": "asia"' in answers


def test_a_restarted_server_s_killed_sessions_are_replaced_without_an_error_page(app, outage):
    respondent = Respondent(app.test_client(), "cmo")
    respondent.open(1)
    outage.down()
    outage.up()  # the sessions the app held are gone; the server takes new ones
    page = respondent.post(1, cmo_answers(region="europe")[0])
    assert page.status_code == 200 and respondent.last_location.endswith("page=2")


def test_a_page_read_while_down_is_a_503_to_try_again_and_served_after(app, outage):
    client = app.test_client()
    assert client.get("/s/cmo").status_code == 200
    outage.down()
    page = client.get("/s/cmo")
    assert page.status_code == 503 and page.headers["Retry-After"]
    assert "Error 503" in page.text and "temporarily unable" in page.text
    outage.up()
    assert client.get("/s/cmo").status_code == 200
