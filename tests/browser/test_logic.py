"""Questionnaire logic in Chromium: questions, matrix items and options appear and disappear
as the respondent answers, without a round trip (static/logic.js evaluating the rules'
text with static/expressions.js); progress and the main button follow the pages that
apply; without JavaScript the page is drawn again with the newly relevant questions."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from surveyapp import create_app
from tests.browser.conftest import LiveServer, served
from tests.browser.helpers import THANKS, axe_check, option, press, stored_answers, submission_key
from tests.conftest import TEST_QUESTIONNAIRES


@pytest.fixture(scope="module")
def live_server(tmp_path_factory) -> Iterator[LiveServer]:
    """The app serving the one-feature test questionnaires (the logic ones among them)."""
    folder = tmp_path_factory.mktemp("logic")
    app = create_app({"SECRET_KEY": "logic-browser-secret", "DATABASE": str(folder / "l.db"),
                      "SURVEY_FOLDERS": [str(TEST_QUESTIONNAIRES)]}, init_db=True)  # fmt: skip
    yield from served(app)


def pick(page, name: str, value: str) -> None:
    page.locator("label.option", has=option(page, name, value)).click()


def test_questions_appear_and_disappear_as_the_respondent_answers(new_page, live_server, artifacts):
    page = new_page()
    page.goto("/s/t_relevant")
    key = submission_key(page)
    partners, reason = page.locator("#q-partners"), page.locator("#q-reason")
    assert partners.is_hidden() and reason.is_hidden()
    pick(page, "outsources", "yes")
    assert partners.is_visible() and reason.is_hidden()
    pick(page, "outsources", "no")
    assert reason.is_visible() and partners.is_hidden()
    assert page.locator("input[name='partners']").is_disabled()
    assert page.locator("input[name='~shown']").input_value() == "outsources reason"
    axe_check(page, "logic-relevant-shown", artifacts)
    page.locator("[name='reason']").fill("We make it ourselves")
    press(page, "Next")
    assert page.url.endswith("page=2"), "moved on without the server drawing page 1 again"
    assert page.locator("[data-field='views-deliver']").is_hidden()
    pick(page, "views-general", "agree")
    press(page, "Submit")
    page.wait_for_url(THANKS)
    assert stored_answers(live_server.db, key) == {
        "outsources": "no", "reason": "We make it ourselves", "views-general": "agree",
        "~not_shown": ["partners", "views-deliver"]}  # fmt: skip


def test_options_follow_the_earlier_answer_on_the_same_page(new_page):
    page = new_page()
    page.goto("/s/t_options")
    offered = page.locator("#q-best label.option:visible")
    assert offered.count() == 0
    pick(page, "uses", "fill")
    assert offered.all_inner_texts() == ["Fill and finish"]
    pick(page, "uses", "analytics")
    assert offered.all_inner_texts() == ["Fill and finish", "Analytics"]
    pick(page, "best", "analytics")
    pick(page, "uses", "analytics")  # unticked: the picked option goes, and its answer with it
    assert offered.all_inner_texts() == ["Fill and finish"]
    assert not option(page, "best", "analytics").is_checked()


def test_progress_and_the_main_button_follow_the_pages_that_apply(new_page):
    page = new_page()
    page.goto("/s/t_skip")
    assert page.locator("p.progress").inner_text() == "Page 1 of 2"
    pick(page, "route", "long")
    assert page.locator("p.progress").inner_text() == "Page 1 of 3"
    press(page, "Next")
    assert page.url.endswith("page=2")
    page.locator("[name='detail']").fill("Some")
    assert page.locator("p.progress").inner_text() == "Page 2 of 4"
    press(page, "Next")
    assert page.url.endswith("page=3")


def test_a_screening_answer_ends_the_questionnaire_politely(new_page, live_server, artifacts):
    page = new_page()
    page.goto("/s/t_screen")
    pick(page, "size", "small")
    pick(page, "makes", "no")
    press(page, "Next")
    assert page.get_by_role("heading", name="this questionnaire is not for you").is_visible()
    axe_check(page, "logic-screened-out", artifacts)


def test_without_javascript_the_page_is_drawn_again_with_the_new_question(new_page):
    page = new_page(java_script_enabled=False)
    page.goto("/s/t_relevant")
    assert page.locator("#q-partners").is_hidden()
    pick(page, "outsources", "yes")
    assert page.locator("#q-partners").is_hidden()  # nothing runs in this browser
    press(page, "Next")
    assert "changed the questions on this page" in page.locator(".notice").inner_text()
    assert page.locator("#q-partners").is_visible() and page.url.endswith("page=1")
    page.locator("[name='partners']").fill("2")
    press(page, "Next")
    assert page.url.endswith("page=2")
    assert page.locator("[data-field='views-deliver']").is_visible()
