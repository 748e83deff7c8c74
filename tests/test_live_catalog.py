"""A running app serves what another process published, opened or closed, at its next
request; a respondent mid-way finishes on the version their pages were rendered with."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from surveyapp import cli, create_app, store
from surveyapp.store import definitions
from tests.conftest import TEST_QUESTIONNAIRES
from tests.walker import Respondent, cmo_answers

pytestmark = pytest.mark.both_engines

PAGES = (TEST_QUESTIONNAIRES / "multi_page.yaml").read_text(encoding="utf-8")
REWORDED = PAGES.replace("Second answer", "Second answer, reworded")
ANSWERS = [{"first": "hello"}, {"second": "x"}, {"third": "p"}]


def command(*args: str):
    """Run `surveyapp ARGS` as the console script does (the app built by the command line)."""
    result = CliRunner().invoke(cli.group, list(args))
    store.close_thread_connections()
    return result


def _publish(make_app, text: str, tmp_path, *args: str) -> None:
    """`publish` run by another process (another app on the same database)."""
    path = tmp_path / "published.yaml"
    path.write_text(text)
    result = make_app().test_cli_runner().invoke(args=["publish", str(path), *args])
    assert result.exit_code == 0, result.output


def test_a_publish_elsewhere_is_served_at_the_next_request(make_app, tmp_path):
    running = make_app()
    client = running.test_client()
    assert client.get("/s/t_pages").status_code == 404
    before = running.extensions["surveys"]
    client.get("/")
    assert running.extensions["surveys"] is before  # nothing changed: nothing rebuilt
    _publish(make_app, PAGES, tmp_path)
    page = client.get("/s/t_pages")
    assert page.status_code == 200 and "First answer" in page.text
    assert "Three pages" in client.get("/").text


def test_a_new_edition_opened_elsewhere_takes_the_next_answers(instance):
    assert command("init-db").exit_code == 0
    client = create_app().test_client()  # a worker, running from here on
    assert "for CMO, 2012" in client.get("/").text
    wrote = command("new-edition", "cmo", "2013")
    assert wrote.exit_code == 0 and "then `surveyapp publish" in wrote.output
    assert command("open-edition", "cmo", "2013").exit_code == 1  # not published yet
    assert command("publish", str(instance / "surveys" / "cmo-2013.yaml")).exit_code == 0
    opened = command("open-edition", "cmo", "2013")
    assert opened.exit_code == 0 and "cmo 2013 is open" in opened.output
    assert "for CMO, 2013" in client.get("/").text
    Respondent(client, "cmo").complete(cmo_answers())
    db = store.thread_connection(instance / "surveyapp.db")
    assert db.execute("SELECT edition FROM responses").fetchall() == [(2013,)]
    assert command("close-edition", "cmo", "2013").exit_code == 0
    assert client.get("/s/cmo").status_code == 410


def test_a_respondent_mid_way_finishes_on_the_version_they_started(make_app, tmp_path):
    running = make_app()
    _publish(make_app, PAGES, tmp_path)
    started = running.extensions["surveys"]  # refreshed below by the first request
    client = running.test_client()
    respondent = Respondent(client, "t_pages")
    respondent.open(1)
    respondent.post(1, ANSWERS[0])
    old = definitions.current_version(store.thread_connection(running.config["DATABASE"]),
                                      "t_pages", 2020)  # fmt: skip
    assert started is not running.extensions["surveys"]
    _publish(make_app, REWORDED, tmp_path)
    assert "Second answer, reworded" in running.test_client().get("/s/t_pages?page=2").text
    page_two = client.get("/s/t_pages?page=2").text
    assert "Second answer" in page_two and "reworded" not in page_two
    respondent.last = client.get("/s/t_pages?page=2")
    respondent.post(2, ANSWERS[1])
    done = respondent.post(3, ANSWERS[2], action="submit")
    assert done.status_code == 302 and "/thanks" in done.headers["Location"]
    db = store.thread_connection(running.config["DATABASE"])
    assert db.execute("SELECT version FROM responses").fetchall() == [(old,)]
    new = definitions.current_version(db, "t_pages", 2020)
    assert new != old
    Respondent(running.test_client(), "t_pages").complete(ANSWERS)
    assert [v for (v,) in db.execute("SELECT version FROM responses ORDER BY id")] == [old, new]


def test_the_draft_records_its_version_and_a_forged_one_is_ignored(make_app, tmp_path):
    running = make_app()
    _publish(make_app, PAGES, tmp_path)
    client = running.test_client()
    respondent = Respondent(client, "t_pages")
    html = respondent.open(1).text
    current = running.extensions["surveys"]["t_pages"][2020].version
    assert f'name="definition_version" type="hidden" value="{current}"' in html
    respondent.post(1, {**ANSWERS[0], "definition_version": "forged"})
    db = store.thread_connection(running.config["DATABASE"])
    assert db.execute("SELECT version FROM drafts").fetchall() == [(current,)]
    cmo = running.extensions["surveys"]["cmo"][2012].version
    respondent.last = client.get("/s/t_pages?page=2")
    respondent.post(2, {**ANSWERS[1], "definition_version": cmo})  # another questionnaire's
    assert db.execute("SELECT version FROM drafts").fetchall() == [(current,)]
