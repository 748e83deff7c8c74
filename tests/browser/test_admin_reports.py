"""The report pages in Chromium: trends, both sides and the printable report pass axe-core,
fit a 360 px screen, and the segment filter works from the keyboard alone."""

from __future__ import annotations

from tests.adminkit import add, cmo
from tests.browser.answers import client_pages, cmo_pages
from tests.browser.helpers import axe_check, complete

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'
PAGES = (  # path, screenshot name, whether it draws charts
    ("/admin/surveys/cmo/trends", "admin-trends", True),
    ("/admin/compare/2012", "admin-compare", False),
    ("/admin/report/2012", "admin-report", True),
    ("/admin/surveys/cmo/import", "admin-import", False),
)


def test_report_pages_pass_axe_on_desktop_and_phone(admin_page, new_page, live_server, artifacts):
    complete(new_page(), "cmo", cmo_pages(comments=HOSTILE))
    for size, common in (("small", "very_common"), ("large", "somewhat_common")) * 3:
        add(live_server.app, "cmo", cmo(size, ratings={"timeframes": common}))  # enough to chart
    complete(new_page(), "client", client_pages())
    for phone in (False, True):
        page = admin_page(phone=phone)
        for path, name, charts in PAGES:
            name = f"{name}-{'phone' if phone else 'desktop'}"
            page.goto(path)
            drawn = page.locator("main svg.trend, main svg.matrix-trend").count()
            assert (drawn > 0) == charts, path
            if phone:
                assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
            page.screenshot(path=artifacts / f"{name}.png", full_page=True)
            axe_check(page, name, artifacts)
    page.goto("/admin/report/2012")
    assert page.get_by_text(HOSTILE).first.is_visible()  # shown as text, never run
    page.emulate_media(media="print")
    page.screenshot(path=artifacts / "admin-report-print.png", full_page=True)
    assert page.locator("nav").first.is_hidden()


def test_segment_filter_by_keyboard(admin_page):
    page = admin_page()
    page.goto("/admin/surveys/cmo/trends")
    select = page.get_by_label("Where is your organisation based?")
    select.focus()
    select.select_option("europe")  # as the arrow keys would
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused.strip() == "Filter"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "region=europe" in page.url
    assert page.locator(".segment-note").count() == 1


def test_weighted_pages_pass_axe_and_fit_a_phone(admin_page, live_server, artifacts):
    from surveyapp import store
    from surveyapp.store import weights

    for size, region in (("small", "europe"), ("medium", "asia"), ("large", "other")) * 3:
        add(live_server.app, "cmo", cmo(size, region))
    db = store.thread_connection(live_server.app.config["DATABASE"])
    targets = {
        "company_size": {"small": "0.4", "medium": "0.4", "large": "0.2"},
        "region": {"north_america": "0", "europe": "0.5", "asia": "0.3", "other": "0.2"},
    }
    for field, shares in targets.items():
        weights.set_targets(db, "cmo", 2012, field, shares, "browser test")
    try:
        for phone in (False, True):
            page = admin_page(phone=phone)
            for path in ("/admin/surveys/cmo/weights", "/admin/surveys/cmo",
                         "/admin/surveys/cmo/trends", "/admin/report/2012"):  # fmt: skip
                page.goto(path)
                assert page.get_by_text("weighted to: company size, region").count() > 0, path
                if phone:
                    assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
                name = path.strip("/").replace("/", "-")
                axe_check(page, f"weighted-{name}-{'phone' if phone else 'desktop'}", artifacts)
    finally:
        for field in targets:
            weights.clear_targets(db, "cmo", 2012, field, "browser test")
