"""Editions: the latest is open unless recorded otherwise; closed editions refuse answers."""

from __future__ import annotations

from pathlib import Path

import pytest

from surveyapp import store
from surveyapp.questionnaire.loader import load_file
from surveyapp.store import editions
from tests.history import count, history_app
from tests.walker import Respondent, cmo_answers

pytestmark = pytest.mark.both_engines


@pytest.fixture
def app(make_app, tmp_path, monkeypatch):
    monkeypatch.setenv("SURVEYAPP_INSTANCE", str(tmp_path / "instance"))
    return history_app(make_app)


def test_rule_when_nothing_is_recorded():
    assert editions.effective_statuses([2011, 2010, 2012], {}) == {
        2010: "closed", 2011: "closed", 2012: "open"
    }  # fmt: skip
    assert editions.open_edition([2010, 2011, 2012], {}) == 2012
    assert editions.open_edition([2010, 2011, 2012], {2012: "closed"}) is None
    assert editions.open_edition([2010, 2011, 2012], {2012: "closed", 2010: "open"}) == 2010
    assert editions.open_edition([], {}) is None


def test_storage_functions(db):
    assert editions.edition_statuses(db, "cmo") == {}
    editions.set_edition_status(db, "cmo", 2012, "closed")
    editions.set_edition_status(db, "cmo", 2011, "open")
    editions.set_edition_status(db, "cmo", 2012, "open")
    assert editions.edition_statuses(db, "cmo") == {2011: "open", 2012: "open"}
    assert editions.edition_statuses(db, "client") == {}
    with pytest.raises(ValueError):
        editions.set_edition_status(db, "cmo", 2012, "paused")


def test_serves_the_open_edition(client, app, runner):
    assert "for CMO, 2012" in client.get("/").text
    result = runner.invoke(args=["open-edition", "cmo", "2011"])
    assert result.exit_code == 0 and "cmo 2011 is open (closed 2012)." in result.output
    assert "for CMO, 2011" in client.get("/").text
    Respondent(client, "cmo").complete(cmo_answers())
    db = store.thread_connection(app.config["DATABASE"])
    assert db.execute("SELECT edition FROM responses").fetchall() == [(2011,)]
    assert db.execute(
        "SELECT count FROM counters WHERE edition = 2011 AND field = '*'"
    ).fetchall() == [(1,)]


def test_closed_questionnaire_refuses_new_responses_and_keeps_data(client, app, runner):
    Respondent(client, "cmo").complete(cmo_answers())
    assert runner.invoke(args=["close-edition", "cmo", "2012"]).exit_code == 0
    page = client.get("/s/cmo")
    assert page.status_code == 410
    assert (
        "This questionnaire is closed" in page.text
        and "Answers already received are kept" in page.text
    )
    assert "Start the" not in page.text
    assert "for CMO" not in client.get("/").text
    refused = client.post("/s/cmo?page=1", data={"company_size": "small", "action": "next"})
    assert refused.status_code == 410
    db = store.thread_connection(app.config["DATABASE"])
    assert count(db, "responses") == 1
    assert client.get("/s/nope").status_code == 404


def test_response_in_progress_on_an_edition_that_closes(client, app, runner):
    walker = Respondent(client, "cmo")
    walker.open(1)
    pages = cmo_answers()
    walker.post(1, pages[0])
    walker.post(2, pages[1])
    assert runner.invoke(args=["close-edition", "cmo", "2012"]).exit_code == 0
    refused = walker.post(3, pages[2], action="submit")
    assert refused.status_code == 410
    assert (
        "The 2012 edition of this questionnaire, which you were answering, has closed"
        in refused.text
    )
    db = store.thread_connection(app.config["DATABASE"])
    assert count(db, "responses") == 0


def test_in_progress_answers_are_not_moved_to_another_edition(client, app, runner):
    walker = Respondent(client, "cmo")
    walker.open(1)
    walker.post(1, cmo_answers()[0])
    runner.invoke(args=["open-edition", "cmo", "2011"])
    refused = walker.post(2, cmo_answers()[1])
    assert refused.status_code == 410
    assert "The 2012 edition" in refused.text and "Start the 2011 edition" in refused.text
    # Starting again answers the open edition.
    Respondent(client, "cmo").complete(cmo_answers())
    db = store.thread_connection(app.config["DATABASE"])
    assert db.execute("SELECT edition FROM responses").fetchall() == [(2011,)]


def test_cli_refuses_unknown_editions(runner):
    result = runner.invoke(args=["open-edition", "cmo", "1999"])
    assert result.exit_code == 1
    assert "cmo has no edition 1999 (editions: 2010, 2011, 2012)" in result.output
    result = runner.invoke(args=["close-edition", "nope", "2012"])
    assert result.exit_code == 1 and "no questionnaire called 'nope'" in result.output


def test_new_edition_copies_the_latest_definition(app, runner):
    result = runner.invoke(args=["new-edition", "cmo", "2013"])
    assert result.exit_code == 0, result.output
    path = app.instance_path + "/surveys/cmo-2013.yaml"
    assert path in result.output
    made = load_file(Path(path))
    latest = app.extensions["surveys"]["cmo"][2012]
    assert made.edition == 2013 and made.id == "cmo"
    assert made.pages == latest.pages and made.title == latest.title
    assert made.text == latest.text.replace("edition: 2012", "edition: 2013", 1)
    again = runner.invoke(args=["new-edition", "cmo", "2013"])
    assert again.exit_code == 1 and "already exists" in again.output
    existing = runner.invoke(args=["new-edition", "cmo", "2011"])
    assert existing.exit_code == 1 and "cmo edition 2011 is already defined" in existing.output


def test_new_edition_is_open_after_restart(make_app, app, runner):
    runner.invoke(args=["new-edition", "cmo", "2013"])
    store.close_thread_connections()
    folders = [*app.config["SURVEY_FOLDERS"], app.instance_path + "/surveys"]
    restarted = history_app(make_app, SURVEY_FOLDERS=folders)
    assert sorted(restarted.extensions["surveys"]["cmo"]) == [2010, 2011, 2012, 2013]
    assert "for CMO, 2013" in restarted.test_client().get("/").text
