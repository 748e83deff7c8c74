"""Answers survive what respondents do: a missing answer, Back and Next, a reload."""

from __future__ import annotations

from tests.browser.answers import client_pages, cmo_pages, merged
from tests.browser.helpers import (
    answer_page,
    assert_kept,
    begin,
    focus_ring_visible,
    press,
    stored_answers,
    submission_key,
)

MISSING = "Please answer this question."
FOCUSED_NAME = "document.activeElement.getAttribute('name')"


def test_missing_answer_shown_next_to_the_question_with_focus_on_it(
    new_page, live_server, artifacts
):
    page = new_page()
    pages = cmo_pages()
    token = begin(page, "cmo", pages[0])
    skipped = ["problems-cost_containment", "problems-hand_off"]
    given = {name: value for name, value in pages[1].items() if name not in skipped}
    answer_page(page, given)
    press(page, "Next")

    assert page.title().startswith("Error: ")
    page.screenshot(path=artifacts / "cmo-page2-errors-desktop.png", full_page=True)
    assert page.locator("p.progress").inner_text() == "Page 2 of 3"
    for name in skipped:
        group = page.locator(f"fieldset#{name}")
        assert group.locator(".error").inner_text().strip() == MISSING
        assert group.locator(".error").is_visible()
        assert group.get_attribute("aria-describedby") == f"{name}-error"
    assert page.locator(".error-summary li").count() == len(skipped)
    assert page.evaluate(FOCUSED_NAME) == skipped[0]
    assert focus_ring_visible(page)
    assert_kept(page, given)
    for name in given:
        assert page.locator(f"fieldset#{name} .error").count() == 0
    page.locator(".error-summary a").nth(1).click()  # the summary leads to the question
    assert page.evaluate(FOCUSED_NAME) == skipped[1]

    answer_page(page, {name: pages[1][name] for name in skipped})
    press(page, "Next")
    answer_page(page, pages[2])
    press(page, "Submit")
    assert page.get_by_role("heading", name="Thank you").is_visible()
    assert stored_answers(live_server.db, token) == merged(pages)


def test_submit_with_earlier_pages_unanswered_goes_back_to_them(new_page):
    page = new_page(phone=True)
    page.goto("/s/client?page=3")
    answer_page(page, {"comments": "Straight to the end."}, tap=True)
    press(page, "Submit", tap=True)
    assert page.locator("p.progress").inner_text() == "Page 1 of 3"
    assert page.locator("fieldset#company_size .error").inner_text().strip() == MISSING
    assert page.evaluate(FOCUSED_NAME) == "company_size"
    answer_page(page, {"company_size": "small", "region": "other", "outsources_commercial": "yes"},
                tap=True)  # fmt: skip
    press(page, "Next", tap=True)
    answer_page(page, client_pages()[1], tap=True)
    press(page, "Next", tap=True)
    assert_kept(page, {"comments": "Straight to the end."})


def test_back_and_next_keep_answers(new_page, live_server):
    page = new_page()
    pages = client_pages()
    token = begin(page, "client", pages[0])
    some = dict(list(pages[1].items())[:3])
    answer_page(page, some)
    press(page, "Back")
    assert_kept(page, pages[0])
    press(page, "Next")
    assert_kept(page, some)
    answer_page(page, pages[1])
    press(page, "Next")
    answer_page(page, pages[2])
    press(page, "Back")
    assert_kept(page, pages[1])
    press(page, "Next")
    assert_kept(page, pages[2])
    press(page, "Submit")
    assert stored_answers(live_server.db, token) == merged(pages)


def test_reload_mid_way_loses_nothing(new_page, live_server):
    page = new_page(phone=True)
    pages = cmo_pages(comments="Written before a reload.")
    page.goto("/s/cmo")
    token = submission_key(page)
    answer_page(page, pages[0], tap=True)
    page.reload()
    assert_kept(page, pages[0])
    press(page, "Next", tap=True)
    some = dict(list(pages[1].items())[:4])
    answer_page(page, some, tap=True)
    page.reload()
    assert page.locator("p.progress").inner_text() == "Page 2 of 3"
    assert_kept(page, some)
    answer_page(page, pages[1], tap=True)
    press(page, "Back", tap=True)
    page.reload()
    assert_kept(page, pages[0])
    press(page, "Next", tap=True)
    assert_kept(page, pages[1])
    press(page, "Next", tap=True)
    answer_page(page, pages[2], tap=True)
    page.reload()
    assert_kept(page, pages[2])
    press(page, "Submit", tap=True)
    assert stored_answers(live_server.db, token) == merged(pages)
