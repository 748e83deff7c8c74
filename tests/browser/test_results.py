"""The results and cross-tab pages in Chromium: axe-clean at 1280x800, 1920x1080 and
360x740, no horizontal scroll, screenshots in tests/artifacts/, and a chart saved as PNG
from the keyboard (drawn by static/results.js into a canvas)."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest

from surveyapp import create_app, store
from surveyapp.store import accounts
from surveyapp.store.accounts import hash_password
from tests.adminkit import add
from tests.browser.conftest import ADMIN_PASSWORD, ADMIN_USER, DESKTOP, PHONE, LiveServer, served
from tests.browser.helpers import axe_check, logged_in_pages
from tests.test_results import STUDY, YESTERDAY, study_answers

WIDE = {"width": 1920, "height": 1080}
HOSTILE = '<script>alert("x")</script>'
PAGES = (
    ("results", "/admin/surveys/study/results"),
    ("crosstab", "/admin/surveys/study/crosstab?row=team&col=views-clear"),
    ("texts", "/admin/surveys/study/results/remarks/texts?search=a"),
)


@pytest.fixture(scope="module")
def study_server(tmp_path_factory) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("results")
    app = create_app({"SECRET_KEY": "browser-results", "DATABASE": str(folder / "live.db"),
                      "SURVEY_FOLDERS": [str(STUDY)]}, init_db=True)  # fmt: skip
    db = store.thread_connection(app.config["DATABASE"])
    accounts.create_admin(db, ADMIN_USER, hash_password(ADMIN_PASSWORD), "admin")
    rng = random.Random(8)
    for _ in range(80):
        remarks = rng.choice([None, None, "All good", "Need a quieter room", HOSTILE])
        add(app, "study", study_answers(rng, remarks), submitted_at=YESTERDAY)
    yield from served(app)


@pytest.fixture
def study_page(browser, study_server):
    pages = logged_in_pages(browser, study_server.url, ADMIN_USER, ADMIN_PASSWORD)
    open_page = next(pages)

    def make(viewport: dict) -> object:
        phone = viewport == PHONE
        return open_page(viewport=viewport, has_touch=phone, is_mobile=phone,
                         accept_downloads=True)  # fmt: skip

    yield make
    next(pages, None)


@pytest.mark.parametrize("size", ["desktop", "wide", "phone"])
def test_pages_are_axe_clean_and_fit(study_page, artifacts, size):
    viewport = {"desktop": DESKTOP, "wide": WIDE, "phone": PHONE}[size]
    page = study_page(viewport)
    for name, path in PAGES:
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], path
        page.screenshot(path=artifacts / f"admin-{name}-{size}.png", full_page=True)
        axe_check(page, f"admin-{name}-{size}", artifacts)
    page.goto(PAGES[0][1])
    assert page.locator("main svg.figure[role=img]").count() == 5  # 3 bars, Likert, histogram
    assert page.get_by_text(HOSTILE).first.is_visible()  # a text answer shown, never run


def test_chart_saves_as_png_from_the_keyboard(study_page, tmp_path):
    page = study_page(DESKTOP)
    page.goto("/admin/surveys/study/results")
    button = page.locator("#r-views").get_by_role("button", name="Download PNG")
    assert button.is_visible()
    button.focus()
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    saved = tmp_path / "chart.png"
    download.value.save_as(saved)
    data = saved.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width = int.from_bytes(data[16:20], "big")
    assert width == 2 * 760  # the Likert chart's width, drawn at twice its size
    assert download.value.suggested_filename == "study-views.png"
