"""The ranking type: one rank per option field, ranks 1 to k each once; tallied as mean rank
and share ranked first with its base; exported, imported and written as XLSForm `rank`."""

from __future__ import annotations

import csv
import io

import pytest

from surveyapp import store
from surveyapp.exchange import export
from surveyapp.exchange.importer import import_file
from surveyapp.exchange.layout import META
from surveyapp.figures import tallies
from surveyapp.questionnaire.loader import DefinitionError, load_file, parse_definition
from surveyapp.questionnaire.xlsform import definition_to_xlsform, read_xlsform
from tests.adminkit import add, admin_client
from tests.adminkit import stored_answers as stored
from tests.conftest import TEST_QUESTIONNAIRES
from tests.walker import Respondent

FULL = {"priorities-quality": "1", "priorities-price": "3", "priorities-speed": "2"}


@pytest.fixture
def ranked_app(make_app):
    return make_app(TEST_QUESTIONNAIRES)


def submit(app, data):
    respondent = Respondent(app.test_client(), "t_ranking")
    respondent.open(1)
    return respondent.post(1, data, action="submit")


def test_a_full_ranking_and_a_top_two_are_stored_per_option(ranked_app):
    top_two = {"regions-asia": "1", "regions-africa": "2"}
    assert submit(ranked_app, FULL | top_two).status_code == 302
    assert stored(ranked_app) == [FULL | top_two]


def test_the_page_offers_one_rank_select_per_option(ranked_app):
    html = Respondent(ranked_app.test_client(), "t_ranking").open(1).text
    assert '<select class="rank-select" name="priorities-quality" id="priorities-quality"' in html
    assert '<label for="priorities-price" class="rank-label">Price</label>' in html
    assert "Give each option a rank from 1 (first) to 3, each rank once." in html
    assert "Give your top 2 a rank from 1 (first) to 2, each rank once." in html
    assert html.count('<option value="">Not ranked</option>') == 7


BAD = [
    ({}, "priorities-quality", "Please rank the options."),
    (FULL | {"priorities-price": "1"}, "priorities-price",
     "Rank 1 is given to more than one option: each rank once."),
    (FULL | {"priorities-price": "4"}, "priorities-price", "Please choose a rank from 1 to 3."),
    (FULL | {"priorities-price": "0"}, "priorities-price", "Please choose a rank from 1 to 3."),
    (FULL | {"priorities-price": "-1"}, "priorities-price", "Please choose a rank from 1 to 3."),
    (FULL | {"priorities-price": ["3", "3"]}, "priorities-price", "Please give one rank."),
    ({"priorities-quality": "1", "priorities-speed": "2"}, "priorities-price",
     "Please rank the options: 2 of 3 ranked so far."),
    (FULL | {"regions-asia": "1"}, "regions-europe",
     "Please rank your top 2: 1 of 2 ranked so far."),
    (FULL | {"regions-asia": "1", "regions-europe": "3"}, "regions-europe",
     "Please choose a rank from 1 to 2."),
]  # fmt: skip


@pytest.mark.parametrize(("data", "field", "message"), BAD)
def test_a_ranking_that_is_not_one_to_k_each_once_is_refused(ranked_app, data, field, message):
    response = submit(ranked_app, data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'<p class="error" id="{field}-error">{message} </p>' in html
    assert f'<a href="#{field}">' in html  # the error summary links to the select itself
    assert stored(ranked_app) == []


def test_an_optional_ranking_may_be_left_blank(ranked_app):
    assert submit(ranked_app, FULL).status_code == 302
    assert stored(ranked_app) == [FULL]


def test_definition_errors():
    base = """id: r
title: R
audience: a
edition: 2020
pages:
  - title: P
    questions:
      - id: q
        type: ranking
        text: Rank
        max_ranks: 3
        options:
          - {code: a, label: A}
          - {code: b, label: B, other: true}
"""
    with pytest.raises(DefinitionError) as caught:
        parse_definition(base, "r.yaml")
    assert caught.value.errors == [
        "r.yaml: pages[0].questions[0].options[1].other: not for this question type",
        "r.yaml: pages[0].questions[0].max_ranks: is more than the 2 options",
    ]


# Five respondents rank quality/price/speed (the last as FULL: 1, 3, 2), and the last also
# ranks the regions' top two:
#   quality: 1, 1, 2, 3, 1 -> mean 1.6, first 3 of 5 = 60.0%
#   price:   2, 3, 1, 1, 3 -> mean 2.0, first 2 of 5
#   speed:   3, 2, 3, 2, 2 -> mean 2.4, first 0
RANKINGS = [("1", "2", "3"), ("1", "3", "2"), ("2", "1", "3"), ("3", "1", "2")]


@pytest.fixture
def ranked(ranked_app):
    for quality, price, speed in RANKINGS:
        ranks = {"priorities-quality": quality, "priorities-price": price,
                 "priorities-speed": speed}  # fmt: skip
        add(ranked_app, "t_ranking", ranks)
    add(ranked_app, "t_ranking", FULL | {"regions-asia": "1", "regions-europe": "2"})
    return ranked_app


def test_tallies_give_mean_rank_and_share_ranked_first_with_their_bases(ranked):
    db = store.thread_connection(ranked.config["DATABASE"])
    definition = ranked.extensions["surveys"].latest("t_ranking")
    result = tallies.tallies(db, definition)["questions"]
    priorities = result["priorities"]
    assert (priorities["type"], priorities["n"], priorities["ranks"]) == ("ranking", 5, 3)
    assert priorities["options"]["quality"] == {
        "n": 5, "counts": {"1": 3, "2": 1, "3": 1}, "mean_rank": 1.6, "first": 3,
        "first_share": 60.0,
    }  # fmt: skip
    assert priorities["options"]["speed"]["mean_rank"] == 2.4
    regions = result["regions"]
    assert (regions["n"], regions["ranks"]) == (1, 2)  # ranked by one respondent
    assert regions["options"]["asia"] == {
        "n": 1,
        "counts": {"1": 1, "2": 0},
        "mean_rank": 1.0,
        "first": 1,
        "first_share": 100.0,
    }
    assert regions["options"]["africa"] == {
        "n": 0,
        "counts": {"1": 0, "2": 0},
        "mean_rank": None,
        "first": 0,
        "first_share": 0.0,
    }


def test_tallies_json_and_page_state_the_base(ranked):
    client = admin_client(ranked)
    document = client.get("/admin/surveys/t_ranking/tallies.json").get_json()
    assert document["questions"]["priorities"]["options"]["price"]["mean_rank"] == 2.0
    html = client.get("/admin/surveys/t_ranking").get_data(as_text=True)
    assert "Ranked by n = 5." in html
    assert "Ranked by n = 1 (each ranked their top 2)." in html
    assert (
        '<tr data-option="quality"><th scope="row">Quality</th><td class="num">5</td>'
        '<td class="num">1.60</td><td class="num">3 (60.0%)</td></tr>' in html
    )


def test_a_segment_below_five_suppresses_the_ranking(ranked):
    db = store.thread_connection(ranked.config["DATABASE"])
    definition = ranked.extensions["surveys"].latest("t_ranking")
    result = tallies.tallies(db, definition, min_n=5)["questions"]
    assert result["regions"] == {"type": "ranking", "n": 1, "suppressed": True}
    assert result["priorities"]["n"] == 5


def test_export_codebook_and_import_round_trip(ranked, make_app, tmp_path):
    db = store.thread_connection(ranked.config["DATABASE"])
    editions = ranked.extensions["surveys"]["t_ranking"]
    text = "".join(export.csv_stream(db, "t_ranking", editions))
    header = next(csv.reader(io.StringIO(text)))
    assert header[len(META):] == ["priorities-quality", "priorities-price", "priorities-speed",
                          "regions-europe", "regions-asia", "regions-americas",
                          "regions-africa"]  # fmt: skip
    codebook = [row[:6] for row in csv.reader(io.StringIO("".join(export.codebook_csv(editions))))]
    assert ["priorities-price", "Rank what matters most in a manufacturing partner.", "Price",
            "ranking", "3", "Rank 3"] in codebook  # fmt: skip
    other = make_app(TEST_QUESTIONNAIRES, DATABASE=str(tmp_path / "other.db"))
    other_db = store.thread_connection(other.config["DATABASE"])
    result = import_file(other_db, other.extensions["surveys"], "t_ranking", 2020,
                         text.encode(), name="ranks.csv")  # fmt: skip
    assert result.ok and result.created == 5, result.errors
    assert (
        tallies.tallies(other_db, editions[2020])["questions"]
        == (tallies.tallies(db, editions[2020])["questions"])
    )


def test_an_imported_row_with_a_bad_ranking_is_reported(ranked_app):
    db = store.thread_connection(ranked_app.config["DATABASE"])
    data = b"priorities-quality,priorities-price,priorities-speed\n1,1,2\n1,2,\n"
    result = import_file(db, ranked_app.extensions["surveys"], "t_ranking", 2020, data,
                         name="bad.csv")  # fmt: skip
    twice = "Rank 1 is given to more than one option: each rank once."
    assert result.errors == [
        f"bad.csv:row 2: priorities-quality: {twice}",
        f"bad.csv:row 2: priorities-price: {twice}",
        "bad.csv:row 3: priorities-speed: Please rank the options: 2 of 3 ranked so far.",
    ]
    assert stored(ranked_app) == []


def test_xlsform_writes_and_reads_rank():
    original = load_file(TEST_QUESTIONNAIRES / "ranking.yaml")
    data = definition_to_xlsform(original)
    from openpyxl import load_workbook

    rows = list(load_workbook(io.BytesIO(data))["survey"].iter_rows(values_only=True))
    header = rows[0]
    types = [row[0] for row in rows]
    assert "rank priorities" in types and "rank regions" in types
    regions = next(row for row in rows if row[1] == "regions")
    assert regions[header.index("surveyapp::max_ranks")] == "2"
    back = read_xlsform(data, "ranking.xlsx").definition
    assert [(q.type, q.options, q.settings) for q in back.questions()] == [
        (q.type, q.options, q.settings) for q in original.questions()
    ]


def test_an_odk_rank_imports_and_rank_or_other_is_refused():
    from tests.xlsform_fixtures import workbook

    choices = [["list_name", "name", "label", "surveyapp_anchor"], ["l", "a", "A", ""],
               ["l", "b", "B", ""], ["l", "z", "None", "yes"]]  # fmt: skip
    good = workbook({
        "survey": [["type", "name", "label", "surveyapp::randomize"], ["rank l", "r", "R", "yes"]],
        "choices": choices, "settings": [["form_id"], ["ranks"]],
    })  # fmt: skip
    ranked = read_xlsform(good, "ranks.xlsx").definition.question("r")
    assert (ranked.type, [o.code for o in ranked.options], ranked.settings) == (
        "ranking",
        ["a", "b", "z"],
        {"randomize": True},
    )
    assert ranked.options[2].anchor
    bad = workbook({"survey": [["type", "name", "label"], ["rank l or_other", "r", "R"],
                               ["text", "t", "T"]],
                    "choices": choices, "settings": [["form_id"], ["ranks"]]})  # fmt: skip
    from surveyapp.questionnaire.xlsform import XLSFormError

    with pytest.raises(XLSFormError) as caught:
        read_xlsform(bad, "bad.xlsx")
    assert caught.value.errors == [
        "bad.xlsx:survey:row 2: type: rank ... or_other is refused: a ranking has no 'please"
        " specify' text"
    ]
