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
            assert (page.locator("main svg.trend").count() > 0) == charts, path
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
