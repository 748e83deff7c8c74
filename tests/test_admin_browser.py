"""In a real browser (Debian's Chromium): a new response reaches an open tallies page
within 2 seconds without reload, and the admin pages fit a 360 px wide screen."""

from __future__ import annotations

import threading

import pytest
from playwright.sync_api import expect, sync_playwright
from werkzeug.serving import make_server

from tests.adminkit import PASSWORD, add, cmo, make_admin

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def live_server(app):
    make_admin(app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def page(live_server):
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM)
        context = browser.new_context(viewport={"width": 360, "height": 740})
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda m: errors.append(m.text) if "Policy" in m.text else None)
        page.goto(f"{live_server}/admin/login")
        page.fill("#username", "ada")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server}/admin/")
        yield page
        assert errors == []  # no CSP violation, no script error
        browser.close()


def test_new_response_appears_without_reload(app, page, live_server):
    polls = []
    page.on("response", lambda r: polls.append(r.status) if "partial=1" in r.url else None)
    page.goto(f"{live_server}/admin/surveys/cmo")
    figure = page.locator("[data-poll] [data-figure=responses]")
    expect(figure).to_have_text("0")
    page.wait_for_timeout(1500)
    assert polls and set(polls) == {304}  # the page's own ETag: nothing new to send
    page.evaluate("window.marker = 'same page'")
    add(app, "cmo", cmo(size="large"))
    expect(figure).to_have_text("1", timeout=2000)
    assert page.evaluate("window.marker") == "same page"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360


def test_dashboard_updates_and_fits(app, page, live_server):
    cell = page.locator("tr[data-survey=cmo] [data-figure=responses]")
    expect(cell).to_have_text("0")
    add(app, "cmo", cmo())
    expect(cell).to_have_text("1", timeout=2000)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
