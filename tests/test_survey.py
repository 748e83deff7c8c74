"""Respondents walk the shipped questionnaires through the test client."""

from __future__ import annotations

import json

import pytest

from tests.walker import Respondent, client_answers, cmo_answers, hidden

pytestmark = pytest.mark.both_engines


def rows(db):
    return list(db.query("SELECT * FROM responses ORDER BY id"))


def merged(pages):
    return {k: v for page in pages for k, v in page.items() if v}


def test_cmo_walk_stores_exactly_what_was_answered(client, db, app):
    pages = cmo_answers(size="medium", region="asia", rating="rare", comments='Ünïcode, "q"\nok')
    response = Respondent(client, "cmo").complete(pages)
    assert response.status_code == 302
    thanks = client.get(response.headers["Location"])
    assert "has been received" in thanks.get_data(as_text=True)
    [row] = rows(db)
    definition = app.extensions["surveys"]["cmo"][2012]
    assert (row["survey"], row["edition"], row["version"]) == ("cmo", 2012, definition.version)
    assert json.loads(row["answers"]) == merged(pages)
    assert row["submitted_at"].endswith("Z")


def test_client_walk_without_optional_comment(client, db):
    pages = client_answers(comments="")
    Respondent(client, "client").complete(pages)
    [row] = rows(db)
    answers = json.loads(row["answers"])
    assert answers == merged(pages)
    assert "comments" not in answers
    stored_pairs = {(r["field"], r["value"]) for r in db.query("SELECT * FROM answers")}
    assert stored_pairs == set(answers.items())


def test_counters_follow_each_response(client, db):
    Respondent(client, "cmo").complete(cmo_answers(rating="rare"))
    Respondent(client, "cmo").complete(cmo_answers(rating="very_common"))
    counts = {
        (r["field"], r["value"]): r["count"]
        for r in db.query("SELECT * FROM counters WHERE survey = 'cmo'")
    }
    assert counts[("*", "*")] == 2
    assert counts[("problems-timeframes", "*")] == 2
    assert counts[("problems-timeframes", "rare")] == 1
    assert counts[("problems-timeframes", "very_common")] == 1
    assert ("comments", "*") not in counts


def test_pages_show_progress_and_the_introduction(client):
    html = client.get("/s/cmo").get_data(as_text=True)
    assert "Page 1 of 3" in html
    assert "contract manufacturing organisations" in html
    assert "Page 2 of 3" in client.get("/s/cmo?page=2").get_data(as_text=True)
    assert 'name="problems-communicate"' in client.get("/s/cmo?page=2").get_data(as_text=True)


def test_back_next_and_reload_keep_answers(client, db):
    walker = Respondent(client, "cmo")
    pages = cmo_answers()
    walker.open(1)
    walker.post(1, pages[0], "next")
    partial = {"problems-communicate": "rare", "problems-timeframes": "very_common"}
    page2 = walker.post(2, partial, "back").get_data(as_text=True)
    assert "Page 1 of 3" in page2
    assert 'value="small" checked' in page2
    reloaded = client.get("/s/cmo?page=2").get_data(as_text=True)
    assert (
        'name="problems-communicate" id="problems-communicate-2" value="rare" checked' in reloaded
    )
    assert rows(db) == []


def test_missing_answers_on_an_earlier_page_are_caught_at_submit(client, db):
    walker = Respondent(client, "cmo")
    walker.open(3)
    response = walker.post(3, {"comments": "jumped ahead"}, "submit")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Page 1 of 3" in html
    assert 'id="company_size-error"' in html
    assert rows(db) == []


def to_last_page(client):
    """Answer cmo's first two pages; return the walker, the answers and the last page's tokens."""
    walker = Respondent(client, "cmo")
    pages = cmo_answers()
    walker.open(1)
    walker.post(1, pages[0])
    walker.post(2, pages[1])
    return walker, pages, hidden(walker.last.get_data(as_text=True))


def test_replayed_final_post_stores_one_response(client, db):
    walker, pages, tokens = to_last_page(client)
    first = walker.post(3, pages[2], "submit", tokens=tokens)
    again = walker.post(3, pages[2], "submit", tokens=tokens)
    assert first.headers["Location"].endswith("again=0")
    assert again.headers["Location"].endswith("again=1")
    assert "already received" in client.get(again.headers["Location"]).get_data(as_text=True)
    assert len(rows(db)) == 1


def test_second_tab_with_the_same_key_stores_one_response(client, db):
    tab_one, tab_two = Respondent(client, "client"), Respondent(client, "client")
    pages = client_answers()
    tab_one.open(1)
    tab_one.post(1, pages[0])
    tab_one.post(2, pages[1])
    tab_two.open(3)
    tab_one.post(3, pages[2], "submit")
    tab_two.post(3, pages[2], "submit")
    assert len(rows(db)) == 1


def test_stale_csrf_token_keeps_answers_and_stores_nothing(client, db):
    walker = Respondent(client, "cmo")
    walker.open(1)
    tokens = hidden(walker.last.get_data(as_text=True))
    tokens["csrf_token"] = "stale-or-forged"
    given = {"manufactures_for_clients": "yes", "company_size": "large", "region": "other"}
    response = walker.post(1, given, tokens=tokens)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Your answers are kept" in html
    assert 'value="large" checked' in html
    assert 'value="other" checked' in html
    fresh = hidden(html)
    assert fresh["csrf_token"] != "stale-or-forged"
    assert walker.post(1, given, tokens=fresh).status_code == 200
    assert rows(db) == []


def test_forged_submission_key_stores_nothing(client, db):
    walker, pages, tokens = to_last_page(client)
    tokens["submission_key"] = "forged.0000"
    response = walker.post(3, pages[2], "submit", tokens=tokens)
    assert response.status_code == 400
    assert rows(db) == []


def test_unknown_questionnaire_is_a_404(client):
    response = client.get("/s/nope")
    assert response.status_code == 404
    assert "no questionnaire called" in response.get_data(as_text=True)


def test_index_lists_both_questionnaires(client):
    html = client.get("/").get_data(as_text=True)
    assert 'href="/s/cmo"' in html and 'href="/s/client"' in html


def test_definition_text_is_kept_for_every_version(app, db):
    versions = {r["version"]: r for r in db.query("SELECT * FROM definitions")}
    cmo = app.extensions["surveys"]["cmo"][2012]
    assert versions[cmo.version]["text"] == cmo.text


def test_out_of_range_page_numbers_fall_back_to_the_first(client):
    for page in ("0", "99", "-1", "x"):
        assert "Page 1 of 3" in client.get(f"/s/cmo?page={page}").get_data(as_text=True)
