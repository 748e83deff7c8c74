"""Logic with the question types and options of types2: a question not shown discards its
"please specify" text and its ranks, an `other` option no longer offered takes its text
with it, pages are skipped in the order the respondent is shown them, "not shown" is
coded in the SPSS and Stata files, and a rule may not read what randomised order can
place after it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from surveyapp import store
from surveyapp.questionnaire import marks
from surveyapp.questionnaire.answers import check_response, stored_getlist
from surveyapp.questionnaire.loader import DefinitionError, parse_definition
from tests.adminkit import admin_client
from tests.statkit import read
from tests.walker import Respondent

HERE = Path(__file__).parent / "logic_types2"
TEXT = (HERE / "mixed.yaml").read_text()


@pytest.fixture
def app(make_app):
    return make_app(HERE)


def stored(app) -> list[dict]:
    db = store.thread_connection(app.config["DATABASE"])
    return [json.loads(a) for (a,) in db.execute("SELECT answers FROM responses ORDER BY id")]


def test_an_other_option_no_longer_offered_takes_its_text_with_it():
    definition = parse_definition(TEXT, "mixed.yaml")
    given = {"uses": "yes", "open": "no", "supplier": "other", "supplier-other": "Acme"}
    checked = check_response(definition, stored_getlist(given))
    assert checked.errors == {}
    assert "supplier" not in checked.answers and "supplier-other" not in checked.answers
    given["open"] = "yes"
    assert check_response(definition, stored_getlist(given)).answers["supplier-other"] == "Acme"


def test_a_page_not_shown_discards_the_specify_text_and_every_rank():
    definition = parse_definition(TEXT, "mixed.yaml")
    given = {"uses": "no", "open": "yes", "supplier": "other", "supplier-other": "Acme",
             "rank-price": "1", "rank-speed": "2", "staff": "4"}  # fmt: skip
    answers = check_response(definition, stored_getlist(given)).answers
    assert marks.not_shown(answers) == ["supplier", "supplier-other", "rank-price", "rank-speed"]
    assert {k: v for k, v in answers.items() if k not in marks.MARKS} == {
        "uses": "no",
        "open": "yes",
        "staff": "4",
    }


def walk_past_the_suppliers(app) -> tuple[Respondent, str]:
    """Answer `no`: the Suppliers page does not apply wherever the shuffle put it."""
    respondent = Respondent(app.test_client(), "t_mixed")
    respondent.open(1)
    respondent.post(1, {"uses": "no", "open": "no"})
    return respondent, respondent.last_location


@pytest.mark.both_engines
def test_pages_are_skipped_in_the_order_shown_and_the_address_is_the_place_shown(app):
    seen = set()
    for _ in range(12):
        respondent, location = walk_past_the_suppliers(app)
        shown_at = int(location.rsplit("page=", 1)[1])
        assert "How many staff?" in respondent.last.get_data(as_text=True)
        respondent.post(shown_at, {"staff": "7"}, action="submit")
        assert "/thanks" in respondent.last_location
        answers = stored(app)[-1]
        # the Staff page (page 3 of the definition) was shown at its place in the order
        assert answers["pair_order"].index("3") + 2 == shown_at
        assert answers["staff"] == "7" and "rank-price" in marks.not_shown(answers)
        seen.add(shown_at)
    assert seen == {2, 3}, "the shuffle never put the Staff page first, or never second"


@pytest.mark.parametrize("fmt", ["sav", "dta"])
def test_not_shown_is_coded_apart_from_blank_in_stat_files(app, tmp_path, fmt):
    respondent, location = walk_past_the_suppliers(app)
    respondent.post(int(location.rsplit("page=", 1)[1]), {"staff": ""}, action="submit")
    response = admin_client(app).get(f"/admin/surveys/t_mixed/export.{fmt}")
    assert response.status_code == 200
    path = tmp_path / f"mixed.{fmt}"
    path.write_bytes(response.data)
    frame, _meta = read(path, fmt)
    not_shown, blank = {"sav": (-98.0, -99.0), "dta": ("b", "a")}[fmt]
    assert frame["supplier"][0] == not_shown and frame["rank_price"][0] == not_shown
    assert frame["staff"][0] == blank
    assert frame["status"][0] == "completed"
    assert frame["not_shown"][0] == "supplier;supplier-other;rank-price;rank-speed"


def refused(text: str) -> list[str]:
    with pytest.raises(DefinitionError) as caught:
        parse_definition(text, "mixed.yaml")
    return caught.value.errors


def test_a_rule_may_not_read_a_page_the_shuffle_may_place_after_it():
    text = TEXT.replace("        text: How many staff?\n", "        text: How many staff?\n"
                        "        relevant: ${supplier} = 'bolt'\n")  # fmt: skip
    assert refused(text) == [
        "mixed.yaml: pages[2].questions[0].relevant: ${supplier} comes later in the "
        "questionnaire; refer to earlier ones at character 1"
    ]


def test_a_rule_may_not_read_a_question_of_its_own_shuffled_page():
    text = TEXT.replace("  - title: Start\n", "  - title: Start\n    randomize: true\n").replace(
        "        text: Would you name another supplier?\n",
        "        text: Would you name another supplier?\n        relevant: ${uses} = 'yes'\n",
    )
    assert len(refused(text)) == 1 and "pages[0].questions[1].relevant" in refused(text)[0]


def test_a_ranking_option_takes_no_relevant():
    text = TEXT.replace(
        "          - {code: speed, label: Speed}",
        "          - {code: speed, label: Speed, relevant: \"${open} = 'yes'\"}",
    )
    assert refused(text) == [
        "mixed.yaml: pages[1].questions[1].options: a relevant option needs a question with "
        "options to choose"
    ]
