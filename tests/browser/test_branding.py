"""A questionnaire in its organiser's colours, logo and words: every respondent page
(home, first page, next page, thank-you, closed) at phone and desktop width, with a
screenshot in tests/artifacts/ and no serious or critical axe-core violation; the accent
reaches the buttons through the stylesheet (no inline style, the CSP holds); the onward
link after the thanks is followed after its delay, or not when the respondent stays."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from surveyapp import create_app, store
from surveyapp.store import builder_drafts, editions
from tests.brandkit import LOGO, branded_folder, store_logo, unbranded_text
from tests.browser.conftest import DESKTOP, PHONE, LiveServer, served
from tests.browser.helpers import THANKS, answer_page, axe_check, press, watch

NORTHWIND = "https://northwind.example/"
ACCENT_RGB = "rgb(31, 95, 168)"
WIDTHS = pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])


@pytest.fixture(scope="module")
def branded_server(tmp_path_factory) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("branded")
    app = create_app(
        {"SECRET_KEY": "browser-test-secret", "DATABASE": str(folder / "live.db"),
         "SURVEY_FOLDERS": [str(branded_folder(folder))]},
        init_db=True,
    )  # fmt: skip
    store_logo(app)
    yield from served(app)


@pytest.fixture
def open_page(browser: Browser, branded_server: LiveServer) -> Iterator[Callable[..., Page]]:
    """A page in its own context on the branded server; the organiser's site answers with a
    stand-in page. A console error (a CSP refusal, say) or any other request fails the test."""
    contexts, problems = [], []

    def make(phone: bool) -> Page:
        options = {"has_touch": True, "is_mobile": True} if phone else {}
        context = browser.new_context(base_url=branded_server.url,
                                      viewport=PHONE if phone else DESKTOP, **options)  # fmt: skip
        context.set_default_timeout(10_000)
        context.route(f"{NORTHWIND}**", lambda route: route.fulfill(
            body="<!doctype html><title>Northwind</title><h1>Northwind</h1>",
            content_type="text/html"))  # fmt: skip
        context.on("request", lambda r: r.url.startswith((branded_server.url, NORTHWIND))
                   or problems.append(f"request off the test server: {r.url}"))  # fmt: skip
        contexts.append(context)
        return watch(context.new_page(), problems)

    yield make
    for context in contexts:
        context.close()
    assert not problems, problems


def shot(page: Page, artifacts, name: str, phone: bool) -> None:
    width = "phone" if phone else "desktop"
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{name} scrolls sideways at {width} width"
    page.screenshot(path=artifacts / f"branded-{name}-{width}.png", full_page=True)
    axe_check(page, f"branded-{name}-{width}", artifacts)


def assert_branded(page: Page) -> None:
    header = page.locator("header.site-header")
    assert header.locator(".organiser-name").inner_text() == "Northwind Research"
    assert not header.get_by_text("surveyapp").count()
    loaded = "img => img.complete && img.naturalWidth === 160"
    assert header.locator("img.organiser-logo").evaluate(loaded)
    assert header.evaluate("h => getComputedStyle(h).borderBottomColor") == ACCENT_RGB


@WIDTHS
def test_every_branded_respondent_page(open_page, artifacts, phone):
    page = open_page(phone)
    page.goto("/")
    listed = page.locator(".survey-list li").inner_text()
    assert "by Northwind Research" in listed and "About 1 minute, 2 questions" in listed
    shot(page, artifacts, "home", phone)

    page.goto("/s/branded")
    assert_branded(page)
    intro = page.locator(".intro")
    assert intro.locator("strong").inner_text() == "Northwind"
    assert intro.get_by_role("link", name="how we use answers").get_attribute("rel") == (
        "noopener noreferrer nofollow"
    )
    next_button = page.get_by_role("button", name="Next", exact=True)
    assert next_button.evaluate("b => getComputedStyle(b).backgroundColor") == ACCENT_RGB
    shot(page, artifacts, "page1", phone)
    answer_page(page, {"role": "manager"}, tap=phone)
    press(page, "Next", tap=phone)
    assert_branded(page)
    shot(page, artifacts, "page2", phone)

    page.clock.install()  # the onward link's delay runs only when the test says so
    answer_page(page, {"comments": "Faster invoices, please."}, tap=phone)
    press(page, "Submit", tap=phone)
    page.wait_for_url(THANKS)
    assert_branded(page)
    assert page.locator(".thanks-text strong").inner_text() == "Northwind"
    onward = page.get_by_role("link", name="Continue to northwind.example")
    assert onward.get_attribute("href") == NORTHWIND
    note = page.locator(".redirect-note")
    assert note.is_visible() and "10 seconds" in note.inner_text()
    shot(page, artifacts, "thanks", phone)
    page.get_by_role("button", name="Stay on this page").click()
    page.clock.run_for(20_000)
    assert THANKS.search(page.url) and "You stay on this page" in note.inner_text()


def test_the_thank_you_page_goes_on_to_the_organisers_site_after_its_delay(open_page):
    page = open_page(False)
    page.clock.install()
    page.goto("/s/branded")
    answer_page(page, {"role": "buyer"})
    press(page, "Next")
    press(page, "Submit")
    page.wait_for_url(THANKS)
    page.clock.run_for(5_000)
    assert THANKS.search(page.url)  # not before the delay is over
    with page.expect_navigation(url=NORTHWIND):
        page.clock.run_for(6_000)
    assert page.locator("h1").inner_text() == "Northwind"


@pytest.fixture
def closed(branded_server: LiveServer) -> Iterator[None]:
    app = branded_server.app
    db = store.thread_connection(app.config["DATABASE"])
    editions.close(db, app.extensions["surveys"], "branded", 2026)
    yield
    editions.set_edition_status(db, "branded", 2026, "open", was="closed")


@WIDTHS
def test_the_closed_page_is_branded(open_page, artifacts, closed, phone):
    page = open_page(phone)
    response = page.goto("/s/branded")
    assert response.status == 410
    assert_branded(page)
    assert "This questionnaire is closed" in page.locator("main").inner_text()
    shot(page, artifacts, "closed", phone)


@WIDTHS
def test_the_builder_refuses_a_light_accent_and_takes_a_logo(
    admin_page, live_server, artifacts, tmp_path, phone
):
    survey = f"brand_{'phone' if phone else 'desktop'}"
    builder_drafts.save(live_server.db, survey, unbranded_text(survey), "test", revision=0)
    page = admin_page(phone=phone)
    page.goto(f"/admin/questionnaires/{survey}/settings")
    page.get_by_label("Organiser").fill("Northwind Research")
    page.get_by_label("Accent colour").fill("#88aaff")
    error = page.locator("#f-branding-accent-error")
    expect(error).to_contain_text("contrast 2.27:1 with white")  # as typed, before saving
    with page.expect_navigation():
        page.get_by_role("button", name="Save settings").click()
    assert "contrast 2.27:1 with white, needs at least 4.5:1" in error.inner_text()
    assert page.get_by_label("Organiser").input_value() == "Northwind Research"  # kept
    shot_admin(page, artifacts, f"builder-branding-refused-{'phone' if phone else 'desktop'}")
    page.get_by_label("Accent colour").fill("#1f5fa8")
    with page.expect_navigation():
        page.get_by_role("button", name="Save settings").click()
    logo = tmp_path / "logo.png"
    logo.write_bytes(LOGO)
    page.locator("#f-logo").set_input_files(logo)
    with page.expect_navigation():
        page.get_by_role("button", name="Upload logo").click()
    assert page.get_by_role("img", name="The current logo").evaluate("i => i.naturalWidth") == 160
    assert page.get_by_label("Accent colour").input_value() == "#1f5fa8"
    shot_admin(page, artifacts, f"builder-branding-{'phone' if phone else 'desktop'}")


def shot_admin(page: Page, artifacts, name: str) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{name} scrolls sideways"
    page.screenshot(path=artifacts / f"{name}.png", full_page=True)
    axe_check(page, name, artifacts)
