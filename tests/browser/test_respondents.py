"""Respondents complete the shipped questionnaires in a real browser: with the mouse on a
desktop, with a finger on a phone; a double-click on Submit stores one response."""

from __future__ import annotations

import pytest

from tests.browser.answers import client_pages, cmo_pages, merged
from tests.browser.helpers import (
    THANKS,
    answer_page,
    begin,
    complete,
    press,
    stored_answers,
)


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

    def screen(p) -> None:
        sizes.append(p.evaluate("[window.innerWidth, navigator.maxTouchPoints]"))

    key = complete(page, "client", pages, tap=True, on_page=screen)
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
