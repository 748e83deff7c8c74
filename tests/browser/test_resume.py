"""Save and continue later in a real browser: a respondent starts on a phone, saves, and
finishes from the link on a desktop (a second context: no shared cookie or storage)."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.answers import cmo_pages, merged
from tests.browser.helpers import (
    THANKS,
    answer_page,
    assert_kept,
    axe_check,
    key,
    press,
    stored_answers,
    submission_key,
    tab_to,
)

CLIPBOARD = ["clipboard-read", "clipboard-write"]


def test_saved_on_a_phone_resumed_on_a_desktop_submitted_once(new_page, live_server, artifacts):
    pages = cmo_pages(comments="Finished at my desk.")
    before = len(live_server.responses("cmo"))
    phone = new_page(phone=True, permissions=CLIPBOARD)
    phone.goto("/s/cmo")
    saved_key = submission_key(phone)
    answer_page(phone, pages[0], tap=True)
    press(phone, "Next", tap=True)
    answer_page(phone, pages[1], tap=True)
    press(phone, "Save and continue later", tap=True)
    assert phone.get_by_role("heading", name="Your answers are saved").is_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.screenshot(path=str(artifacts / "resume-saved-phone.png"), full_page=True)
    axe_check(phone, "resume-saved-phone", artifacts)
    link = phone.get_by_label("Your link to continue").input_value()
    assert link.startswith(f"{live_server.url}/r/")
    tab_to(phone, lambda focused: focused["text"] == "Copy link")
    key(phone, "Enter")
    # expect() polls from Playwright's own world: a string predicate would be evaluated in
    # the page, where the CSP forbids eval
    expect(phone.locator("[data-copy-status]")).not_to_have_text("")
    assert phone.evaluate("navigator.clipboard.readText()") == link

    desk = new_page()
    desk.goto(link)
    assert desk.url.endswith("/s/cmo?page=2")
    assert_kept(desk, pages[1])
    desk.screenshot(path=str(artifacts / "resume-resumed-desktop.png"), full_page=True)
    press(desk, "Back")
    assert_kept(desk, pages[0])
    press(desk, "Next")
    assert_kept(desk, pages[1])
    press(desk, "Next")
    answer_page(desk, pages[2])
    press(desk, "Submit")
    desk.wait_for_url(THANKS)
    assert len(live_server.responses("cmo")) == before + 1
    assert stored_answers(live_server.db, saved_key) == merged(pages)

    again = new_page()
    again.goto(link)
    assert "already received" in again.locator("[role=status]").inner_text()
    assert len(live_server.responses("cmo")) == before + 1


def test_the_save_page_without_javascript_is_a_read_only_field(new_page, artifacts):
    page = new_page(java_script_enabled=False)
    page.goto("/s/cmo")
    press(page, "Save and continue later")
    field = page.get_by_label("Your link to continue")
    assert field.get_attribute("readonly") is not None and "/r/" in field.input_value()
    assert not page.get_by_role("button", name="Copy link").is_visible()
    page.screenshot(path=str(artifacts / "resume-saved-desktop-nojs.png"), full_page=True)


def test_the_save_page_at_desktop_width_is_axe_clean(new_page, artifacts):
    page = new_page()
    page.goto("/s/cmo")
    press(page, "Save and continue later")
    assert page.get_by_role("button", name="Copy link").is_visible()
    page.screenshot(path=str(artifacts / "resume-saved-desktop.png"), full_page=True)
    axe_check(page, "resume-saved-desktop", artifacts)
