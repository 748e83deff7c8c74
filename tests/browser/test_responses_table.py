"""The responses table and one response in Chromium: axe clean at 1280x800 and 360x740, no
horizontal scroll on the page, and everything done by keyboard alone: search, choose
columns, sort, open a response, exclude it with a reason and restore it."""

from __future__ import annotations

import uuid

import pytest

from tests.adminkit import add, cmo
from tests.browser.helpers import axe_check, key, tab_to

LONG = "The hand-off of the process was slow and " * 8


@pytest.fixture
def seeded(live_server) -> tuple[str, list[str]]:
    """A word found only in this test's responses, and six responses with comments (one
    long) a day apart in March 2026 (the live server's database is shared)."""
    tag = "w" + uuid.uuid4().hex[:10]
    sizes = ["small", "medium", "large"]
    return tag, [
        add(live_server.app, "cmo",
            cmo(sizes[n % 3], "europe" if n % 2 else "asia",
                comments=f"{tag} {LONG}" if n == 0 else f"{tag} check {n}: tidy paperwork"),
            submitted_at=f"2026-03-0{n + 1}T09:30:00.000000Z")
        for n in range(6)
    ]  # fmt: skip


def no_page_scroll(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def clean(page, name: str, artifacts) -> None:
    assert axe_check(page, name, artifacts).endswith("all violations: none")


def test_table_and_response_at_desktop_and_phone_width(admin_page, seeded, artifacts):
    tag, ids = seeded
    url = (f"/admin/surveys/cmo/responses?q={tag}&col=company_size&col=region"
           "&col=problems-communicate&col=problems-timeframes&col=comments")  # fmt: skip
    for phone, width, suffix in ((False, 1280, "desktop"), (True, 360, "phone")):
        page = admin_page(phone=phone)
        page.goto(url)
        assert page.locator("table.response-table tbody tr").count() == 6
        no_page_scroll(page, width)
        page.screenshot(path=artifacts / f"responses-table-{suffix}.png", full_page=True)
        clean(page, f"responses-table-{suffix}", artifacts)
        region = page.locator(".table-wrap")
        region.evaluate("el => { el.scrollLeft = el.scrollWidth; }")
        region.screenshot(path=artifacts / f"responses-table-{suffix}-right.png")
        page.goto(f"/admin/surveys/cmo/responses/{ids[0]}")
        no_page_scroll(page, width)
        page.screenshot(path=artifacts / f"response-view-{suffix}.png", full_page=True)
        clean(page, f"response-view-{suffix}", artifacts)


def test_search_columns_sort_and_exclude_by_keyboard(admin_page, seeded, artifacts):
    tag, _ = seeded
    page = admin_page()
    page.goto("/admin/surveys/cmo/responses")
    tab_to(page, lambda f: f["name"] == "q", budget=60)
    page.keyboard.type(f"{tag} tidy")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert f"q={tag}+tidy" in page.url and page.locator("tbody tr").count() == 5

    tab_to(page, lambda f: f["tag"] == "summary", budget=60)
    key(page, "Enter")  # opens the column picker
    tab_to(page, lambda f: f["name"] == "col" and f["value"] == "problems-hand_off", budget=40)
    key(page, "Space")
    tab_to(page, lambda f: f["text"] == "Apply", budget=40)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "col=problems-hand_off" in page.url
    assert page.locator("thead th").filter(has_text="hand").count() == 1

    tab_to(page, lambda f: f["text"].startswith("How many employees"), budget=40)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "sort=company_size" in page.url
    assert page.locator("th[aria-sort]").inner_text().startswith("How many employees")
    page.screenshot(path=artifacts / "responses-table-sorted.png", full_page=True)

    tab_to(page, lambda f: f["tag"] == "a" and f["text"].startswith("2026-03"), budget=60)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    response_url = page.url
    tab_to(page, lambda f: f["tag"] == "textarea", budget=60)
    page.keyboard.type("browser test response")
    tab_to(page, lambda f: f["text"] == "Exclude")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_text("browser test response").first.is_visible()
    page.screenshot(path=artifacts / "response-view-excluded.png", full_page=True)
    clean(page, "response-view-excluded", artifacts)
    page.goto(f"/admin/surveys/cmo/responses?show=excluded&q={tag}")
    assert page.locator("tbody tr").count() == 1
    assert page.locator("tbody").get_by_text("browser test response").is_visible()
    page.screenshot(path=artifacts / "responses-table-excluded.png", full_page=True)
    clean(page, "responses-table-excluded", artifacts)
    page.go_back()

    tab_to(page, lambda f: f["tag"] == "textarea", budget=60)
    page.keyboard.type("put back after the browser test")
    tab_to(page, lambda f: f["text"] == "Restore")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == response_url and page.get_by_role("button", name="Exclude").count() == 1
