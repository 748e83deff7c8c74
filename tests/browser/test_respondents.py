"""Respondents complete the shipped questionnaires in a real browser: with the mouse on a
desktop, with a finger on a phone; a double-click on Submit stores one response."""

from __future__ import annotations

import re

import pytest

from tests.browser.answers import client_pages, cmo_pages, merged
from tests.browser.helpers import answer_page, begin, press, stored_answers, submission_key

THANKS = re.compile(r"/s/\w+/thanks")


def complete(page, survey: str, pages: list[dict], tap: bool = False, on_page=None) -> str:
    """Answer every page and submit; return the submission key the response is stored under."""
    page.goto(f"/s/{survey}")
    key = submission_key(page)
    for number, answers in enumerate(pages, 1):
        assert page.locator("p.progress").inner_text() == f"Page {number} of {len(pages)}"
        if on_page:
            on_page(page.evaluate("[window.innerWidth, navigator.maxTouchPoints]"))
        answer_page(page, answers, tap=tap)
        press(page, "Submit" if number == len(pages) else "Next", tap=tap)
    page.wait_for_url(THANKS)
    assert page.get_by_role("heading", name="Thank you").is_visible()
    return key


def test_cmo_completed_with_the_mouse_on_a_desktop(new_page, live_server):
    page = new_page()
    pages = cmo_pages()
    key = complete(page, "cmo", pages)
    assert "has been received" in page.locator("[role=status]").inner_text()
    assert stored_answers(live_server.db, key) == merged(pages)


def test_client_completed_by_touch_on_a_phone(new_page, live_server):
    page = new_page(phone=True)
    pages = client_pages(comments="Typed on a phone.")
    sizes = []
    key = complete(page, "client", pages, tap=True, on_page=sizes.append)
    assert sizes and all(width == 360 and touch > 0 for width, touch in sizes), sizes
    assert stored_answers(live_server.db, key) == merged(pages)


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_double_click_on_submit_stores_one_response(new_page, live_server, javascript):
    page = new_page(java_script_enabled=javascript)
    pages = client_pages(comments=f"Double click, javascript={javascript}.")
    before = len(live_server.responses("client"))
    key = begin(page, "client", pages[0])
    answer_page(page, pages[1])
    press(page, "Next")
    answer_page(page, pages[2])
    page.get_by_role("button", name="Submit").dblclick()
    page.wait_for_url(THANKS)
    assert page.get_by_role("heading", name="Thank you").is_visible()
    assert len(live_server.responses("client")) == before + 1
    assert [r["submission_key"] for r in live_server.responses("client")].count(key) == 1
    assert stored_answers(live_server.db, key) == merged(pages)
