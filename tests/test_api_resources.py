"""The API's resources: questionnaires and versions, editions, responses (cursor pages,
filters, NDJSON), invitations, and submitting a response (the forms' checks, idempotent)."""

from __future__ import annotations

import json

import pytest
import yaml

from surveyapp import store
from surveyapp.store import audit
from tests import statkit
from tests.adminkit import add, cmo, login
from tests.apikit import RESPONSES, api_app
from tests.walker import Respondent

pytestmark = pytest.mark.both_engines


@pytest.fixture
def app(make_app):
    return api_app(make_app)


def test_questionnaires_and_versions_in_yaml_and_json(app, client, write):
    listed = client.get("/api/v1/questionnaires", headers=write).get_json()
    assert [q["id"] for q in listed] == ["client", "cmo", "invited", "named", "t_pages"]
    cmo_def = app.extensions["surveys"].latest("cmo")
    assert client.get("/api/v1/questionnaires/cmo", headers=write).get_json() == {
        "id": "cmo",
        "title": cmo_def.title,
        "audience": cmo_def.audience,
        "access": "open",
        "editions": [2012],
        "latest_edition": 2012,
        "open_edition": 2012,
    }
    versions = client.get("/api/v1/questionnaires/cmo/versions", headers=write).get_json()
    assert [v["version"] for v in versions] == [cmo_def.version]
    base = f"/api/v1/questionnaires/cmo/versions/{cmo_def.version}"
    text = client.get(base + ".yaml", headers=write)
    assert text.mimetype == "application/yaml"
    assert text.text == cmo_def.text
    parsed = client.get(base, headers=write).get_json()
    assert parsed["id"] == "cmo" and parsed["version"] == cmo_def.version
    assert "text" not in parsed
    raw = yaml.safe_load(cmo_def.text)
    assert [p["title"] for p in parsed["pages"]] == [p["title"]["en"] for p in raw["pages"]]
    assert parsed["texts"]["pages[0].title"] == raw["pages"][0]["title"]
    first = parsed["pages"][0]["questions"][0]
    assert first["id"] == raw["pages"][0]["questions"][0]["id"]
    for missing in (f"{base}x", "/api/v1/questionnaires/nope/versions", f"{base}x.yaml"):
        assert client.get(missing, headers=write).status_code == 404


def test_editions_open_and_close_audited_with_the_token(app, client, write):
    closed = client.post("/api/v1/questionnaires/cmo/editions/2012/close", headers=write)
    assert closed.get_json() == {"survey": "cmo", "edition": 2012, "status": "closed", "closed": []}
    listed = client.get("/api/v1/questionnaires/cmo/editions", headers=write).get_json()
    assert listed == [{"edition": 2012, "status": "closed", "responses": 0}]
    refused = client.post(RESPONSES, json={"answers": cmo()}, headers=write)
    assert refused.status_code == 409
    assert (
        client.post("/api/v1/questionnaires/cmo/editions/2012/open", headers=write).status_code
        == 200
    )
    assert (
        client.post("/api/v1/questionnaires/cmo/editions/1999/open", headers=write).status_code
        == 404
    )
    entries = audit.entries(store.thread_connection(app.config["DATABASE"]), 10, 0)
    actions = [(e["action"], e["actor"]) for e in entries[:2]]
    assert actions == [
        ("edition_open", "ada (API token #1)"),
        ("edition_close", "ada (API token #1)"),
    ]


def page(client, headers, cursor=None, **query):
    args = {"limit": 2, **query} | ({"cursor": cursor} if cursor else {})
    found = client.get(RESPONSES, query_string=args, headers=headers)
    assert found.status_code == 200, found.text
    return found.get_json()


def test_paging_neither_skips_nor_repeats_while_responses_arrive(app, client, write):
    first = [add(app, "cmo", cmo()) for _ in range(3)]
    seen, cursor, arrivals = [], None, []
    for round_ in range(8):
        body = page(client, write, cursor)
        seen += [r["response_id"] for r in body["data"]]
        cursor = body["next_cursor"]
        if round_ < 4:  # responses keep arriving between pages
            arrivals += [add(app, "cmo", cmo()) for _ in range(round_ % 3)]
    assert seen == first + arrivals  # every one once, in the order stored
    assert body == {"data": [], "next_cursor": cursor, "more": False}
    late = add(app, "cmo", cmo())  # polling the last cursor later finds the newcomers
    assert [r["response_id"] for r in page(client, write, cursor)["data"]] == [late]


def test_responses_filtered_by_edition_time_and_answers(app, client, write):
    small = add(app, "cmo", cmo(size="small", region="europe"))
    large = add(app, "cmo", cmo(size="large", region="europe"))
    both = add(app, "cmo", cmo(size="medium", region="asia"))
    old = add(app, "cmo", cmo(size="small"), submitted_at="2020-05-01T10:00:00.000000Z")

    def ids(**query):
        return [r["response_id"] for r in page(client, write, limit=50, **query)["data"]]

    assert ids(**{"answer.company_size": "small"}) == [small, old]
    assert ids(**{"answer.company_size": ["small", "medium"], "answer.region": "asia"}) == [both]
    assert ids(until="2021-01-01") == [old]
    assert ids(since="2021-01-01", **{"answer.company_size": "small"}) == [small]
    every = [small, large, both, old]
    assert ids(edition="2012", **{"answer.problems-communicate": "rare"}) == every
    assert ids(edition="2011") == []
    refused = client.get(RESPONSES + "?answer.nope=1", headers=write)
    assert refused.status_code == 400 and "nope" in refused.get_json()["detail"]
    for bad in ("cursor=abc", "cursor=c_", "limit=0", "limit=1001", "since=yesterday"):
        assert client.get(f"{RESPONSES}?{bad}", headers=write).status_code == 400, bad


def test_responses_as_ndjson_by_path_or_accept(app, client, write):
    made = [add(app, "cmo", cmo(comments=f"line {n}\nnext")) for n in range(5)]
    by_path = client.get(RESPONSES + ".ndjson", headers=write)
    by_accept = client.get(RESPONSES, headers=write | {"Accept": "application/x-ndjson"})
    for response in (by_path, by_accept):
        assert response.mimetype == "application/x-ndjson"
        lines = [json.loads(line) for line in response.text.splitlines()]
        assert [line["response_id"] for line in lines] == made
    resumed = client.get(
        RESPONSES + ".ndjson", query_string={"cursor": lines[1]["cursor"]}, headers=write
    )
    assert [json.loads(line)["response_id"] for line in resumed.text.splitlines()] == made[2:]
    one = client.get(f"{RESPONSES}/{made[0]}", headers=write).get_json()
    assert one["answers"]["comments"] == "line 0\nnext"
    assert client.get(f"{RESPONSES}/nope", headers=write).status_code == 404


def test_invitations_made_and_listed(app, client, write):
    made = client.post(
        "/api/v1/questionnaires/invited/invitations",
        json={"emails": ["a@example.org", "b@example.org"], "days": 3},
        headers=write,
    )
    assert made.status_code == 201
    body = made.get_json()
    assert body["edition"] == 2026
    assert [link["email"] for link in body["links"]] == ["a@example.org", "b@example.org"]
    path = body["links"][0]["link"].removeprefix(app.config["PUBLIC_URL"])
    respondent = app.test_client()
    assert respondent.get(path).status_code == 302  # the link opens the questionnaire
    Respondent(respondent, "invited").complete([{"first": "hi"}, {"second": "x"}])
    more = client.post(
        "/api/v1/questionnaires/invited/invitations", json={"count": 3}, headers=write
    )
    assert len(more.get_json()["links"]) == 3
    listed = client.get("/api/v1/questionnaires/invited/invitations?limit=4", headers=write)
    rows = listed.get_json()
    assert [r["email"] for r in rows["data"]] == ["a@example.org", "b@example.org", None, None]
    assert rows["data"][0]["used_at"] == "anonymous" and rows["more"] is True
    rest = client.get(
        "/api/v1/questionnaires/invited/invitations",
        query_string={"cursor": rows["next_cursor"]},
        headers=write,
    ).get_json()
    assert len(rest["data"]) == 1 and rest["more"] is False


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"count": 2, "emails": ["a@example.org"]}, 422),
        ({}, 422),
        ({"count": 0}, 422),
        ({"count": 1001}, 422),
        ({"emails": ["not-an-address"]}, 422),
        ({"emails": ["a@example.org", "A@example.org"]}, 422),
        ({"count": 1, "days": 0}, 422),
        ({"count": 1, "edition": 1999}, 409),
        ({"count": 1, "colour": "red"}, 422),
    ],
)
def test_bad_invitation_requests_make_nothing(app, client, write, body, status):
    refused = client.post("/api/v1/questionnaires/invited/invitations", json=body, headers=write)
    assert refused.status_code == status, refused.text
    db = store.thread_connection(app.config["DATABASE"])
    assert db.execute("SELECT count(*) FROM invitations").fetchone()[0] == 0


def test_open_editions_take_no_invitations(client, write):
    refused = client.post(
        "/api/v1/questionnaires/cmo/invitations", json={"count": 1}, headers=write
    )
    assert refused.status_code == 409


def test_exports_and_the_codebook_through_the_api(app, client, write, tmp_path):
    for size in ("small", "large"):
        add(app, "cmo", cmo(size=size))
    page = app.test_client()
    login(page, "ada")
    for fmt in ("csv", "jsonl", "xlsx", "sav", "dta"):
        by_api = client.get(f"/api/v1/questionnaires/cmo/export.{fmt}?edition=2012",
                            headers=write)  # fmt: skip
        assert by_api.status_code == 200, fmt
        by_page = page.get(f"/admin/surveys/cmo/export.{fmt}?edition=2012")
        if fmt in ("csv", "jsonl"):
            assert by_api.data == by_page.data
        assert by_api.mimetype == by_page.mimetype
    sav = client.get("/api/v1/questionnaires/cmo/export.sav", headers=write)
    (tmp_path / "cmo.sav").write_bytes(sav.data)
    frame, meta = statkit.read(tmp_path / "cmo.sav", "sav")
    assert len(frame) == 2 and "company_size" in meta.column_names
    codebook = client.get("/api/v1/questionnaires/cmo/codebook.csv", headers=write)
    assert codebook.status_code == 200 and b"company_size" in codebook.data
    assert client.get("/api/v1/questionnaires/cmo/export.pdf", headers=write).status_code == 404
    entries = audit.entries(store.thread_connection(app.config["DATABASE"]), 20, 0)
    assert {e["details"].get("format") for e in entries if e["action"] == "export"} >= {
        "csv",
        "jsonl",
        "xlsx",
        "sav",
        "dta",
        "codebook",
    }
