"""Webhooks: outbox rows written in the event's own transaction, deliveries signed and
verified with `standardwebhooks` by a receiver on 127.0.0.1, retries with backoff on an
injected clock, dead letters and resends, held messages of anonymous editions, a deliverer
killed between commit and delivery, redirects not followed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bench.receiver import Receiver, signed_by, verified
from surveyapp import store
from surveyapp.exchange import webhooks as delivery
from surveyapp.store import deliveries, webhooks
from tests.adminkit import add, cmo
from tests.apikit import INVITES, api_app, bearer, token
from tests.hookkit import db_of, deliverer, drain, endpoint, outbox
from tests.walker import Respondent, cmo_answers

pytestmark = pytest.mark.both_engines


@pytest.fixture
def app(make_app):
    return api_app(make_app, WEBHOOKS_ALLOW_PRIVATE=True)


def test_every_event_is_delivered_signed_and_verifies(app):
    with Receiver() as receiver:
        secret = endpoint(app, receiver.url)
        other = endpoint(app, receiver.url + "?second", ["edition.closed"])
        Respondent(app.test_client(), "cmo").complete(cmo_answers())
        api = app.test_client()
        write = bearer(token(app, "ada", "write"))
        submitted = api.post("/api/v1/questionnaires/cmo/responses", json={"answers": cmo()},
                             headers=write).get_json()  # fmt: skip
        api.post("/api/v1/questionnaires/cmo/editions/2012/close", headers=write)
        api.post("/api/v1/questionnaires/cmo/editions/2012/open", headers=write)
        drain(deliverer(app))
    payloads = [verified(other if "second" in r.path else secret, r) for r in receiver.received]
    assert [p["type"] for p in payloads] == [
        "response.completed", "response.completed", "edition.closed", "edition.closed",
        "edition.opened",
    ]  # fmt: skip
    form, by_api = payloads[0]["data"], payloads[1]["data"]
    assert form["answers"]["company_size"] == "small" and form["survey"] == "cmo"
    assert by_api["response_id"] == submitted["response_id"]
    assert by_api["answers"] == cmo() and by_api["edition"] == 2012
    assert payloads[2]["data"] == payloads[3]["data"]
    assert payloads[2]["data"]["status"] == "closed"
    rows = outbox(app)
    assert [r["status"] for r in rows] == ["delivered"] * 5
    assert [r.headers["webhook-id"] for r in receiver.received] == [r["msg_id"] for r in rows]
    log = deliveries.attempts(db_of(app), "cmo", 10)
    assert len(log) == 5 and all(a["status"] == 200 for a in log)


def test_a_wrong_secret_does_not_verify(app):
    with Receiver() as receiver:
        endpoint(app, receiver.url)
        add(app, "cmo", cmo())
        drain(deliverer(app))
    wrong = webhooks.new_secret()
    with pytest.raises(Exception, match="signature"):
        verified(wrong, receiver.received[0])


def test_the_outbox_row_commits_with_the_response_or_not_at_all(app):
    endpoint(app, "http://127.0.0.1:9/hook", ["response.completed"])
    endpoint(app, "http://127.0.0.1:9/other", ["edition.opened"])

    def refuse(_db, _response_id):
        raise RuntimeError("claim refused")

    with pytest.raises(RuntimeError):
        add(app, "cmo", cmo(), claim=refuse)
    assert outbox(app) == []
    response_id = add(app, "cmo", cmo())
    rows = outbox(app)
    assert [(r["event"], r["subject"], r["status"]) for r in rows] == [
        ("response.completed", response_id, "pending")
    ]  # only the subscribed endpoint
    add(app, "client", {})  # another questionnaire's endpoints only
    imported = store.insert_many(db_of(app), [
        {"survey": "cmo", "edition": 2012, "version": "v", "answers": cmo(), "counted": []}
    ])  # fmt: skip
    assert imported == 1 and len(outbox(app)) == 1  # imports of past responses send nothing


def test_a_deliverer_killed_after_the_commit_still_delivers_after_a_restart(app):
    with Receiver() as receiver:
        secret = endpoint(app, receiver.url)
        made = [add(app, "cmo", cmo()) for _ in range(3)]
        # a deliverer takes the messages and dies before it sends or records anything
        taken = deliveries.take_due(db_of(app), datetime.now(UTC), 10)
        assert len(taken) == 3
        assert deliverer(app).run_once() == 0  # leased: a second deliverer leaves them
        restarted = deliverer(app)
        assert restarted.start() == 3  # the next deliverer frees what the dead one held
        drain(restarted)
    subjects = [verified(secret, r)["data"]["response_id"] for r in receiver.received]
    assert subjects == made


def test_failures_are_retried_with_backoff_then_dead_then_resent(app):
    now = [datetime(2030, 1, 1, tzinfo=UTC)]
    answers = iter([500] * delivery.ATTEMPTS + [204])
    with Receiver(answer=lambda _r: next(answers)) as receiver:
        secret = endpoint(app, receiver.url, ["response.completed"])
        add(app, "cmo", cmo())
        worker = deliverer(app, clock=lambda: now[0])
        waits = []
        for _ in range(delivery.ATTEMPTS):
            before = now[0]
            assert worker.run_once() == 1
            (row,) = outbox(app)
            if row["status"] == "pending":
                due = datetime.strptime(row["next_at"], "%Y-%m-%dT%H:%M:%S.%fZ")
                waits.append((due.replace(tzinfo=UTC) - before).total_seconds())
                assert worker.run_once() == 0  # nothing is due before its time
                now[0] = due.replace(tzinfo=UTC)
        (row,) = outbox(app)
        assert row["status"] == "dead" and row["attempts"] == delivery.ATTEMPTS
        assert waits == [30, 60, 120, 240, 480, 960, 1920, 3840, 7680, 15360, 27000, 27000]
        assert sum(waits) == 84_690  # the 13th attempt 23.5 hours after the first
        assert len(deliveries.attempts(db_of(app), "cmo", 50)) == delivery.ATTEMPTS
        assert deliveries.resend(db_of(app), "cmo", row["id"], now[0])
        assert worker.run_once() == 1
    (row,) = outbox(app)
    assert (row["status"], row["attempts"]) == ("delivered", 1)
    assert len(receiver.received) == delivery.ATTEMPTS + 1
    assert len({r.headers["webhook-id"] for r in receiver.received}) == 1  # one message
    assert all(signed_by(secret, r) for r in receiver.received)


def test_a_deleted_endpoint_s_messages_die_and_cannot_be_resent(app):
    endpoint(app, "http://127.0.0.1:9/hook")
    add(app, "cmo", cmo())
    (row,) = outbox(app)
    assert webhooks.delete_endpoint(db_of(app), "cmo", row["endpoint"])
    assert not webhooks.delete_endpoint(db_of(app), "cmo", row["endpoint"])
    (row,) = outbox(app)
    assert (row["status"], row["last_error"]) == ("dead", "endpoint deleted")
    assert not deliveries.resend(db_of(app), "cmo", row["id"], datetime.now(UTC))
    add(app, "cmo", cmo())
    assert len(outbox(app)) == 1  # a deleted endpoint gets no new messages


def test_anonymous_edition_responses_are_held_to_the_next_day(make_app):
    app = make_app(INVITES, WEBHOOKS_ALLOW_PRIVATE=True)
    today = datetime.now(UTC).replace(hour=12, minute=0)
    with Receiver() as receiver:
        secret = endpoint(app, receiver.url, ["response.completed"], survey="invited")
        day = today.strftime("%Y-%m-%dT00:00:00.000000Z")
        add(app, "invited", {"first": "a", "second": "x"}, submitted_at=day)
        (row,) = outbox(app)
        assert row["created_at"] == day  # the outbox keeps the day only, like the response
        worker = deliverer(app, clock=lambda: today)
        assert worker.run_once() == 1 and receiver.received == []
        (row,) = outbox(app)
        assert row["next_at"] == (today + timedelta(days=1)).strftime("%Y-%m-%dT00:00:00.000000Z")
        assert row["attempts"] == 0
        assert deliverer(app).run_once() == 0  # held: not due today
        tomorrow = deliverer(app, clock=lambda: today + timedelta(days=1, minutes=1))
        assert tomorrow.run_once() == 1
    (got,) = receiver.received
    payload = got.json()
    assert payload["timestamp"] == day and payload["data"]["submitted_at"] == day
    assert signed_by(secret, got)


def test_many_messages_go_out_several_at_a_time(app):
    with Receiver() as receiver:
        secret = endpoint(app, receiver.url, ["response.completed"])
        made = {add(app, "cmo", cmo()) for _ in range(20)}
        worker = delivery.Deliverer(app.config["DATABASE"], True)
        try:
            assert worker.run_once() == 16 and worker.run_once() == 4
        finally:
            worker.close()
    assert {verified(secret, r)["data"]["response_id"] for r in receiver.received} == made
    assert {r["status"] for r in outbox(app)} == {"delivered"}


def test_edition_events_fire_only_on_a_change(app):
    from surveyapp.store import editions

    endpoint(app, "http://127.0.0.1:9/hook", ["edition.opened", "edition.closed"])
    db, catalog = db_of(app), app.extensions["surveys"]
    editions.open_only(db, catalog, "cmo", 2012)  # open already (the latest, nothing recorded)
    editions.set_edition_status(db, "cmo", 2012, "open")  # recorded open already
    assert outbox(app) == []
    editions.close(db, catalog, "cmo", 2012)
    editions.close(db, catalog, "cmo", 2012)
    editions.set_edition_status(db, "cmo", 2012, "open")
    assert [r["event"] for r in outbox(app)] == ["edition.closed", "edition.opened"]
