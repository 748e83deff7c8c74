"""The ranking, "please specify" and "None of these" questions in Chromium at phone width:
answered with the keyboard alone, a focus ring at every stop, no serious axe violation."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from surveyapp import SHIPPED_SURVEYS, create_app
from tests.browser.conftest import LiveServer, served
from tests.browser.helpers import FOCUSED, axe_check, key, stored_answers, submission_key
from tests.conftest import TEST_QUESTIONNAIRES

STATUS = "fieldset.rank-question p[aria-live]"
MAX_TABS = 40


@pytest.fixture(scope="module")
def live_server(tmp_path_factory) -> Iterator[LiveServer]:
    """The app serving the test questionnaires too (this module's own server)."""
    folder = tmp_path_factory.mktemp("options")
    app = create_app({
        "SECRET_KEY": "browser-test-secret",
        "DATABASE": str(folder / "options.db"),
        "SURVEY_FOLDERS": [str(SHIPPED_SURVEYS), str(TEST_QUESTIONNAIRES)],
    }, init_db=True)  # fmt: skip
    yield from served(app)


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def labels_in_order(page, name: str) -> list[str]:
    return page.locator(f"#{name} .rank-label").all_inner_texts()


def tab_to(page, wanted) -> dict:
    """Tab forward (at most MAX_TABS times) until wanted(focused) holds, checking the focus
    ring on every stop."""
    focused = page.evaluate(FOCUSED)
    for _ in range(MAX_TABS):
        focused = key(page, "Tab")
        focused["label"] = page.evaluate("document.activeElement.getAttribute('aria-label')")
        if wanted(focused):
            return focused
    raise AssertionError(f"Tab never reached the element; last focus {focused}")


def move(page, label: str, times: int) -> None:
    """Tab to the button named `label` and press Enter `times` times."""
    tab_to(page, lambda f: f["tag"] == "button" and f["label"] == label)
    for _ in range(times):
        key(page, "Enter")


def test_a_ranking_by_keyboard_alone_on_a_phone(new_page, live_server, artifacts):
    page = new_page(phone=True)
    page.goto("/s/t_ranking")
    token = submission_key(page)
    assert labels_in_order(page, "priorities") == ["Quality", "Price", "Speed"]
    assert overflow(page) <= 0
    axe_check(page, "ranking-phone", artifacts)

    move(page, "Move up: Speed", 2)
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "Move up: Speed"
    assert labels_in_order(page, "priorities") == ["Speed", "Quality", "Price"]
    assert page.locator(STATUS).first.inner_text() == "Speed: now 1 of 3, rank 1"
    assert page.locator("#priorities-speed").input_value() == "1"
    move(page, "Move up: Asia", 1)
    assert labels_in_order(page, "regions") == ["Asia", "Europe", "Americas", "Africa"]
    assert page.locator(STATUS).nth(1).inner_text() == "Asia: now 1 of 4, rank 1"
    page.screenshot(path=artifacts / "ranking-moved-phone.png", full_page=True)
    axe_check(page, "ranking-moved-phone", artifacts)

    tab_to(page, lambda f: f["tag"] == "button" and f["text"] == "Submit")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("heading", name="Thank you").is_visible()
    assert stored_answers(live_server.db, token) == {
        "priorities-speed": "1", "priorities-quality": "2", "priorities-price": "3",
        "regions-asia": "1", "regions-europe": "2",
    }  # fmt: skip


def test_other_please_specify_by_keyboard_alone_on_a_phone(new_page, live_server, artifacts):
    page = new_page(phone=True)
    page.goto("/s/t_other")
    token = submission_key(page)
    supplier_box, uses_box = page.locator("#supplier-other"), page.locator("#uses-other")
    assert not supplier_box.is_visible() and not uses_box.is_visible()

    tab_to(page, lambda f: f["name"] == "supplier")
    key(page, "Space")
    key(page, "ArrowDown")
    assert not supplier_box.is_visible()
    key(page, "ArrowDown")  # Another supplier: its box appears
    assert supplier_box.is_visible()
    tab_to(page, lambda f: f["name"] == "supplier-other")
    page.keyboard.type("Zeta Labs")
    tab_to(page, lambda f: f["name"] == "uses" and f["value"] == "else")
    key(page, "Space")
    assert uses_box.is_visible()
    tab_to(page, lambda f: f["tag"] == "button" and f["text"] == "Submit")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # the "please specify" of Something else is empty
    assert page.locator(".error-summary").is_visible()
    assert uses_box.is_visible() and supplier_box.input_value() == "Zeta Labs"
    assert overflow(page) <= 0
    page.screenshot(path=artifacts / "other-error-phone.png", full_page=True)
    axe_check(page, "other-error-phone", artifacts)

    assert page.evaluate("document.activeElement.id") == "uses-other"
    page.keyboard.type("Filters")
    tab_to(page, lambda f: f["tag"] == "button" and f["text"] == "Submit")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("heading", name="Thank you").is_visible()
    assert stored_answers(live_server.db, token) == {
        "supplier": "other", "supplier-other": "Zeta Labs", "uses": ["else"],
        "uses-other": "Filters",
    }  # fmt: skip


def test_none_of_these_unticks_the_others(new_page, artifacts):
    page = new_page(phone=True)
    page.goto("/s/t_exclusive")
    tab_to(page, lambda f: f["name"] == "audits" and f["value"] == "fda")
    key(page, "Space")
    key(page, "Tab")
    key(page, "Space")  # EMA
    tab_to(page, lambda f: f["name"] == "audits" and f["value"] == "none")
    key(page, "Space")
    checked = page.locator("input[name='audits']:checked")
    assert [checked.nth(i).get_attribute("value") for i in range(checked.count())] == ["none"]
    assert page.locator("form > p[aria-live]").inner_text() == "Unticked: FDA, EMA"
    key(page, "Shift+Tab")
    key(page, "Space")  # PMDA unticks None of these
    assert [checked.nth(i).get_attribute("value") for i in range(checked.count())] == ["pmda"]
    axe_check(page, "exclusive-phone", artifacts)
