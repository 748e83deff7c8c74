"""Admin pages in Chromium: a respondent's submission reaches an open tallies page and an
open dashboard within 2 seconds without reload (conditional polls answer 304 until then);
the admin pages fit a 360 px screen and pass axe-core."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from playwright.sync_api import expect

from tests.browser.answers import cmo_pages
from tests.browser.helpers import axe_check, complete

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _count(locator) -> int:
    return int(locator.inner_text())


def test_submission_reaches_open_admin_pages(admin_page, new_page, live_server, artifacts):
    tallies = admin_page()
    polls: list[int] = []
    tallies.on("response", lambda r: polls.append(r.status) if "partial=1" in r.url else None)
    tallies.goto("/admin/surveys/cmo")
    figure = tallies.locator("[data-poll] [data-figure=responses]")
    before = _count(figure)
    communicate = tallies.locator("[data-poll] li[data-item=communicate] .meta")
    n_before = communicate.inner_text().split(" · ")[0]
    bar_before = tallies.locator("[data-poll] li[data-item=communicate] svg").inner_html()
    tallies.evaluate("window.notReloaded = true")
    dashboard = admin_page(phone=True)
    cell = dashboard.locator("tr[data-survey=cmo] [data-figure=responses]")
    with tallies.expect_response(lambda r: "partial=1" in r.url, timeout=5000) as first_poll:
        pass  # the page polls about once a second
    assert first_poll.value.status == 304  # nothing new: the page's own ETag matches
    assert set(polls) <= {304}, polls

    key = complete(new_page(phone=True), "cmo", cmo_pages(comments=HOSTILE))
    expect(figure).to_have_text(str(before + 1), timeout=2000)
    n_now = int(n_before.removeprefix("n = ").split()[0]) + 1
    expect(communicate).to_contain_text(f"n = {n_now} ", timeout=2000)
    assert tallies.locator("[data-poll] li[data-item=communicate] svg").inner_html() != bar_before
    expect(cell).to_have_text(str(before + 1), timeout=2000)
    assert tallies.evaluate("window.notReloaded") is True
    assert 200 in polls
    tallies.screenshot(path=artifacts / "admin-tallies-desktop.png", full_page=True)
    axe_check(tallies, "admin-tallies-desktop", artifacts)
    assert dashboard.evaluate("document.documentElement.scrollWidth") <= 360

    [stored] = [r for r in live_server.responses("cmo") if r["submission_key"] == key]
    with tallies.expect_download() as download_info:
        tallies.get_by_role("link", name="Export CSV", exact=True).click()
    rows = list(csv.DictReader(io.StringIO(Path(download_info.value.path()).read_text("utf-8"))))
    [exported] = [row for row in rows if row["response_id"] == stored["response_id"]]
    assert exported["comments"] == HOSTILE
    assert exported["problems-communicate"] == json.loads(stored["answers"])["problems-communicate"]


def test_admin_pages_on_a_phone(admin_page, new_page, artifacts):
    complete(new_page(), "cmo", cmo_pages(comments=HOSTILE))
    page = admin_page(phone=True)
    for path, name in (
        ("/admin/surveys/cmo?order=top2", "admin-tallies-phone"),
        ("/admin/users", "admin-users-phone"),
        ("/admin/audit", "admin-audit-phone"),
        ("/admin/surveys/cmo/responses", "admin-responses-phone"),  # last: HOSTILE is checked
    ):
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
        page.screenshot(path=artifacts / f"{name}.png", full_page=True)
        axe_check(page, name, artifacts)
    assert page.get_by_text(HOSTILE).first.is_visible()  # shown as text, never run
