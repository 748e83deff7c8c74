"""Submitting a response through the API: the forms' checks, clear refusals of bad bodies,
an Idempotency-Key that stores one response however often (and however parallel) it is
sent, and a restore in progress refusing the write with nothing stored."""

from __future__ import annotations

import pytest

from bench.loadgen import in_threads
from surveyapp import store
from surveyapp.store import maintenance
from tests.adminkit import cmo
from tests.adminkit import stored_count as stored
from tests.apikit import RESPONSES, api_app, bearer, token


@pytest.fixture
def app(make_app):
    return api_app(make_app)


@pytest.mark.both_engines
def test_a_submitted_response_is_checked_as_the_forms_check_it(app, client, write):
    created = client.post(RESPONSES, json={"answers": cmo()}, headers=write)
    assert created.status_code == 201
    body = created.get_json()
    assert body["replayed"] is False and body["edition"] == 2012
    assert created.headers["Location"] == f"{RESPONSES}/{body['response_id']}"
    assert client.get(created.headers["Location"], headers=write).get_json()["answers"] == cmo()
    for answers, field in (
        ({**cmo(), "company_size": "huge"}, "company_size"),
        ({k: v for k, v in cmo().items() if k != "region"}, "region"),
        ({**cmo(), "extra": "x"}, "extra"),
        ({**cmo(), "region": ["europe", "asia"]}, "region"),
        ({**cmo(), "comments": "x" * 5000}, "comments"),
    ):
        refused = client.post(RESPONSES, json={"answers": answers}, headers=write)
        assert refused.status_code == 422, field
        assert field in refused.get_json()["errors"]
    assert stored(app) == 1


@pytest.mark.parametrize(
    ("data", "kind", "status"),
    [
        ("{", "application/json", 400),
        ("[1]", "application/json", 422),
        ('{"answers": {"company_size": 3}}', "application/json", 422),
        ('{"answers": {}, "extra": 1}', "application/json", 422),
        ('{"answers": {}, "edition": true}', "application/json", 422),
        ('{"answers": {"company_size": "\\ud800"}}', "application/json", 422),
        ('{"answers": {}, "edition": 123456789012345678901234}', "application/json", 422),
        ("[" * 100_000, "application/json", 400),
        ("answers=1", "application/x-www-form-urlencoded", 415),
    ],
)
@pytest.mark.both_engines
def test_bad_bodies_are_refused_clearly(app, client, write, data, kind, status):
    refused = client.post(RESPONSES, data=data, content_type=kind, headers=write)
    assert refused.status_code == status, refused.text
    assert refused.mimetype == "application/problem+json"
    assert stored(app) == 0


@pytest.mark.both_engines
def test_invitation_only_editions_take_answers_through_links_only(app, client, write):
    refused = client.post(
        "/api/v1/questionnaires/invited/responses",
        json={"answers": {"first": "a", "second": "x"}},
        headers=write,
    )
    assert refused.status_code == 403
    assert stored(app) == 0


@pytest.mark.both_engines
def test_the_same_key_and_body_store_one_response(app, client, write):
    key = {"Idempotency-Key": "order-42"}
    first = client.post(RESPONSES, json={"answers": cmo()}, headers=write | key)
    again = client.post(RESPONSES, json={"answers": cmo()}, headers=write | key)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json()["response_id"] == first.get_json()["response_id"]
    assert again.get_json()["replayed"] is True
    other = client.post(RESPONSES, json={"answers": cmo(size="large")}, headers=write | key)
    assert other.status_code == 409
    assert stored(app) == 1
    # the key belongs to the account: another token of the same account replays too
    same_account = bearer(token(app, "ada", "write"))
    replay = client.post(RESPONSES, json={"answers": cmo()}, headers=same_account | key)
    assert replay.get_json()["response_id"] == first.get_json()["response_id"]
    # a refused body does not take the key
    fresh = {"Idempotency-Key": "order-43"}
    assert client.post(RESPONSES, json={"answers": {}}, headers=write | fresh).status_code == 422
    assert client.post(RESPONSES, json={"answers": cmo()}, headers=write | fresh).status_code == 201
    assert stored(app) == 2
    for bad in ("", "a b", "é", "x" * 256):
        response = client.post(
            RESPONSES, json={"answers": cmo()}, headers=write | {"Idempotency-Key": bad}
        )
        assert response.status_code == 400, bad


@pytest.mark.both_engines
def test_parallel_submits_with_one_key_store_one_response(app, write):
    results: list = []

    def submit(_number: int) -> None:
        client = app.test_client()
        response = client.post(
            RESPONSES, json={"answers": cmo()}, headers=write | {"Idempotency-Key": "same"}
        )
        results.append((response.status_code, response.get_json()["response_id"]))
        store.close_thread_connections()

    in_threads(8, submit, join_timeout=30)
    assert sorted(status for status, _ in results) == [200] * 7 + [201]
    assert len({response_id for _, response_id in results}) == 1
    assert stored(app) == 1


def test_a_restore_in_progress_refuses_writes_and_lets_reads_go_on(app, client, write, monkeypatch):
    def restoring(_db):
        raise maintenance.Maintenance("a restore is running")

    monkeypatch.setattr(store.connection, "refuse_while_restoring", restoring)
    refused = client.post(RESPONSES, json={"answers": cmo()}, headers=write)
    assert refused.status_code == 503
    assert refused.mimetype == "application/problem+json"
    assert refused.headers["Retry-After"] == "30"
    assert client.get("/api/v1/questionnaires", headers=write).status_code == 200
    monkeypatch.undo()
    assert stored(app) == 0
    assert client.post(RESPONSES, json={"answers": cmo()}, headers=write).status_code == 201
