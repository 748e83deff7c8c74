"""Tallies against hand-computed figures, the JSON contract, rankings and verify-tallies."""

from __future__ import annotations

from pathlib import Path

import pytest

from surveyapp import store
from surveyapp.figures import tallies
from surveyapp.store.filters import Filters, parse_filters
from tests.adminkit import add, admin_client, cmo

pytestmark = pytest.mark.both_engines

PETS = Path(__file__).parent / "admin_questionnaires"
T0 = "2026-01-01T10:00:00.000000Z"
T1 = "2026-02-01T10:00:00.000000Z"

# Five full responses and one that answered only the first page:
#   communicate:      very_common x3, rare x2              -> top 60.0, top-2 60.0
#   timeframes:       very_common x1, somewhat_common x4   -> top 20.0, top-2 100.0
#   cost_containment: somewhat_common x2, not_a_problem x3 -> top 0.0,  top-2 40.0
#   the other seven items: rare x5                         -> top 0.0,  top-2 0.0
#   company_size: small 2, medium 3, large 1 (n = 6)       -> 33.3, 50.0, 16.7
VC, SC, RA, NP = "very_common", "somewhat_common", "rare", "not_a_problem"
RATINGS = [
    {"communicate": VC, "timeframes": VC, "cost_containment": SC},
    {"communicate": VC, "timeframes": SC, "cost_containment": SC},
    {"communicate": VC, "timeframes": SC, "cost_containment": NP},
    {"communicate": RA, "timeframes": SC, "cost_containment": NP},
    {"communicate": RA, "timeframes": SC, "cost_containment": NP},
]
SIZES = ["small", "small", "medium", "medium", "large"]


@pytest.fixture
def filled(app):
    for number, (ratings, size) in enumerate(zip(RATINGS, SIZES, strict=True)):
        add(app, "cmo", cmo(size=size, ratings=ratings), submitted_at=T0 if number < 3 else T1)
    add(app, "cmo", {"company_size": "medium", "region": "asia"}, submitted_at=T1)
    return app


def _definition(app, survey="cmo"):
    editions = app.extensions["surveys"][survey]
    return editions[max(editions)]


def test_percent_rounds_half_up_to_one_decimal():
    assert tallies.percent(1, 3) == 33.3
    assert tallies.percent(2, 3) == 66.7
    assert tallies.percent(1, 8) == 12.5
    assert tallies.percent(1, 16) == 6.3  # 6.25 rounds up, not to even
    assert tallies.percent(0, 0) is None


def test_tallies_match_hand_counts(filled, db):
    result = tallies.tallies(db, _definition(filled))
    assert result["responses"] == 6
    assert result["latest"] == T1
    size = result["questions"]["company_size"]
    assert size == {
        "type": "single_choice", "n": 6, "shown": 6, "answered": 6, "not_shown": 0,
        "counts": {"small": 2, "medium": 3, "large": 1},
        "percent": {"small": 33.3, "medium": 50.0, "large": 16.7},
    }  # fmt: skip
    items = result["questions"]["problems"]["items"]
    assert items["communicate"] == {
        "n": 5, "shown": 6, "answered": 5, "not_shown": 0,
        "counts": {"very_common": 3, "somewhat_common": 0, "rare": 2, "not_a_problem": 0},
        "percent": {VC: 60.0, SC: 0.0, RA: 40.0, NP: 0.0},
        "top_box": 60.0, "top2_box": 60.0,
    }  # fmt: skip
    assert (items["timeframes"]["top_box"], items["timeframes"]["top2_box"]) == (20.0, 100.0)
    assert (items["cost_containment"]["top_box"], items["cost_containment"]["top2_box"]) == (0, 40)
    assert items["hand_off"]["counts"]["rare"] == 5 and items["hand_off"]["top2_box"] == 0.0


def test_json_contract_keys_in_definition_order(filled):
    client = admin_client(filled)
    response = client.get("/admin/surveys/cmo/tallies.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    body = response.json
    assert list(body) == ["survey", "edition", "responses", "screened_out", "latest",
                          "questions"]  # fmt: skip
    assert (body["survey"], body["edition"], body["responses"]) == ("cmo", 2012, 6)
    assert list(body["questions"]) == [
        "manufactures_for_clients", "company_size", "region", "problems",
    ]  # fmt: skip
    problems = body["questions"]["problems"]
    assert list(problems) == ["type", "scale", "items"]
    assert problems["scale"] == ["very_common", "somewhat_common", "rare", "not_a_problem"]
    assert list(problems["items"])[:3] == ["communicate", "timeframes", "cost_containment"]
    assert list(problems["items"]["communicate"]) == [
        "n",
        "shown",
        "answered",
        "not_shown",
        "counts",
        "percent",
        "top_box",
        "top2_box",
    ]
    assert list(problems["items"]["communicate"]["counts"]) == problems["scale"]
    assert list(body["questions"]["region"]) == [
        "type", "n", "shown", "answered", "not_shown", "counts", "percent",
    ]  # fmt: skip
    raw = response.get_data(as_text=True)
    assert '"top2_box": 60.0' in raw and '"small": 33.3' in raw


def test_rankings_differ_between_top_box_and_top2_box(filled, db):
    definition = _definition(filled)
    rows = tallies.rankings(definition, tallies.tallies(db, definition))["problems"]
    ranks = {r["item"]: (r["rank_top"], r["rank_top2"]) for r in rows}
    assert ranks["communicate"] == (1, 2)
    assert ranks["timeframes"] == (2, 1)
    assert ranks["cost_containment"] == (3, 3)
    assert ranks["hand_off"] == (3, 4)  # ties share the best rank
    assert [r["item"] for r in tallies.ordered(rows, "top2")][:3] == [
        "timeframes", "communicate", "cost_containment",
    ]  # fmt: skip
    assert [r["item"] for r in tallies.ordered(rows, "top")][:2] == ["communicate", "timeframes"]


def test_tallies_page_shows_both_rankings_without_javascript(filled):
    client = admin_client(filled)
    html = client.get("/admin/surveys/cmo?order=top2").text
    first, second = html.index('data-item="timeframes"'), html.index('data-item="communicate"')
    assert first < second
    assert "top-box 20.0% (rank 2) · top-2-box 100.0% (rank 1)" in html
    assert "top-box 60.0% (rank 1) · top-2-box 60.0% (rank 2)" in html
    html = client.get("/admin/surveys/cmo?order=top").text
    assert html.index('data-item="communicate"') < html.index('data-item="timeframes"')
    assert 'width="60.000"' in html  # communicate: very common 3 of 5
    assert " style=" not in html and "<script>" not in html


def test_time_filter_counts_from_answers(filled, db):
    definition = _definition(filled)
    early = tallies.tallies(db, definition, parse_filters(until="2026-01-15"))
    assert early["responses"] == 3 and early["latest"] == T0
    assert early["questions"]["problems"]["items"]["communicate"]["top_box"] == 100.0
    late = tallies.tallies(db, definition, Filters(since=T1))
    assert late["responses"] == 3
    assert late["questions"]["company_size"]["counts"] == {"small": 0, "medium": 2, "large": 1}
    assert late["questions"]["problems"]["items"]["timeframes"]["n"] == 2
    client = admin_client(filled)
    body = client.get("/admin/surveys/cmo/tallies.json?since=2026-01-15&edition=2012").json
    assert body == late
    assert client.get("/admin/surveys/cmo/tallies.json?since=yesterday").status_code == 400
    assert client.get("/admin/surveys/cmo/tallies.json?edition=1999").status_code == 404


def test_multiple_choice_percent_of_those_answering(make_app):
    app = make_app(PETS)
    add(app, "pets", {"pets": ["cat", "dog"]}, edition=2024)
    add(app, "pets", {"pets": ["cat"]}, edition=2024)
    add(app, "pets", {"pets": ["fish"]}, edition=2024)
    add(app, "pets", {"comments": "no pets"}, edition=2024)
    definition = app.extensions["surveys"]["pets"][2024]
    db = store.thread_connection(app.config["DATABASE"])
    pets = tallies.tallies(db, definition)["questions"]["pets"]
    assert pets == {
        "type": "multiple_choice", "n": 3, "shown": 4, "answered": 3, "not_shown": 0,
        "counts": {"cat": 2, "dog": 1, "fish": 1},
        "percent": {"cat": 66.7, "dog": 33.3, "fish": 33.3},
    }  # fmt: skip
    html = admin_client(app).get("/admin/surveys/pets?edition=2024").text
    assert "66.7%" in html


def test_dashboard_figures(filled, db):
    add(filled, "cmo", cmo())
    figures = tallies.dashboard(db, ["cmo", "client"])
    assert figures["cmo"]["responses"] == 7
    assert figures["cmo"]["last_24h"] == 1
    assert figures["client"] == {"responses": 0, "last_24h": 0, "latest": None}
    html = admin_client(filled).get("/admin/").text
    assert '<td class="num" data-figure="responses">7</td>' in html


def test_verify_tallies_catches_a_corrupted_counter(filled, runner, db):
    result = runner.invoke(args=["verify-tallies"])
    assert result.exit_code == 0, result.output
    assert tallies.verify_tallies(db, filled.extensions["surveys"]) == []
    with store.immediate(db):
        db.execute(
            "UPDATE counters SET count = count + 1 WHERE survey = 'cmo'"
            " AND field = 'problems-timeframes' AND value = 'somewhat_common'"
        )
        db.execute(
            "DELETE FROM counters WHERE survey = 'cmo' AND field = 'region' AND value = 'asia'"
        )
    result = runner.invoke(args=["verify-tallies"])
    assert result.exit_code == 1
    assert "cmo edition 2012 problems-timeframes=somewhat_common: counter 5, recomputed 4" in (
        result.output
    )
    assert "cmo edition 2012 region=asia: counter 0, recomputed 1" in result.output


def test_verify_tallies_catches_a_missing_response_counter(filled, db):
    with store.immediate(db):
        db.execute("UPDATE counters SET count = 2 WHERE field = '*' AND value = '*'")
    problems = tallies.verify_tallies(db, filled.extensions["surveys"])
    assert problems == ["cmo edition 2012 *=*: counter 2, recomputed 6"]


def test_wide_time_range_subtracts_the_responses_outside(filled, db):
    add(filled, "cmo", cmo(size="small"), submitted_at="2026-03-01T10:00:00.000000Z")
    definition = _definition(filled)
    wide = tallies.tallies(db, definition, Filters(since=T1))  # 4 of 7: counters minus 3
    assert wide["responses"] == 4
    assert wide["questions"]["company_size"]["counts"] == {"small": 1, "medium": 2, "large": 1}
    assert wide["questions"]["problems"]["items"]["timeframes"]["n"] == 3
    everything = tallies.tallies(db, definition, parse_filters(since="2000-01-01"))
    assert everything == tallies.tallies(db, definition)
    narrow = tallies.tallies(db, definition, Filters(since=T1, until="2026-02-15"))
    assert narrow["responses"] == 3 and narrow["latest"] == T1
