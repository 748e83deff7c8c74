"""Every admin page in the shared frame, in Chromium at three sizes: a screenshot of each in
tests/artifacts/, axe-core clean, no horizontal scroll, the side navigation reachable by
keyboard, and the compare page showing every column at 1280 px.

To add a page, add a (name, path) line to PAGES; "{response}" in a path is replaced by the
id of a stored response."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from surveyapp import SHIPPED_SURVEYS, create_app, store
from surveyapp.exchange.importer import import_file
from surveyapp.store import accounts
from surveyapp.store.accounts import hash_password
from tests.adminkit import add
from tests.browser.conftest import served
from tests.browser.helpers import axe_check, focus_ring_visible, logged_in_pages
from tests.history import HISTORY
from tests.walker import client_answers

USER, PASSWORD = "layout-admin", "correct horse battery staple"
SIZES = {"desktop": (1280, 800), "wide": (1920, 1080), "phone": (360, 740)}
PAGES = [
    ("dashboard", "/admin/"),
    ("survey", "/admin/surveys/cmo"),
    ("survey-orphan-2011", "/admin/surveys/cmo?edition=2011"),
    ("responses", "/admin/surveys/cmo/responses"),
    ("response", "/admin/surveys/cmo/responses/{response}"),
    ("trends", "/admin/surveys/cmo/trends"),
    ("compare", "/admin/compare/2012"),
    ("report", "/admin/report/2012"),
    ("report-orphan-2011", "/admin/report/2011"),
    ("import", "/admin/surveys/cmo/import"),
    ("invitations", "/admin/surveys/cmo/invitations"),
    ("accounts", "/admin/users"),
    ("audit", "/admin/audit"),
    ("tokens", "/admin/tokens"),
    ("webhooks", "/admin/surveys/cmo/webhooks"),
    ("weights", "/admin/surveys/cmo/weights"),
    ("questionnaires", "/admin/questionnaires"),
    ("results", "/admin/surveys/cmo/results"),
    ("crosstab", "/admin/surveys/cmo/crosstab?row=company_size&col=region"),
    ("schedule", "/admin/surveys/cmo/editions/2012/schedule"),
]
SCROLLS = "document.documentElement.scrollWidth - window.innerWidth"


@pytest.fixture(scope="module")
def shell_server(tmp_path_factory) -> Iterator:
    """The shipped questionnaires with cmo's imported history: 2010 and 2011 have no
    definition file (orphan editions), 2012 has one; a few client responses beside it."""
    folder = tmp_path_factory.mktemp("layout")
    app = create_app(
        {"SECRET_KEY": "layout-secret", "DATABASE": str(folder / "layout.db"),
         "SURVEY_FOLDERS": [str(SHIPPED_SURVEYS)], "ADMIN_TIMEZONE": "Europe/Berlin"},
        init_db=True,
    )  # fmt: skip
    db = store.thread_connection(app.config["DATABASE"])
    accounts.create_admin(db, USER, hash_password(PASSWORD), "admin")
    catalog = app.extensions["surveys"]
    for edition, path in HISTORY.items():
        assert import_file(db, catalog, "cmo", edition, path).ok
    for i, rating in enumerate(["very_important", "important", "somewhat_important"] * 3):
        pages = client_answers(size=("small", "large")[i % 2], rating=rating)
        add(app, "client", {k: v for page in pages for k, v in page.items()})
    yield from served(app)


@pytest.fixture
def open_page(browser: Browser, shell_server) -> Iterator:
    pages = logged_in_pages(browser, shell_server.url, USER, PASSWORD, watched=False)
    opened = next(pages)

    def make(size: str) -> Page:
        width, height = SIZES[size]
        phone = size == "phone"
        return opened(viewport={"width": width, "height": height}, has_touch=phone,
                      is_mobile=phone)  # fmt: skip

    yield make
    next(pages, None)


def _path(path: str, server) -> str:
    if "{response}" in path:
        newest = server.db.execute(
            "SELECT response_id FROM responses WHERE survey = 'cmo' ORDER BY id DESC LIMIT 1"
        ).fetchone()[0]
        path = path.replace("{response}", newest)
    return path


@pytest.mark.parametrize("size", list(SIZES))
def test_every_admin_page_fits_and_passes_axe(open_page, shell_server, artifacts, size):
    page = open_page(size)
    for name, path in PAGES:
        response = page.goto(_path(path, shell_server))
        assert response.status == 200, path
        shot = artifacts / f"layout-{name}-{size}.png"
        page.screenshot(path=shot, full_page=True, timeout=60_000)  # long pages on a busy host
        assert page.evaluate(SCROLLS) <= 0, f"{path} scrolls sideways at {size}"
        assert page.locator("main h1").count() == 1, path
        axe_check(page, f"layout-{name}-{size}", artifacts)
        nav = page.locator("#side-nav")
        assert nav.is_visible() == (size != "phone"), path


def test_compare_shows_every_column_at_1280(open_page):
    page = open_page("desktop")
    page.goto("/admin/compare/2012")
    wraps = page.locator("main .table-wrap")
    assert wraps.count() >= 3
    for i in range(wraps.count()):
        box = wraps.nth(i)
        assert box.evaluate("e => e.scrollWidth <= e.clientWidth"), f"table {i} scrolls"
    for header in page.locator("main table th").all():
        right = header.evaluate("e => e.getBoundingClientRect().right")
        assert header.is_visible() and right <= 1280
    # item text is not squeezed to a word per line: every item column is at least 12em wide
    narrowest = page.evaluate(
        "Math.min(...[...document.querySelectorAll('main table tbody th')]"
        ".map(e => e.getBoundingClientRect().width))"
    )
    assert narrowest >= 180


def test_phone_menu_opens_by_keyboard(open_page):
    page = open_page("phone")
    page.goto("/admin/surveys/cmo/trends")
    menu = page.get_by_role("button", name="Menu")
    assert menu.get_attribute("aria-expanded") == "false"
    menu.focus()
    assert focus_ring_visible(page)
    page.keyboard.press("Enter")
    assert page.locator("#side-nav").is_visible()
    current = page.locator("#side-nav a[aria-current=page]")
    assert current.inner_text() == "Trends"
    page.keyboard.press("Tab")
    assert focus_ring_visible(page)
    page.keyboard.press("Escape")
    assert page.locator("#side-nav").is_hidden()
    assert page.evaluate("document.activeElement.textContent") == "Menu"


def test_skip_link_and_breadcrumbs(open_page):
    page = open_page("desktop")
    page.goto("/admin/surveys/cmo/trends")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    assert focus_ring_visible(page)
    crumbs = page.get_by_role("navigation", name="Breadcrumb")
    names = ["Dashboard", "Working with biopharmaceutical clients", "Trends"]
    assert crumbs.inner_text().split("\n") == names


BORDER = "e => getComputedStyle(e).borderLeftColor"


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_import_messages_look_different(open_page, artifacts, tmp_path, size):
    page = open_page(size)
    page.goto("/admin/surveys/cmo/import")
    page.get_by_label("File").set_input_files(str(HISTORY[2012]))
    page.get_by_label("Edition (year)").fill("2012")
    with page.expect_navigation():
        page.get_by_role("button", name="Import").click()
    done = page.locator(".msg-success[data-import=ok]")
    assert done.is_visible() and "Done:" in done.inner_text()
    green = done.evaluate(BORDER)
    page.screenshot(path=artifacts / f"layout-import-done-{size}.png", full_page=True)
    axe_check(page, f"layout-import-done-{size}", artifacts)
    bad = tmp_path / "bad.csv"
    bad.write_text("response_id,colour\nx,blue\n", encoding="utf-8")
    page.get_by_label("File").set_input_files(str(bad))
    with page.expect_navigation():
        page.get_by_role("button", name="Import").click()
    failed = page.locator(".msg-error[data-import=failed]")
    assert "Problem:" in failed.inner_text() and not page.locator(".msg-success").count()
    assert failed.evaluate(BORDER) != green
    page.screenshot(path=artifacts / f"layout-import-failed-{size}.png", full_page=True)
    axe_check(page, f"layout-import-failed-{size}", artifacts)
