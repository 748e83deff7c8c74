"""Randomised order of options, matrix items, the questions of a page and the pages of a
group: anchors stay, the order follows the submission key (stable across Back and
reloads), is stored with the response, exported, checked on import, and never taken
from the client."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from surveyapp import store
from surveyapp.exchange import export
from surveyapp.exchange.importer import import_file
from surveyapp.questionnaire import randomize
from surveyapp.questionnaire.loader import DefinitionError, load_file, parse_definition
from tests.conftest import TEST_QUESTIONNAIRES
from tests.walker import Respondent

DEFINITION = load_file(TEST_QUESTIONNAIRES / "randomize.yaml")
ORDERS = ["page_1_order", "brand_order", "views_order", "ranked_order", "blocks_order"]
ANSWERS = {
    "brand": "beta", "views-one": "agree", "views-two": "disagree", "views-three": "agree",
    "views-overall": "agree", "notes": "Fine", "ranked-x": "1", "ranked-y": "2",
    "ranked-z": "3", "final": "Bye",
}  # fmt: skip


@pytest.fixture
def random_app(make_app):
    return make_app(TEST_QUESTIONNAIRES)


def stored(app) -> list[dict]:
    db = store.thread_connection(app.config["DATABASE"])
    return [json.loads(r["answers"]) for r in db.query("SELECT answers FROM responses")]


def key_of(html: str) -> str:
    return re.search(r'name="submission_key" type="hidden" value="([^"]*)"', html).group(1)


def shown(html: str, pattern: str) -> list[str]:
    """Values of `pattern`'s group in page order, each once."""
    found = re.findall(pattern, html)
    return list(dict.fromkeys(found))


def test_each_key_has_its_own_stable_order_with_anchors_in_place():
    seen_first = set()
    for number in range(200):
        key = f"key-{number}"
        orders = randomize.orders(DEFINITION, key)
        assert list(orders) == ORDERS
        assert orders == randomize.orders(DEFINITION, key)
        assert orders["brand_order"][-1] == "none" and orders["views_order"][-1] == "overall"
        assert orders["page_1_order"][-1] == "notes" and orders["blocks_order"][-1] == "3"
        assert sorted(orders["brand_order"]) == ["alpha", "beta", "delta", "gamma", "none"]
        seen_first.add(orders["brand_order"][0])
    assert seen_first == {"alpha", "beta", "gamma", "delta"}


def test_the_order_does_not_depend_on_the_order_it_starts_from():
    entries = ["a", "b", "c", "d", "e"]
    one = randomize.shuffled(entries, str, lambda e: e == "c", "seed")
    two = randomize.shuffled(reversed(entries), str, lambda e: e == "c", "seed")
    assert one[2] == "c" and two[2] == "c"
    assert [e for e in one if e != "c"] == [e for e in two if e != "c"]
    view = randomize.arranged(DEFINITION, "k")
    assert randomize.arranged(view, "k") == view
    assert randomize.orders(view, "k") == randomize.orders(DEFINITION, "k")


def test_a_definition_without_randomisation_is_served_as_it_is():
    plain = load_file(TEST_QUESTIONNAIRES / "single_choice.yaml")
    assert randomize.arranged(plain, "k") is plain and randomize.orders(plain, "k") == {}


def page_answers(html: str) -> dict[str, str]:
    return {name: value for name, value in ANSWERS.items() if f'name="{name}"' in html}


def complete(client, forged: dict | None = None) -> tuple[str, list[str]]:
    """Answer every page as shown; return the submission key and the page titles seen."""
    respondent = Respondent(client, "t_random")
    html = respondent.open(1).text
    key, titles = key_of(html), []
    for number in (1, 2, 3):
        titles.append(re.search(r'<h2 class="page-title">([^<]+)</h2>', html).group(1))
        action = "submit" if number == 3 else "next"
        response = respondent.post(number, page_answers(html) | (forged or {}), action)
        html = response.get_data(as_text=True)
    assert response.status_code == 302 and "/thanks" in response.headers["Location"]
    return key, titles


def test_pages_questions_options_and_items_are_shown_in_the_key_s_order(random_app):
    client = random_app.test_client()
    respondent = Respondent(client, "t_random")
    html = respondent.open(1).text
    orders = randomize.orders(DEFINITION, key_of(html))
    first = DEFINITION.pages[int(orders["blocks_order"][0]) - 1]
    assert f'<h2 class="page-title">{first.title}</h2>' in html
    brands_page = next(n for n in (1, 2) if orders["blocks_order"][n - 1] == "1")
    html = respondent.open(brands_page).text
    assert shown(html, r'<section class="question[^"]*" id="q-(\w+)"') == orders["page_1_order"]
    assert shown(html, r'name="brand"[^>]*value="(\w+)"') == orders["brand_order"]
    assert shown(html, r'name="views-(\w+)"') == orders["views_order"]
    assert respondent.open(brands_page).text.count("name=") == html.count("name=")
    assert (
        shown(respondent.open(brands_page).text, r'name="brand"[^>]*value="(\w+)"')
        == (orders["brand_order"])
    )  # a reload shows the same order


def test_two_respondents_see_their_own_orders(random_app):
    """Each respondent's first page follows the order drawn from their own random key, and
    both shuffled pages come first for someone (40 respondents at most: all alike by
    chance once in 2**39 runs; six, as before, failed once in 32)."""
    firsts = set()
    for _ in range(40):
        html = Respondent(random_app.test_client(), "t_random").open(1).text
        orders = randomize.orders(DEFINITION, key_of(html))
        assert re.search(r'<h2 class="page-title">([^<]+)</h2>', html).group(1) == (
            DEFINITION.pages[int(orders["blocks_order"][0]) - 1].title
        )
        firsts.add(orders["blocks_order"][0])
        if len(firsts) == 2:
            break
    assert len(firsts) == 2


def test_back_and_next_keep_the_order(random_app):
    client = random_app.test_client()
    respondent = Respondent(client, "t_random")
    html = respondent.open(1).text
    key = key_of(html)
    second = respondent.post(1, page_answers(html)).get_data(as_text=True)
    back = respondent.post(2, {}, action="back").get_data(as_text=True)
    assert key_of(back) == key
    assert shown(back, r'name="(\w+-?\w*)"') == shown(html, r'name="(\w+-?\w*)"')
    again = respondent.post(1, page_answers(back)).get_data(as_text=True)
    assert shown(again, r'name="(\w+-?\w*)"') == shown(second, r'name="(\w+-?\w*)"')


def test_the_order_shown_is_stored_and_a_forged_order_is_ignored(random_app):
    forged = {"brand_order": "none;alpha", "blocks_order": "3;2;1", "page_1_order": "x"}
    key, titles = complete(random_app.test_client(), forged)
    orders = randomize.orders(DEFINITION, key)
    assert titles == [DEFINITION.pages[int(n) - 1].title for n in orders["blocks_order"]]
    assert stored(random_app) == [ANSWERS | orders]


def test_order_columns_are_exported_with_their_codebook(random_app):
    key, _titles = complete(random_app.test_client())
    db = store.thread_connection(random_app.config["DATABASE"])
    editions = random_app.extensions["surveys"]["t_random"]
    rows = list(csv.reader(io.StringIO("".join(export.csv_stream(db, "t_random", editions)))))
    assert rows[0][-5:] == ORDERS
    orders = randomize.orders(DEFINITION, key)
    assert rows[1][-5:] == [";".join(orders[name]) for name in ORDERS]
    codebook = [row[:6] for row in csv.reader(io.StringIO("".join(export.codebook_csv(editions))))]
    assert ["brand_order", "Which brand do you use most?",
            "order shown (codes joined by ';', first shown first)", "order", "none",
            "None of them (anchored: always in this place)"] in codebook  # fmt: skip
    assert ["blocks_order", "The pages of group blocks (page numbers)",
            "order shown (codes joined by ';', first shown first)", "order", "2",
            "Priorities"] in codebook  # fmt: skip


def test_imported_orders_are_checked(random_app):
    db = store.thread_connection(random_app.config["DATABASE"])
    header = (
        "brand,views-one,views-two,views-three,views-overall,ranked-x,ranked-y,ranked-z,"
        "brand_order,blocks_order\n"
    )
    views = "agree,agree,agree,agree"
    rows = (f"beta,{views},1,2,3,delta;gamma;beta;alpha;none,2;1;3\n"
            f"beta,{views},1,2,3,none;gamma;beta;alpha;delta,\n"
            f"beta,{views},1,2,3,gamma;beta;alpha;none,1;1;3\n")  # fmt: skip
    catalog = random_app.extensions["surveys"]
    result = import_file(db, catalog, "t_random", 2020, (header + rows).encode(), name="o.csv")
    assert result.errors == [
        "o.csv:row 3: brand_order: must list alpha, beta, gamma, delta, none each once in the"
        " order shown, with none in place",
        "o.csv:row 4: brand_order: must list alpha, beta, gamma, delta, none each once in the"
        " order shown, with none in place",
        "o.csv:row 4: blocks_order: must list 1, 2, 3 each once in the order shown, with 3 in"
        " place",
    ]
    result = import_file(db, catalog, "t_random", 2020, (header + rows.splitlines()[0]).encode(),
                         name="o.csv")  # fmt: skip
    assert result.ok, result.errors
    assert stored(random_app)[0]["brand_order"] == ["delta", "gamma", "beta", "alpha", "none"]
    assert stored(random_app)[0]["blocks_order"] == ["2", "1", "3"]


DEFINITION_ERRORS = [
    ("randomize_pages: [blocks]", "randomize_pages: [blocks, notes]",
     ["r.yaml: randomize_pages[1]: 'notes' must be the group of two pages or more"]),
    ("randomize_pages: [blocks]", "randomize_pages: [blocks, nothing]",
     ["r.yaml: randomize_pages[1]: 'nothing' must be the group of two pages or more"]),
    ("  - title: Priorities\n    group: blocks\n", "  - title: Priorities\n",
     ["r.yaml: pages[2].group: the pages of group 'blocks' must follow one another"]),
    ("      - id: notes\n", "      - id: brand_order\n",
     ["r.yaml: pages[0].questions[0].randomize: its order column 'brand_order' is already a"
      " column"]),
    ("        text: Last words?\n", "        text: Last words?\n        randomize: true\n",
     ["r.yaml: pages[2].questions[0].randomize: unknown key for a short_text question"]),
    ("randomize_pages: [blocks]", "randomize_pages: blocks",
     ["r.yaml: randomize_pages: must be a list of page group names"]),
]  # fmt: skip


def test_a_group_of_one_page_is_allowed_when_not_randomised():
    text = (TEST_QUESTIONNAIRES / "randomize.yaml").read_text()
    text = text.replace(
        "  - title: Closing\n    group: blocks\n", "  - title: Closing\n    group: last\n"
    )
    definition = parse_definition(text, "r.yaml")
    assert [p.group for p in definition.pages] == ["blocks", "blocks", "last"]
    assert randomize.orders(definition, "k")["blocks_order"] in (["1", "2"], ["2", "1"])


@pytest.mark.parametrize(("old", "new", "expected"), DEFINITION_ERRORS)
def test_definition_errors_name_their_place(old, new, expected):
    text = (TEST_QUESTIONNAIRES / "randomize.yaml").read_text()
    assert old in text
    with pytest.raises(DefinitionError) as caught:
        parse_definition(text.replace(old, new, 1), "r.yaml")
    assert caught.value.errors == expected
