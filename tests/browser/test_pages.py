"""Every questionnaire page at phone and desktop width: a screenshot in tests/artifacts/,
no serious or critical axe-core violation, nothing wider than the screen."""

from __future__ import annotations

import pytest

from tests.browser.helpers import axe_check, press

PAGE_COUNTS = {"cmo": 3, "client": 3}


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
@pytest.mark.parametrize("survey", list(PAGE_COUNTS))
def test_questionnaire_pages(new_page, artifacts, survey, phone):
    page = new_page(phone=phone)
    width = "phone" if phone else "desktop"
    for number in range(1, PAGE_COUNTS[survey] + 1):
        response = page.goto(f"/s/{survey}?page={number}")
        assert response.status == 200
        assert page.locator("h2.page-title").is_visible()
        assert overflow(page) <= 0, f"{survey} page {number} scrolls sideways at {width} width"
        page.screenshot(path=artifacts / f"{survey}-page{number}-{width}.png", full_page=True)
        axe_check(page, f"{survey}-page{number}-{width}", artifacts)


def test_error_state_thanks_login_and_not_found(new_page, artifacts):
    page = new_page(phone=True)
    page.goto("/s/client?page=1")
    press(page, "Next", tap=True)
    assert page.locator(".error-summary").is_visible()
    assert overflow(page) <= 0
    page.screenshot(path=artifacts / "client-page1-errors-phone.png", full_page=True)
    axe_check(page, "client-page1-errors-phone", artifacts)

    page.goto("/s/client?page=3")
    press(page, "Submit", tap=True)
    assert page.locator(".error-summary").is_visible()
    axe_check(page, "client-submit-errors-phone", artifacts)

    page.goto("/s/client/thanks")
    assert page.get_by_role("heading", name="Thank you").is_visible()
    page.screenshot(path=artifacts / "thanks-phone.png", full_page=True)
    axe_check(page, "thanks-phone", artifacts)

    response = page.goto("/s/no-such-survey")
    assert response.status == 404
    axe_check(page, "not-found-phone", artifacts)

    page.goto("/admin/login")
    assert page.get_by_label("Username").is_visible()
    page.screenshot(path=artifacts / "admin-login-phone.png", full_page=True)
    axe_check(page, "admin-login-phone", artifacts)


def test_admin_logs_in_through_the_form(admin_page, artifacts):
    page = admin_page()
    assert page.get_by_role("button", name="Log out").is_visible()
    axe_check(page, "admin-dashboard-desktop", artifacts)
