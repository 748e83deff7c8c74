"""Trends over an imported three-year history: the trends.json contract, gaps, segments."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from scipy import stats as scipy_stats

from surveyapp import SHIPPED_SURVEYS, store
from surveyapp.exchange.importer import import_file
from surveyapp.figures.tallies import verify_tallies
from surveyapp.figures.trends import format_table, recount, trends
from surveyapp.questionnaire.answers import check_pages, counted_fields
from surveyapp.questionnaire.model import Definition
from surveyapp.questionnaire.types import REGISTRY
from surveyapp.store import counts as store_counts
from tests.history import HISTORY, fixture_rows, history_app

pytestmark = pytest.mark.both_engines

PETS = Path(__file__).parent / "admin_questionnaires"

SCALE_TOP2 = {"very_common", "somewhat_common"}


@pytest.fixture
def app(make_app):
    return history_app(make_app)


@pytest.fixture
def catalog(app, db):
    catalog = app.extensions["surveys"]
    for edition, path in HISTORY.items():
        assert import_file(db, catalog, "cmo", edition, path).ok
    return catalog


def reference(rows: list[dict], field: str) -> tuple[int, int, int]:
    """(n, top box, top-2 box) counted straight from fixture rows."""
    answered = [r[field] for r in rows if r.get(field)]
    return len(answered), answered.count("very_common"), sum(v in SCALE_TOP2 for v in answered)


def scipy_wilson(k: int, n: int) -> list[float]:
    ci = scipy_stats.binomtest(k, n).proportion_ci(method="wilson")
    return [round(100 * ci.low, 1), round(100 * ci.high, 1)]


def test_trends_json_contract(db, catalog):
    document = trends(db, catalog, "cmo")
    assert document["survey"] == "cmo"
    assert document["editions"] == [2010, 2011, 2012]
    assert document["respondents"] == {"2010": 39, "2011": 50, "2012": 36}
    timeframes = document["questions"]["problems"]["items"]["timeframes"]
    assert timeframes["2010"] == {
        "n": 39,
        "top_box": 51.3,
        "top2_box": 82.1,
        "top2_ci95": [67.3, 91.0],
        "shown": 39,
        "not_shown": 0,
    }
    change_2011 = timeframes["2011"].pop("change_top2")
    assert timeframes["2011"] == {
        "n": 50,
        "top_box": 52.0,
        "top2_box": 92.0,
        "top2_ci95": [81.2, 96.8],
        "shown": 50,
        "not_shown": 0,
    }
    assert change_2011["points"] == 9.9
    change = timeframes["2012"]["change_top2"]
    p = scipy_stats.fisher_exact([[46, 4], [31, 5]]).pvalue  # expected count below 5: Fisher
    assert change == {
        "points": -5.9, "p": float(f"{p:.2g}"), "significant": False,
        "wording": f"\u22125.9 points, within noise (p = {float(f'{p:.2g}'):g})",
    }  # fmt: skip
    assert timeframes["2012"]["top2_ci95"] == [71.3, 93.9] == scipy_wilson(31, 36)
    json.dumps(document)  # serialisable as it is


def test_every_item_matches_counts_from_the_files(db, catalog):
    document = trends(db, catalog, "cmo")
    items = document["questions"]["problems"]["items"]
    assert list(items)[:2] == ["communicate", "timeframes"]
    for item, cells in items.items():
        for edition in (2010, 2011, 2012):
            cell = cells[str(edition)]
            n, top, top2 = reference(fixture_rows(edition), f"problems-{item}")
            if n == 0:
                assert cell is None, (item, edition)
                continue
            assert cell["n"] == n
            assert cell["top_box"] == round(100 * top / n, 1)
            assert cell["top2_box"] == round(100 * top2 / n, 1)
            assert cell["top2_ci95"] == scipy_wilson(top2, n)


def test_missing_item_is_a_gap_and_changes_skip_it(db, catalog):
    hand_off = trends(db, catalog, "cmo")["questions"]["problems"]["items"]["hand_off"]
    assert hand_off["2010"] is None
    assert "change_top2" not in hand_off["2011"]  # no earlier edition asked it
    assert hand_off["2012"]["change_top2"]["points"] == round(
        hand_off["2012"]["top2_box"] - hand_off["2011"]["top2_box"], 1
    )


def test_choice_options_are_shares_of_respondents(db, catalog):
    sizes = trends(db, catalog, "cmo")["questions"]["company_size"]["items"]
    assert list(sizes) == ["small", "medium", "large"]
    rows = fixture_rows(2011)
    small = sum(r["company_size"] == "small" for r in rows)
    assert sizes["small"]["2011"]["top_box"] == sizes["small"]["2011"]["top2_box"]
    assert sizes["small"]["2011"]["top_box"] == round(100 * small / len(rows), 1)
    assert "comments" not in trends(db, catalog, "cmo")["questions"]


def test_segment_filter_counts_only_matching_respondents(db, catalog):
    document = trends(db, catalog, "cmo", {"company_size": "small"})
    for edition in (2010, 2011, 2012):
        kept = [r for r in fixture_rows(edition) if r["company_size"] == "small"]
        assert document["respondents"][str(edition)] == len(kept)
        n, top, top2 = reference(kept, "problems-timeframes")
        cell = document["questions"]["problems"]["items"]["timeframes"][str(edition)]
        assert (cell["n"], cell["top2_box"]) == (n, round(100 * top2 / n, 1))
    assert document["segment"] == {"company_size": ["small"]}
    both = trends(db, catalog, "cmo", {"company_size": ["small", "large"], "region": "europe"})
    for edition in (2010, 2011, 2012):
        kept = [
            r for r in fixture_rows(edition)
            if r["company_size"] in ("small", "large") and r["region"] == "europe"
        ]  # fmt: skip
        assert both["respondents"][str(edition)] == len(kept)


def test_small_cells_are_suppressed(db, catalog):
    document = trends(db, catalog, "cmo", {"company_size": "medium", "region": "europe"})
    kept = {e: sum(r["company_size"] == "medium" and r["region"] == "europe"
                   for r in fixture_rows(e)) for e in (2010, 2011, 2012)}  # fmt: skip
    assert min(kept.values()) < 5
    for edition, n in kept.items():
        cell = document["questions"]["problems"]["items"]["timeframes"][str(edition)]
        if n < 5:
            assert cell == {"n": n, "suppressed": True}
        else:
            assert cell["n"] == n and "top2_box" in cell
    lone = trends(db, catalog, "cmo", {"region": "asia"}, min_n=10)
    assert lone["respondents"] == {"2010": 9, "2011": 10, "2012": 11}
    cells = lone["questions"]["problems"]["items"]["timeframes"]
    assert cells["2010"] == {"n": 9, "suppressed": True}
    assert "top2_box" in cells["2011"] and "change_top2" not in cells["2011"]
    assert "change_top2" in cells["2012"]


def test_segment_on_unknown_field_is_refused(db, catalog):
    with pytest.raises(ValueError, match="cannot filter on comments"):
        trends(db, catalog, "cmo", {"comments": "x"})


def test_edition_without_responses_shows_empty_cells(db, catalog, make_app):
    document = trends(db, catalog, "client")
    assert document["editions"] == [2012] and document["respondents"] == {"2012": 0}
    cell = document["questions"]["importance"]["items"]["good_relationship"]["2012"]
    assert cell == {"n": 0, "suppressed": True}


def test_table_and_cli(app, db, catalog):
    table = format_table(trends(db, catalog, "cmo"))
    assert "problems-hand_off                       2010    -            (gap: not asked)" in table
    assert "\u22125.9 points, within noise" in table
    result = app.test_cli_runner().invoke(args=["trends", "cmo", "--segment", "region=other"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("cmo: respondents 2010: ")
    kept = [sum(r["region"] == "other" for r in fixture_rows(e)) for e in (2010, 2011, 2012)]
    assert result.output.splitlines()[0] == "cmo: respondents " + ", ".join(
        f"{e}: {n}" for e, n in zip((2010, 2011, 2012), kept, strict=True)
    )
    as_json = app.test_cli_runner().invoke(args=["trends", "cmo", "--json"])
    assert json.loads(as_json.output) == trends(db, catalog, "cmo")
    bad = app.test_cli_runner().invoke(args=["trends", "cmo", "--segment", "region"])
    assert bad.exit_code == 1 and "write FIELD=CODE" in bad.output


def test_unfiltered_trends_read_the_counters_and_equal_the_recount(db, catalog, monkeypatch):
    assert verify_tallies(db, catalog) == []
    expected = {s: trends(db, catalog, s, counted=recount(db, s)) for s in ("cmo", "client")}
    segment = trends(db, catalog, "cmo", {"region": "europe"})

    def no_scan(*args, **kwargs):
        raise AssertionError("an unfiltered trend counted the answers again")

    monkeypatch.setattr(store_counts, "answer_counts", no_scan)
    for survey, document in expected.items():
        assert trends(db, catalog, survey) == document
    assert expected["cmo"]["respondents"] == {"2010": 39, "2011": 50, "2012": 36}
    with pytest.raises(AssertionError, match="counted the answers again"):
        trends(db, catalog, "cmo", {"region": "europe"})
    monkeypatch.undo()
    assert trends(db, catalog, "cmo", {"region": "europe"}) == segment


def random_answers(definition: Definition, rng: random.Random) -> dict:
    """A response as the pages would store it: 0-2 codes offered for each choice field
    (what the type's check refuses is left unanswered), a short text or nothing else."""
    codes = {name: [o.code for o in options] for q in definition.questions()
             for name, options in REGISTRY[q.type].tallied(q)}  # fmt: skip

    def getlist(name: str) -> list[str]:
        if name not in codes:
            return [rng.choice(["", "fine", "late"])]
        return rng.sample(codes[name], rng.choice([0, 1, 1, 2]))

    answers, _errors = check_pages(list(definition.pages), getlist)
    return answers


def test_counters_and_recount_agree_on_generated_responses(make_app):
    app = make_app(SHIPPED_SURVEYS, PETS)
    catalog, db = app.extensions["surveys"], store.thread_connection(app.config["DATABASE"])
    rng = random.Random(11)
    for survey, edition in (("pets", 2024), ("pets", 2025), ("cmo", 2012)):
        definition = catalog[survey][edition]
        rows = [{"survey": survey, "edition": edition, "version": definition.version,
                 "answers": random_answers(definition, rng),
                 "counted": counted_fields(definition)} for _ in range(150)]  # fmt: skip
        store.insert_many(db, rows[:100])  # the bulk path (imports)
        for row in rows[100:]:  # and the live one
            store.insert_response(db, **row)
    assert verify_tallies(db, catalog) == []
    for survey in ("pets", "cmo"):
        document = trends(db, catalog, survey)
        assert document == trends(db, catalog, survey, counted=recount(db, survey))
    pets = trends(db, catalog, "pets")
    assert pets["respondents"] == {"2024": 150, "2025": 150}
    assert pets["questions"]["office"]["items"]["north"]["2024"] is None  # not asked in 2024
    assert 0 < pets["questions"]["pets"]["items"]["cat"]["2025"]["n"] < 150
