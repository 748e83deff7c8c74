"""Scheduled editions: open and close by themselves at the times set, compared with the
time of each request; the admin form that sets them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from surveyapp import store
from surveyapp.store import audit, editions, schedules
from surveyapp.store.schedules import Schedule
from surveyapp.store.timestamps import stamp
from tests.adminkit import admin_client, csrf, login, make_admin
from tests.conftest import TEST_QUESTIONNAIRES
from tests.walker import Respondent

pytestmark = pytest.mark.both_engines

NOW = "2026-06-01T12:00:00.000000Z"
BEFORE, AFTER = "2026-05-01T00:00:00.000000Z", "2026-07-01T00:00:00.000000Z"


def at(**delta: float) -> str:
    return stamp(datetime.now(UTC) + timedelta(**delta))


@pytest.mark.parametrize(
    ("schedule", "state"),
    [
        (Schedule(), "within"),
        (Schedule(opens_at=AFTER), "early"),
        (Schedule(opens_at=BEFORE), "within"),
        (Schedule(closes_at=BEFORE), "over"),
        (Schedule(closes_at=NOW), "over"),  # closes at that very moment
        (Schedule(opens_at=NOW, closes_at=AFTER), "within"),  # opens at that very moment
    ],
)
def test_a_schedule_at_a_given_time(schedule, state):
    assert schedule.state(NOW) == state


def test_the_served_edition_and_the_next_opening_follow_the_time():
    statuses = {2025: "open", 2026: "open", 2024: "closed"}
    planned = {2025: Schedule(closes_at=NOW), 2026: Schedule(opens_at=NOW),
               2024: Schedule(opens_at=BEFORE)}  # fmt: skip
    assert schedules.served_edition(statuses, planned, BEFORE) == 2025
    assert schedules.served_edition(statuses, planned, NOW) == 2026
    assert schedules.served_edition(statuses, planned, AFTER) == 2026
    after_close = {2025: Schedule(closes_at=BEFORE), 2026: Schedule(opens_at=AFTER)}
    assert schedules.served_edition(statuses, after_close, NOW) is None
    assert schedules.next_opening(statuses, after_close, NOW) == (2026, AFTER)
    assert schedules.next_opening({2026: "closed"}, after_close, NOW) is None


@pytest.fixture
def app(make_app):
    return make_app(TEST_QUESTIONNAIRES)


def plan(app, schedule: Schedule, survey: str = "t_pages", edition: int = 2020) -> None:
    schedules.set_schedule(store.thread_connection(app.config["DATABASE"]), survey, edition,
                           schedule)  # fmt: skip


def test_before_it_opens_respondents_see_when(app):
    plan(app, Schedule(opens_at=at(days=2)))
    page = app.test_client().get("/s/t_pages")
    assert page.status_code == 200 and "not open yet: it opens on" in page.text
    assert 'name="action"' not in page.text
    assert "Three pages" not in app.test_client().get("/").text


def test_after_it_closes_respondents_see_the_closed_page(app):
    plan(app, Schedule(opens_at=at(days=-2), closes_at=at(minutes=-1)))
    page = app.test_client().get("/s/t_pages")
    assert page.status_code == 410 and "This questionnaire is closed" in page.text


def test_the_first_page_says_when_it_closes(app):
    closes = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(days=3)
    plan(app, Schedule(closes_at=stamp(closes)))
    client = app.test_client()
    first = client.get("/s/t_pages").text
    expected = f'closes on <time datetime="{closes:%Y-%m-%dT%H:%M}Z">{closes.day} {closes:%B %Y}'
    assert expected in first
    assert "closes on" not in client.get("/s/t_pages?page=2").text


def test_a_draft_started_before_the_close_is_refused_after_it(app):
    plan(app, Schedule(closes_at=at(days=1)))
    client = app.test_client()
    respondent = Respondent(client, "t_pages")
    respondent.post(1, {"first": "a"})
    tokens_page = client.get("/s/t_pages?page=2")
    assert tokens_page.status_code == 200
    plan(app, Schedule(closes_at=at(minutes=-1)))
    late = Respondent(client, "t_pages")
    late.last = tokens_page
    refused = late.post(2, {"second": "x"})
    assert refused.status_code == 410 and "has closed" in refused.text
    db = store.thread_connection(app.config["DATABASE"])
    assert db.execute("SELECT count(*) FROM responses").fetchone()[0] == 0


def test_a_closed_status_wins_over_the_schedule(app):
    plan(app, Schedule(opens_at=at(days=-1), closes_at=at(days=1)))
    db = store.thread_connection(app.config["DATABASE"])
    editions.close(db, app.extensions["surveys"], "t_pages", 2020)
    assert app.test_client().get("/s/t_pages").status_code == 410


def test_an_admin_sets_and_clears_a_schedule(app):
    client = admin_client(app)
    form = client.get("/admin/surveys/t_pages/editions/2020/schedule")
    assert form.status_code == 200
    data = {"csrf_token": csrf(form.text), "opens_at": "2030-01-01T09:00",
            "closes_at": "2030-02-01T17:30"}  # fmt: skip
    saved = client.post("/admin/surveys/t_pages/editions/2020/schedule", data=data)
    assert saved.status_code == 303
    db = store.thread_connection(app.config["DATABASE"])
    assert schedules.schedules_of(db, "t_pages") == {
        2020: Schedule("2030-01-01T09:00:00.000000Z", "2030-02-01T17:30:00.000000Z")
    }
    survey = client.get("/admin/surveys/t_pages").text
    assert "opens 2030-01-01 09:00, closes 2030-02-01 17:30" in survey
    assert audit.entries(db, 1, 0)[0]["action"] == "edition_schedule"
    assert (
        'value="2030-01-01T09:00"'
        in client.get("/admin/surveys/t_pages/editions/2020/schedule").text
    )
    cleared = client.post("/admin/surveys/t_pages/editions/2020/schedule",
                          data=data | {"opens_at": "", "closes_at": ""})  # fmt: skip
    assert cleared.status_code == 303 and schedules.schedules_of(db, "t_pages") == {}


@pytest.mark.parametrize(
    ("opens", "closes", "field", "message"),
    [
        ("2030-02-01T09:00", "2030-01-01T09:00", "closes_at", "must be after the opening"),
        ("2030-01-01T09:00", "2030-01-01T09:00", "closes_at", "must be after the opening"),
        ("tomorrow", "", "opens_at", "Enter a date and time"),
        ("", "2030-13-01T09:00", "closes_at", "Enter a date and time"),
    ],
)
def test_a_bad_schedule_is_refused_at_its_field(app, opens, closes, field, message):
    client = admin_client(app)
    form = client.get("/admin/surveys/t_pages/editions/2020/schedule")
    data = {"csrf_token": csrf(form.text), "opens_at": opens, "closes_at": closes}
    refused = client.post("/admin/surveys/t_pages/editions/2020/schedule", data=data)
    assert refused.status_code == 422 and message in refused.text
    assert f'id="{field}" name="{field}" value="{data[field]}" aria-invalid="true"' in refused.text
    db = store.thread_connection(app.config["DATABASE"])
    assert schedules.schedules_of(db, "t_pages") == {}


def test_viewers_cannot_schedule_and_unknown_editions_are_404(app):
    make_admin(app, "vera", role="viewer")
    viewer = app.test_client()
    login(viewer, "vera")
    assert viewer.get("/admin/surveys/t_pages/editions/2020/schedule").status_code == 403
    admin = admin_client(app)
    assert admin.get("/admin/surveys/t_pages/editions/1999/schedule").status_code == 404
