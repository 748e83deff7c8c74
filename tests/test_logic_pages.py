"""Logic on the respondent's pages, through the test client (a browser without JavaScript
posts the page's shape as it was drawn; tests/walker.py does the same): what is shown,
required, kept and stored; skipped pages and Back; screen-out; piping."""

from __future__ import annotations

import json
import re

import pytest

from surveyapp import store
from tests.conftest import TEST_QUESTIONNAIRES
from tests.test_hot_path import normalised
from tests.walker import Respondent, hidden

pytestmark = pytest.mark.both_engines

RESHAPED = "Your answers changed the questions on this page"


@pytest.fixture
def app(make_app):
    return make_app(TEST_QUESTIONNAIRES)


def stored(app) -> list[tuple[dict, str]]:
    db = store.thread_connection(app.config["DATABASE"])
    rows = db.execute("SELECT answers, status FROM responses ORDER BY id").fetchall()
    return [(json.loads(answers), status) for answers, status in rows]


def draft(app, respondent: Respondent) -> dict:
    key = hidden(respondent.last.get_data(as_text=True))["submission_key"]
    return store.load_draft(store.thread_connection(app.config["DATABASE"]), key)


def section(html: str, question: str) -> str:
    return re.search(rf'<section[^>]*id="q-{question}"[^>]*>', html).group(0)


def test_a_hidden_question_is_drawn_hidden_and_shown_once_it_applies_without_javascript(app):
    walker = Respondent(app.test_client(), "t_relevant")
    html = walker.open(1).text
    assert "hidden" in section(html, "partners") and "hidden" in section(html, "reason")
    assert 'data-relevant="${outsources} = &#39;yes&#39;"' in section(html, "partners")
    again = walker.post(1, {"outsources": "yes"})
    assert again.status_code == 200 and RESHAPED in again.text
    assert "hidden" not in section(again.text, "partners")
    assert "hidden" in section(again.text, "reason")
    moved = walker.post(1, {"outsources": "yes", "partners": "3"})
    assert walker.last_location.endswith("page=2") and "Page 2 of 2" in moved.text


def test_a_browser_that_showed_the_new_question_moves_on_at_once(app):
    walker = Respondent(app.test_client(), "t_relevant")
    walker.open(1)
    tokens = hidden(walker.last.text) | {"~shown": "outsources partners"}
    walker.post(1, {"outsources": "yes", "partners": "2"}, tokens=tokens)
    assert walker.last_location.endswith("page=2")


def test_hidden_questions_are_not_required_their_posts_discarded_and_stored_not_shown(app):
    walker = Respondent(app.test_client(), "t_relevant")
    walker.open(1)
    tokens = hidden(walker.last.text) | {"~shown": "outsources partners"}
    walker.post(1, {"outsources": "yes", "partners": "4", "reason": "forged"}, tokens=tokens)
    assert "reason" not in draft(app, walker)
    walker.post(2, {"views-general": "agree", "views-deliver": "disagree"}, "submit")
    assert "/thanks" in walker.last_location
    [(answers, status)] = stored(app)
    assert status == "completed"
    assert answers == {"outsources": "yes", "partners": "4", "views-general": "agree",
                       "views-deliver": "disagree", "~not_shown": ["reason"]}  # fmt: skip
    assert "comments" not in answers["~not_shown"]  # shown and left blank is not "not shown"
    db = store.thread_connection(app.config["DATABASE"])
    assert db.execute("SELECT field FROM not_shown").fetchall() == [("reason",)]


def test_a_required_expression_asks_for_an_answer_only_when_it_holds(app):
    walker = Respondent(app.test_client(), "t_relevant")
    walker.open(1)
    tokens = hidden(walker.last.text) | {"~shown": "outsources reason"}
    refused = walker.post(1, {"outsources": "no"}, tokens=tokens)
    assert refused.status_code == 422 and 'id="reason-error"' in refused.text
    walker.post(1, {"outsources": "no", "reason": "In house"}, tokens=tokens)
    assert walker.last_location.endswith("page=2")


def test_changing_an_earlier_answer_removes_answers_it_now_hides(app):
    walker = Respondent(app.test_client(), "t_relevant")
    walker.open(1)
    tokens = hidden(walker.last.text) | {"~shown": "outsources partners"}
    walker.post(1, {"outsources": "yes", "partners": "5"}, tokens=tokens)
    walker.post(2, {"views-general": "agree", "views-deliver": "agree"}, "back")
    assert draft(app, walker)["views-deliver"] == "agree"
    tokens = hidden(walker.last.text) | {"~shown": "outsources reason"}
    walker.post(1, {"outsources": "no", "reason": "Costs"}, tokens=tokens)
    kept = draft(app, walker)
    assert "partners" not in kept and "views-deliver" not in kept
    assert kept["views-general"] == "agree"
    page2 = walker.last.text
    assert re.search(r'data-field="views-deliver"[^>]*hidden', page2)
    walker.post(2, {"views-general": "agree", "views-deliver": "agree"}, "submit")
    [(answers, _status)] = stored(app)
    assert answers["~not_shown"] == ["partners", "views-deliver"]
    assert "partners" not in answers and "views-deliver" not in answers


def test_pages_that_do_not_apply_are_skipped_forward_and_back(app):
    walker = Respondent(app.test_client(), "t_skip")
    assert "Page 1 of 2" in walker.open(1).text  # the long route's pages are not counted
    walker.post(1, {"route": "short"})
    assert walker.last_location.endswith("page=4") and "Page 2 of 2" in walker.last.text
    assert ">Submit<" in walker.last.text
    walker.post(4, {}, "back")
    assert walker.last_location.endswith("page=1")
    forged = walker.client.get("/s/t_skip?page=2")
    assert forged.status_code == 302 and forged.headers["Location"].endswith("page=4")
    walker.open(1)
    walker.post(1, {"route": "long"})
    assert walker.last_location.endswith("page=2") and "Page 2 of 3" in walker.last.text
    walker.post(2, {"detail": "More"})
    assert walker.last_location.endswith("page=3") and "Page 3 of 4" in walker.last.text
    walker.post(3, {}, "back")
    assert walker.last_location.endswith("page=2")


def test_a_forged_post_to_a_page_that_does_not_apply_stores_nothing_from_it(app):
    walker = Respondent(app.test_client(), "t_skip")
    walker.open(1)
    walker.post(1, {"route": "short"})
    tokens = hidden(walker.last.text)
    response = walker.client.post("/s/t_skip?page=2", data={**tokens, "detail": "x",
                                                             "action": "next"})  # fmt: skip
    assert response.status_code == 302 and response.headers["Location"].endswith("page=4")
    walker.last = walker.client.get("/s/t_skip?page=4")
    walker.post(4, {"done": "yes"}, "submit")
    [(answers, _status)] = stored(app)
    assert answers == {"route": "short", "done": "yes", "~not_shown": ["detail", "extra"]}


def test_options_follow_earlier_answers_and_an_option_not_offered_is_dropped(app):
    walker = Respondent(app.test_client(), "t_options")
    first = walker.open(1).text
    assert first.count("data-option=") == 3 and 'data-filter="selected(${uses}, .)"' in first
    redrawn = walker.post(1, {"uses": ["fill", "analytics"]})
    assert redrawn.status_code == 200 and RESHAPED in redrawn.text
    offered = re.findall(r'<label class="option" data-option="(\w+)"(?! hidden)', redrawn.text)
    assert offered == ["fill", "analytics"]
    refused = walker.post(1, {"uses": ["fill", "analytics"], "best": "upstream"})
    assert refused.status_code == 422
    walker.post(1, {"uses": ["upstream"], "best": "upstream"})
    page2 = walker.last.text
    assert re.search(r'<option value="eu_only"[^>]*hidden', page2)
    refused = walker.post(2, {"region": "eu_only"}, "submit")
    assert refused.status_code == 422
    walker.post(2, {"region": "asia"}, "submit")
    assert stored(app)[0][0] == {"uses": ["upstream"], "best": "upstream", "region": "asia"}


def test_constraints_check_answers_against_each_other(app):
    walker = Respondent(app.test_client(), "t_constraint")
    walker.open(1)
    refused = walker.post(1, {"staff": "10", "scientists": "12", "code": "ab12"}, "submit")
    assert refused.status_code == 422
    assert "Cannot be more than the staff in total." in refused.text
    assert "This answer does not fit: please check it." in refused.text
    walker.post(1, {"staff": "10", "scientists": "10", "code": "AB123"}, "submit")
    assert stored(app) == [({"staff": "10", "scientists": "10", "code": "AB123"}, "completed")]


def test_calculations_are_stored_never_drawn_and_a_posted_value_is_ignored(app):
    walker = Respondent(app.test_client(), "t_calculate")
    html = walker.open(1).text
    assert 'name="per_site"' not in html and 'data-calc="${staff} div ${sites}"' in html
    page2 = walker.post(1, {"staff": "120", "sites": "4", "per_site": "999"})
    assert "About 30 staff per site (large). Right?" in page2.text
    walker.post(2, {"confirm": "yes"}, "submit")
    [(answers, _status)] = stored(app)
    assert answers == {"staff": "120", "sites": "4", "per_site": "30", "size_band": "large",
                       "big": "100", "confirm": "yes"}  # fmt: skip


def test_a_screened_out_respondent_ends_politely_and_keeps_only_answers_up_to_it(app):
    walker = Respondent(app.test_client(), "t_screen")
    walker.open(1)
    walker.post(1, {"size": "large", "makes": "no", "note": "after the screening question"})
    assert "/thanks" in walker.last_location and "screened=1" in walker.last_location
    thanks = walker.client.get(walker.last_location).text
    assert "this questionnaire is not for you" in thanks
    assert stored(app) == [({"size": "large", "makes": "no", "~screened_out": True},
                            "screened_out")]  # fmt: skip
    db = store.thread_connection(app.config["DATABASE"])
    assert db.execute("SELECT count(*) FROM answers").fetchone()[0] == 0
    counters = dict(((f, v), n) for f, v, n in
                    db.execute("SELECT field, value, count FROM counters").fetchall())  # fmt: skip
    assert counters == {("*", "*"): 1, ("*", "~screened_out"): 1}
    assert walker.client.get("/s/t_screen").status_code == 200  # a new key: may start again


def test_a_page_level_screen_out_keeps_that_page(app):
    walker = Respondent(app.test_client(), "t_screen")
    walker.open(1)
    walker.post(1, {"size": "small", "makes": "yes"})
    walker.post(2, {"capacity": "none"})
    assert "screened=1" in walker.last_location
    assert stored(app) == [({"size": "small", "makes": "yes", "capacity": "none",
                             "~screened_out": True}, "screened_out")]  # fmt: skip


def test_piped_answers_show_their_labels_escaped(app):
    walker = Respondent(app.test_client(), "t_piping")
    walker.open(1)
    page2 = walker.post(1, {"firm": "<b>Acme</b> & Co", "sector": "bio"}).text
    assert "Is &lt;b&gt;Acme&lt;/b&gt; &amp; Co happy in Biotech &amp; &lt;pharma&gt;?" in page2
    assert "You answered Biotech &amp; &lt;pharma&gt; before." in page2
    assert "Yes, &lt;b&gt;Acme&lt;/b&gt; &amp; Co is" in page2
    assert "<b>Acme</b>" not in page2


def test_an_empty_page_is_drawn_from_the_cache_once_per_logic_view(app):
    def page2(partners: str) -> str:
        walker = Respondent(app.test_client(), "t_relevant")
        walker.open(1)
        tokens = hidden(walker.last.text) | {"~shown": "outsources partners"}
        walker.post(1, {"outsources": "yes", "partners": partners}, tokens=tokens)
        return walker.last.text

    def views() -> list[tuple]:
        return [key for key in app.extensions["blank_pages"] if key[1] == 2]

    first, second = page2("3"), page2("3")
    assert len(views()) == 1 and hidden(first) != hidden(second)
    assert normalised(first) == normalised(second)
    other = page2("0")
    assert len(views()) == 2
    assert re.search(r'data-field="views-deliver"[^>]*hidden', other)
    assert not re.search(r'data-field="views-deliver"[^>]*hidden', first)
