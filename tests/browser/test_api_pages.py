"""The API tokens page, a questionnaire's webhooks page and the API reference in Chromium:
they pass axe-core on a desktop and a 360 px phone, a token and an endpoint are made with
the keyboard alone, and the reference is drawn from the OpenAPI document by our script."""

from __future__ import annotations

import re

from tests.browser.helpers import axe_check

PAGES = (
    ("/admin/tokens", "api-tokens"),
    ("/admin/surveys/cmo/webhooks", "webhooks"),
    ("/api/v1/docs", "api-reference"),
)


def test_api_pages_pass_axe_on_desktop_and_phone(admin_page, artifacts):
    for phone in (False, True):
        page = admin_page(phone=phone)
        for path, name in PAGES:
            name = f"{name}-{'phone' if phone else 'desktop'}"
            page.goto(path)
            if path.endswith("/docs"):
                page.locator("section.operation").first.wait_for()
            if phone:
                assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
            page.screenshot(path=artifacts / f"{name}.png", full_page=True)
            axe_check(page, name, artifacts)


def test_a_token_is_made_with_the_keyboard_and_shown_once(admin_page):
    page = admin_page()
    page.goto("/admin/tokens")
    page.get_by_label("Name (what the token is for)").focus()
    page.keyboard.type("keyboard report")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    secret = page.locator("code.secret").inner_text()
    assert re.fullmatch(r"sa_[A-Za-z0-9_-]{43}", secret)
    page.goto("/admin/tokens")
    assert secret not in page.content() and "keyboard report" in page.content()


def test_an_endpoint_is_added_and_its_secret_shown_once(admin_page):
    page = admin_page()
    page.goto("/admin/surveys/cmo/webhooks")
    page.get_by_label("URL").fill("https://8.8.8.8/surveyapp-hook")
    page.get_by_label(re.compile("^response.completed")).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Add endpoint").click()
    assert page.locator("code.secret").inner_text().startswith("whsec_")
    assert page.get_by_role("button", name=re.compile("Delete endpoint")).count() == 1


def test_the_reference_lists_every_operation(new_page, live_server):
    page = new_page()
    page.goto("/api/v1/docs")
    page.locator("section.operation").first.wait_for()
    document = page.request.get("/api/v1/openapi.json").json()
    count = sum(len(item) for item in document["paths"].values())
    assert page.locator("section.operation").count() == count
    assert (
        page.get_by_role("heading", name="GET /api/v1/questionnaires/{survey_id}/tallies").count()
        == 1
    )
    assert page.locator("section.schema").count() == len(document["components"]["schemas"])
