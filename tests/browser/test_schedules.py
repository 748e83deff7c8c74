"""An admin schedules an edition in the browser; respondents see when it opens or closes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from surveyapp.store import schedules
from tests.browser.helpers import axe_check, press

SURVEY = "client"


def test_an_admin_schedules_and_respondents_see_it(admin_page, new_page, live_server, artifacts):
    edition = max(live_server.app.extensions["surveys"][SURVEY])
    soon = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(days=2)
    try:
        admin = admin_page()
        admin.goto(f"/admin/surveys/{SURVEY}/editions/{edition}/schedule")
        admin.get_by_label("Opens at (UTC)").fill("2031-03-01T09:00")
        admin.get_by_label("Closes at (UTC)").fill("2031-02-01T09:00")
        press(admin, "Save the schedule")
        assert "must be after the opening time" in admin.locator(".error").inner_text()
        admin.screenshot(path=str(artifacts / "schedule-error-desktop.png"), full_page=True)
        axe_check(admin, "schedule-error-desktop", artifacts)
        admin.get_by_label("Closes at (UTC)").fill("2031-04-01T17:30")
        press(admin, "Save the schedule")
        row = admin.locator(f"tr[data-edition='{edition}'] [data-schedule]")
        assert "opens 2031-03-01 09:00, closes 2031-04-01 17:30" in row.inner_text()

        phone = new_page(phone=True)
        phone.goto(f"/s/{SURVEY}")
        assert "not open yet: it opens on 1 March 2031, 09:00 UTC" in phone.inner_text("main")
        phone.screenshot(path=str(artifacts / "schedule-not-yet-phone.png"), full_page=True)
        axe_check(phone, "schedule-not-yet-phone", artifacts)

        admin.goto(f"/admin/surveys/{SURVEY}/editions/{edition}/schedule")
        admin.get_by_label("Opens at (UTC)").fill("")
        admin.get_by_label("Closes at (UTC)").fill(soon.strftime("%Y-%m-%dT%H:%M"))
        press(admin, "Save the schedule")
        phone.goto(f"/s/{SURVEY}")
        closes = f"closes on {soon.day} {soon:%B %Y}, {soon:%H:%M} UTC"
        assert closes in phone.inner_text("main")
        phone.screenshot(path=str(artifacts / "schedule-closes-on-phone.png"), full_page=True)
        axe_check(phone, "schedule-closes-on-phone", artifacts)
    finally:
        schedules.set_schedule(live_server.db, SURVEY, edition, schedules.NONE)
