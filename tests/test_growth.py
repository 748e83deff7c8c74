"""Anonymous users cannot grow the database without limit: failed log-ins add a bounded
number of audit rows and counters; drafts expire and new drafts are throttled per address."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from surveyapp import store
from surveyapp.store import audit, drafts, logins
from tests.adminkit import admin_client
from tests.walker import Respondent

pytestmark = pytest.mark.both_engines

FOLDER = Path(__file__).parent / "invite_questionnaires"  # t_pages: three pages


def count(db, table: str) -> int:
    return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608


def test_2000_failed_logins_from_one_address_add_bounded_rows(make_app):
    limit = 20
    app = make_app(WTF_CSRF_ENABLED=False, LOGIN_ADDRESS_FAILURES=limit)
    client = app.test_client()
    statuses = [
        client.post(
            "/admin/login",
            data={"username": f"user{n}", "password": "a guess"},
            environ_base={"REMOTE_ADDR": "10.5.5.5"},
        ).status_code
        for n in range(2000)
    ]
    assert statuses.count(401) == limit and statuses.count(429) == 2000 - limit
    db = store.thread_connection(app.config["DATABASE"])
    assert audit.count(db) == limit  # one entry per account+address, no more
    assert count(db, "login_failures") == 2 * limit + 1  # pairs, accounts, the address


def test_failures_from_many_addresses_add_a_bounded_number_of_audit_rows(db):
    """2,000 failures, each from its own address for its own username, over three hours:
    at most audit_entries + 1 audit rows an hour."""
    db.execute("PRAGMA synchronous = OFF")  # only row counts are measured here
    limits = logins.Limits(audit_entries=10, audit_window=3600)
    start = datetime(2030, 1, 1, tzinfo=UTC)
    for n in range(2000):
        now = start + timedelta(seconds=n * 5)  # 2,000 x 5 s: about 2.8 hours
        logins.record_failure(db, f"u{n}", f"10.8.{n // 250}.{n % 250}", limits, now)
    logins.close_window(db, limits, start + timedelta(hours=4))
    rows = audit.entries(db, 100, 0)
    assert len(rows) == 3 * (10 + 1)
    summaries = [r["details"] for r in rows if r["action"] == "login_failures"]
    assert sum(s["failures"] for s in summaries) == 2000
    assert [s["failures"] for s in summaries][::-1] == [720, 720, 560]
    assert summaries[0]["addresses"] == 560 and len(summaries[0]["most"]) == 5
    assert audit.verify(db) == []
    # The counters are forgotten after a quiet day.
    logins.record_failure(db, "u", "10.9.9.9", limits, start + timedelta(days=2))
    assert count(db, "login_failures") == 3


def test_repeated_failures_get_one_entry_and_a_summary(app, db):
    limits = logins.Limits(per_pair=100)
    start = datetime(2030, 1, 1, tzinfo=UTC)
    for n in range(7):
        logins.record_failure(db, "ada", "10.0.0.1", limits, start + timedelta(minutes=n))
    assert [r["action"] for r in audit.entries(db, 10, 0)] == ["login_failed"]
    logins.record_failure(db, "ada", "10.0.0.1", limits, start + timedelta(hours=1, minutes=1))
    newest, summary = audit.entries(db, 2, 0)
    assert newest["action"] == "login_failed"
    assert summary["action"] == "login_failures"
    assert summary["details"] | {"until": "-"} == {
        "since": "2030-01-01T00:00:00.000000Z", "until": "-", "failures": 7,
        "accounts": 1, "addresses": 1, "most": [["ada", "10.0.0.1", 7]],
    }  # fmt: skip


def test_the_audit_page_writes_an_ended_windows_summary(make_app):
    app = make_app(LOGIN_AUDIT_WINDOW_SECONDS=1, LOGIN_MAX_FAILURES=100)
    db = store.thread_connection(app.config["DATABASE"])
    limits = logins.Limits(audit_window=1, per_pair=100)
    earlier = datetime.now(UTC) - timedelta(seconds=10)
    for _ in range(3):
        logins.record_failure(db, "ada", "10.0.0.1", limits, earlier)
    client = admin_client(app)
    assert "login_failures" not in [r["action"] for r in audit.entries(db, 10, 0)]
    assert "failures=3" in client.get("/admin/audit").text
    assert "login_failures" in [r["action"] for r in audit.entries(db, 10, 0)]


def start_draft(app, address: str, answer: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    walker = Respondent(client, "t_pages")
    walker.open(1)
    return walker.post(1, {"first": answer})


def test_many_drafts_from_one_address_are_bounded(make_app):
    app = make_app(FOLDER, DRAFTS_PER_ADDRESS=50)
    db = store.thread_connection(app.config["DATABASE"])
    results = [start_draft(app, "10.4.4.4", f"answer {n}") for n in range(200)]
    assert [r.status_code for r in results].count(200) == 50  # page 2 after the redirect
    throttled = [r for r in results if r.status_code == 429]
    assert len(throttled) == 150
    assert 'value="answer 199"' in throttled[-1].text  # the answers are kept
    assert "Too many questionnaires were started" in throttled[-1].text
    assert count(db, "drafts") == 50 and count(db, "draft_log") == 50
    assert start_draft(app, "10.4.4.5", "elsewhere").status_code == 200


def test_changing_a_draft_is_not_counted_again(make_app):
    app = make_app(FOLDER, DRAFTS_PER_ADDRESS=1)
    client = app.test_client()
    walker = Respondent(client, "t_pages")
    walker.open(1)
    walker.post(1, {"first": "one"})
    walker.post(2, {"second": "x"}, action="back")
    assert walker.post(1, {"first": "two"}).status_code == 200
    assert Respondent(client, "t_pages").complete([{}, {}, {}]).status_code == 302
    assert start_draft(app, "127.0.0.1", "third").status_code == 429


def test_expired_drafts_are_ignored_and_pruned(app, db):
    store.save_draft(db, "old", "cmo", {"region": "asia"})
    store.save_draft(db, "kept", "cmo", {"region": "europe"})
    with store.immediate(db):
        month_ago = datetime.now(UTC) - timedelta(days=31)
        db.execute(
            "UPDATE drafts SET updated_at = ? WHERE key = 'old'",
            [month_ago.strftime("%Y-%m-%dT%H:%M:%S.%fZ")],
        )
    assert store.load_draft(db, "old", keep_days=30) == {}
    assert store.load_draft(db, "old", keep_days=40) == {"region": "asia"}
    store.save_draft(db, "new", "cmo", {}, drafts.DraftRules(keep_days=30))
    assert sorted(r[0] for r in db.execute("SELECT key FROM drafts")) == ["kept", "new"]


def test_draft_days_come_from_the_config(make_app):
    app = make_app(FOLDER, DRAFT_DAYS=1)
    client = app.test_client()
    walker = Respondent(client, "t_pages")
    walker.open(1)
    walker.post(1, {"first": "remember me"})
    assert 'value="remember me"' in client.get("/s/t_pages?page=1").text
    db = store.thread_connection(app.config["DATABASE"])
    with store.immediate(db):
        db.execute("UPDATE drafts SET updated_at = '2000-01-01T00:00:00.000000Z'")
    assert 'value="remember me"' not in client.get("/s/t_pages?page=1").text
