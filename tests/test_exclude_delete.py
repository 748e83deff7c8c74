"""Excluding, restoring and deleting a response: counters, tallies, trends and exports stay
exact (verify-tallies clean), each change is audited with its reason, viewers are refused."""

from __future__ import annotations

import json

import pytest

from surveyapp import store
from surveyapp.questionnaire.answers import counted_fields
from surveyapp.store import audit
from tests.adminkit import add, admin_client, cmo, csrf, login, make_admin, stored_count
from tests.apikit import RESPONSES, bearer, token
from tests.hookkit import endpoint, outbox

URL = "/admin/surveys/cmo/responses"


def counters(app) -> dict:
    """Every non-zero counter (a removal leaves a counter at 0 where one was added)."""
    db = store.thread_connection(app.config["DATABASE"])
    rows = db.execute("SELECT survey, edition, field, value, count FROM counters WHERE count != 0")
    return {tuple(row[:4]): row[4] for row in rows}


def figures(client) -> tuple:
    """The tallies and trends JSON an admin reads, and the CSV export's rows."""
    tallied = client.get("/admin/surveys/cmo/tallies.json").json
    trended = client.get("/admin/surveys/cmo/trends.json").json
    export = client.get("/admin/surveys/cmo/export.csv").get_data(as_text=True)
    return tallied["questions"], trended, sorted(export.splitlines())


def act(client, response_id: str, action: str, reason: str = "a test by the team"):
    page = client.get(f"{URL}/{response_id}").text
    return client.post(f"{URL}/{response_id}/{action}",
                       data={"csrf_token": csrf(page), "reason": reason})  # fmt: skip


def verify(runner) -> None:
    result = runner.invoke(args=["verify-tallies"])
    assert result.exit_code == 0, result.output
    assert "Every counter matches" in result.output


def entries(app, action: str) -> list[dict]:
    db = store.thread_connection(app.config["DATABASE"])
    return [e for e in audit.entries(db, 100, 0) if e["action"] == action]


@pytest.fixture
def base(app):
    """Three responses and an admin; figures and counters as they are without a fourth."""
    for size, region in (("small", "europe"), ("large", "asia"), ("medium", "europe")):
        add(app, "cmo", cmo(size, region, comments=f"{size} {region}"))
    client = admin_client(app)
    return app, client, counters(app), figures(client)


@pytest.mark.both_engines
def test_exclude_takes_a_response_out_of_every_figure_and_restore_puts_it_back(base, runner):
    app, client, before, shown = base
    test_one = add(app, "cmo", cmo("small", "other", {"communicate": "very_common"}, "TEST x"))
    with_it, shown_with_it = counters(app), figures(client)
    assert with_it != before and shown_with_it != shown
    response = act(client, test_one, "exclude")
    assert response.status_code == 302
    assert counters(app) == before and figures(client) == shown
    assert stored_count(app) == 3
    verify(runner)
    page = client.get(f"{URL}/{test_one}").text
    assert "Excluded" in page and "a test by the team" in page and "Restore" in page
    assert test_one not in client.get(URL).text
    assert test_one in client.get(f"{URL}?show=excluded&q=test").text
    assert test_one in client.get(f"{URL}?show=excluded&answer=region=other").text
    assert test_one not in client.get(f"{URL}?show=excluded&answer=region=asia").text
    assert act(client, test_one, "restore", "it was real").status_code == 302
    assert counters(app) == with_it and figures(client) == shown_with_it
    assert test_one in client.get(f"{URL}?q=test").text  # searchable again
    verify(runner)
    [excluded], [restored] = entries(app, "response_exclude"), entries(app, "response_restore")
    assert excluded["actor"] == "ada" and excluded["details"]["reason"] == "a test by the team"
    assert excluded["details"]["response"] == test_one
    assert restored["details"]["reason"] == "it was real"


@pytest.mark.both_engines
def test_delete_removes_the_row_its_answers_and_its_counts(base, runner):
    app, client, before, shown = base
    gone = add(app, "cmo", cmo("large", "other", comments="delete me"))
    response = act(client, gone, "delete", "duplicate sent by mail")
    assert response.status_code == 302 and "done=deleted" in response.location
    assert "was deleted" in client.get(response.location).text
    assert counters(app) == before and figures(client) == shown and stored_count(app) == 3
    db = store.thread_connection(app.config["DATABASE"])
    assert db.execute("SELECT count(*) FROM answers WHERE value = 'delete me'").fetchone()[0] == 0
    assert client.get(f"{URL}/{gone}").status_code == 404
    verify(runner)
    [entry] = entries(app, "response_delete")
    assert entry["details"] == {"survey": "cmo", "response": gone, "edition": 2012,
                                "reason": "duplicate sent by mail", "was": "counted"}  # fmt: skip


@pytest.mark.both_engines
def test_an_excluded_response_can_be_deleted(base, runner):
    app, client, before, _ = base
    one = add(app, "cmo", cmo())
    act(client, one, "exclude")
    assert act(client, one, "delete", "test data").status_code == 302
    assert client.get(f"{URL}/{one}").status_code == 404 and counters(app) == before
    assert entries(app, "response_delete")[0]["details"]["was"] == "excluded"
    verify(runner)


@pytest.mark.both_engines
def test_screened_out_and_not_shown_responses_are_taken_back_exactly(base, runner):
    app, client, before, _ = base
    screened = add(app, "cmo", {"manufactures_for_clients": "no", "~screened_out": True})
    hidden = add(app, "cmo", cmo() | {"~not_shown": ["comments"]})
    act(client, screened, "exclude")
    act(client, hidden, "delete")
    assert counters(app) == before
    verify(runner)


@pytest.mark.both_engines
def test_a_reason_is_required_and_nothing_changes_without_one(base):
    app, client, _, _ = base
    one = add(app, "cmo", cmo())
    held = counters(app)
    for reason in ("", "   ", "x" * 501):
        response = act(client, one, "exclude", reason)
        assert response.status_code == 400 and 'aria-invalid="true"' in response.text
        assert counters(app) == held
    assert "Give a reason." in act(client, one, "delete", "").text
    assert stored_count(app) == 4 and entries(app, "response_exclude") == []


@pytest.mark.both_engines
def test_viewers_may_not_exclude_restore_or_delete(base):
    app, admin, _, _ = base
    one = add(app, "cmo", cmo())
    held = counters(app)
    make_admin(app, "vera", role="viewer")
    viewer = app.test_client()
    login(viewer, "vera")
    token_page = viewer.get("/admin/tokens").text
    for action in ("exclude", "restore", "delete"):
        response = viewer.post(f"{URL}/{one}/{action}",
                               data={"csrf_token": csrf(token_page), "reason": "mine"})  # fmt: skip
        assert response.status_code == 403
    assert counters(app) == held and stored_count(app) == 4


@pytest.mark.both_engines
def test_unknown_responses_and_actions_change_nothing(base):
    app, client, before, _ = base
    page = client.get(URL).text
    refused = client.post(f"{URL}/nope/exclude", data={"csrf_token": csrf(page), "reason": "x"})
    assert refused.status_code == 404
    one = add(app, "cmo", cmo())
    assert act(client, one, "restore").status_code == 409  # not excluded
    assert act(client, one, "erase").status_code == 404
    assert stored_count(app) == 4


@pytest.mark.both_engines
def test_row_ids_only_grow_past_removed_responses(base):
    app, client, _, _ = base
    last = add(app, "cmo", cmo())
    db = store.thread_connection(app.config["DATABASE"])
    removed = db.execute("SELECT id FROM responses WHERE response_id = ?", [last]).fetchone()[0]
    act(client, last, "exclude")
    newer = add(app, "cmo", cmo())
    newer_id = db.execute("SELECT id FROM responses WHERE response_id = ?", [newer]).fetchone()[0]
    assert newer_id > removed
    act(client, last, "restore")
    back = db.execute("SELECT id FROM responses WHERE response_id = ?", [last]).fetchone()[0]
    assert back > newer_id


@pytest.mark.both_engines
def test_the_live_tallies_etag_changes_when_a_response_is_excluded(base):
    app, client, _, _ = base
    one = add(app, "cmo", cmo())
    add(app, "cmo", cmo())  # `one` is not the newest: the newest row id stays the same
    etag = client.get("/admin/surveys/cmo?partial=1").headers["ETag"]
    act(client, one, "exclude")
    fresh = client.get("/admin/surveys/cmo?partial=1", headers={"If-None-Match": etag})
    assert fresh.status_code == 200


@pytest.mark.both_engines
def test_the_api_lists_excluded_responses_only_when_asked(base):
    app, client, _, _ = base
    one = add(app, "cmo", cmo(region="other"))
    act(client, one, "exclude")
    api, headers = app.test_client(), bearer(token(app, "ada", "read"))
    listed = api.get(RESPONSES, headers=headers)
    assert listed.status_code == 200
    ids = [r["response_id"] for r in listed.json["data"]]
    assert len(ids) == 3 and one not in ids
    excluded = api.get(f"{RESPONSES}?excluded=true", headers=headers).json
    assert [r["response_id"] for r in excluded["data"]] == [one]
    assert excluded["data"][0]["answers"]["region"] == "other"
    other = api.get(f"{RESPONSES}?excluded=true&answer.region=asia", headers=headers).json
    assert other["data"] == []
    stream = api.get(f"{RESPONSES}.ndjson?excluded=true", headers=headers).get_data(as_text=True)
    assert one in stream and stream.count("\n") == 1
    assert api.get(f"{RESPONSES}?excluded=yes", headers=headers).status_code == 400


@pytest.mark.both_engines
def test_an_excluded_response_is_not_imported_again(base, runner):
    app, client, before, _ = base
    one = add(app, "cmo", cmo(region="other"))
    act(client, one, "exclude")
    definition = app.extensions["surveys"]["cmo"][2012]
    db = store.thread_connection(app.config["DATABASE"])
    again = {"response_id": one, "survey": "cmo", "edition": 2012, "answers": cmo(),
             "version": definition.version, "counted": counted_fields(definition)}  # fmt: skip
    assert store.insert_many(db, [again]) == 0
    assert counters(app) == before
    assert act(client, one, "restore").status_code == 302
    verify(runner)


@pytest.mark.both_engines
def test_removals_and_restores_send_their_webhook_events(base):
    app, client, _, _ = base
    endpoint(app, "http://127.0.0.1:9/hook")
    one, two = add(app, "cmo", cmo()), add(app, "cmo", cmo())
    act(client, one, "exclude")
    act(client, one, "restore")
    act(client, two, "delete")
    events = [(r["event"], r["subject"]) for r in outbox(app)]
    assert events == [("response.completed", one), ("response.completed", two),
                      ("response.excluded", one), ("response.restored", one),
                      ("response.deleted", two)]  # fmt: skip
    db = store.thread_connection(app.config["DATABASE"])
    payload = db.execute("SELECT payload FROM webhook_outbox WHERE event = 'response.deleted'")
    assert json.loads(payload.fetchone()[0]) == {"survey": "cmo", "response_id": two,
                                                 "edition": 2012}  # fmt: skip


def test_recover_offers_deleted_responses_but_not_excluded_ones(base, tmp_path):
    from surveyapp.store import recover
    from surveyapp.store.backup import backup

    app, client, _, _ = base
    kept_aside, gone = add(app, "cmo", cmo()), add(app, "cmo", cmo())
    db = store.thread_connection(app.config["DATABASE"])
    backup(db, tmp_path / "before.db")
    act(client, kept_aside, "exclude")
    act(client, gone, "delete")
    assert [r["response_id"] for r in recover.missing(db, tmp_path / "before.db")] == [gone]
