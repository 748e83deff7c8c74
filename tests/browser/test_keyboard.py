"""A respondent completes a questionnaire with the keyboard alone (Tab, arrow keys within
radio groups, Space, Enter), and the focused element shows a focus ring at every step."""

from __future__ import annotations

from tests.browser.answers import IMPORTANCE, client_pages, merged
from tests.browser.helpers import focus_ring_visible, key, stored_answers, submission_key, tab_to


def pick(page, name: str, scale: list[str], value: str) -> None:
    """Tab into a radio group, Space to pick its first option, arrow down to the wanted one."""
    focused = tab_to(page, lambda f: f["name"] == name)
    assert focused["value"] == scale[0]
    key(page, "Space")
    for _ in range(scale.index(value)):
        focused = key(page, "ArrowDown")
    assert focused == {"tag": "input", "name": name, "value": value, "text": ""}
    assert page.locator(f"input[name='{name}'][value='{value}']").is_checked()


def press_button(page, label: str) -> None:
    tab_to(page, lambda f: f["tag"] == "button" and f["text"] == label)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_client_completed_with_the_keyboard_alone(new_page, live_server, artifacts):
    page = new_page()
    pages = client_pages(comments="Typed with the keyboard.")
    sizes = ["small", "medium", "large"]
    regions = ["north_america", "europe", "asia", "other"]
    page.goto("/s/client")
    token = submission_key(page)
    assert key(page, "Tab")["text"] == "Skip to content"

    pick(page, "company_size", sizes, pages[0]["company_size"])
    pick(page, "region", regions, pages[0]["region"])
    key(page, "ArrowUp")  # arrow keys move within the group: up one, then back down
    assert key(page, "ArrowDown")["value"] == pages[0]["region"]
    pick(page, "outsources_commercial", ["yes", "no"], pages[0]["outsources_commercial"])
    page.screenshot(path=artifacts / "client-page1-keyboard-focus-desktop.png")
    press_button(page, "Next")

    for name, value in pages[1].items():
        pick(page, name, IMPORTANCE, value)
    press_button(page, "Next")

    tab_to(page, lambda f: f["name"] == "comments")
    page.keyboard.type(pages[2]["comments"])
    assert focus_ring_visible(page)
    page.screenshot(path=artifacts / "client-page3-keyboard-focus-desktop.png")
    press_button(page, "Submit")

    assert page.get_by_role("heading", name="Thank you").is_visible()
    assert stored_answers(live_server.db, token) == merged(pages)
