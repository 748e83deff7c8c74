"""Definitions: every kind of error names the file and the path to the bad key."""

from __future__ import annotations

from pathlib import Path

import pytest

from surveyapp import SHIPPED_SURVEYS
from surveyapp.questionnaire.loader import (
    DefinitionError,
    definition_files,
    load_all,
    parse_definition,
)
from tests.conftest import TEST_QUESTIONNAIRES

pytestmark = pytest.mark.both_engines

GOOD = """\
id: demo
title: Demo
audience: testers
edition: 2012
scales:
  frequency:
    - {code: often, label: Often}
    - {code: never, label: Never}
pages:
  - title: First
    questions:
      - id: size
        type: single_choice
        text: Size?
        options:
          - {code: small, label: Small}
  - title: Second
    questions:
      - id: grid
        type: rating_matrix
        text: How often?
        scale: frequency
        items:
          - {code: a, label: A}
          - {code: b, label: B}
"""


def errors_of(text: str, filename: str = "cmo.yaml") -> list[str]:
    with pytest.raises(DefinitionError) as caught:
        parse_definition(text, filename)
    return caught.value.errors


def test_the_good_definition_parses():
    definition = parse_definition(GOOD, "demo.yaml")
    assert [q.id for q in definition.questions()] == ["size", "grid"]
    assert [o.code for o in definition.question("grid").options] == ["often", "never"]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("scale: frequency", "scale: frequncy",
         "cmo.yaml: pages[1].questions[0].scale: unknown scale 'frequncy'"),
        ("type: rating_matrix", "type: slider",
         "cmo.yaml: pages[1].questions[0].type: unknown question type 'slider'"),
        ("id: grid", "id: size",
         "cmo.yaml: pages[1].questions[0].id: duplicate question id 'size'"),
        ("{code: b, label: B}", "{code: a, label: B}",
         "cmo.yaml: pages[1].questions[0].items[1].code: duplicate code 'a'"),
        ("{code: never, label: Never}", "{code: often, label: Never}",
         "cmo.yaml: scales.frequency[1].code: duplicate code 'often'"),
        ("edition: 2012", "edition: twenty", "cmo.yaml: edition: must be a whole number"),
        ("id: demo", "id: 'has space'", "cmo.yaml: id: 'has space' may hold only letters"),
        ("        text: Size?", "        text: Size?\n        colour: red",
         "cmo.yaml: pages[0].questions[0].colour: unknown key for a single_choice question"),
        ("        text: Size?", "        text: Size?\n        required: maybe",
         "cmo.yaml: pages[0].questions[0].required: must be true or false"),
        ("audience: testers", "audience: testers\nextra: 1", "cmo.yaml: extra: unknown key"),
        ("title: Demo\n", "", "cmo.yaml: title: missing"),
        ("        options:\n          - {code: small, label: Small}\n", "",
         "cmo.yaml: pages[0].questions[0]: give either options or scale"),
        ("          - {code: small, label: Small}", "          - {code: small}",
         "cmo.yaml: pages[0].questions[0].options[0].label: missing"),
        ("          - {code: small, label: Small}", "          - small",
         "cmo.yaml: pages[0].questions[0].options[0]: must be a mapping"),
        ("  - title: First\n", "  - title: First\n    colour: red\n",
         "cmo.yaml: pages[0].colour: unknown key"),
    ],
)  # fmt: skip
def test_each_error_names_file_and_path(old, new, expected):
    assert old in GOOD
    errors = errors_of(GOOD.replace(old, new, 1))
    assert any(e.startswith(expected) for e in errors), errors


def test_type_specific_settings_are_checked():
    text = GOOD.replace(
        "      - id: size\n        type: single_choice\n        text: Size?\n"
        "        options:\n          - {code: small, label: Small}\n",
        "      - id: size\n        type: number\n        text: Size?\n        min: low\n"
        "      - id: note\n        type: long_text\n        text: Note\n        max_length: -3\n"
        "      - id: picks\n        type: multiple_choice\n        text: Picks\n"
        "        scale: frequency\n        max_picks: many\n",
    )
    errors = errors_of(text)
    assert "cmo.yaml: pages[0].questions[0].min: must be a number, not 'low'" in errors
    assert "cmo.yaml: pages[0].questions[1].max_length: must be a whole number >= 1" in errors
    assert "cmo.yaml: pages[0].questions[2].max_picks: must be a whole number >= 0" in errors


def test_all_errors_are_reported_at_once():
    text = GOOD.replace("scale: frequency", "scale: nope").replace("edition: 2012", "edition: x")
    assert len(errors_of(text)) == 2


def test_malformed_files_are_named():
    assert errors_of("id: [unclosed", "broken.yaml")[0].startswith("broken.yaml: not valid YAML")
    assert errors_of("- just\n- a list", "list.yaml") == ["list.yaml: the file must hold a mapping"]
    assert errors_of("id: x\n", "empty.yaml")[0].startswith("empty.yaml: ")


def test_yaml_implicit_typing_does_not_change_codes():
    definitions = load_all([TEST_QUESTIONNAIRES / "codes.yaml"])
    question = definitions["t_codes"][2020].question("answer")
    assert [o.code for o in question.options] == ["no", "on", "010", "yes"]
    assert all(type(o.code) is str for o in question.options)


def test_version_is_a_content_hash():
    first = parse_definition(GOOD, "a.yaml")
    assert parse_definition(GOOD, "b.yaml").version == first.version
    assert parse_definition(GOOD.replace("Size?", "Size now?"), "a.yaml").version != first.version


def test_same_id_and_edition_twice_is_refused(tmp_path: Path):
    (tmp_path / "one.yaml").write_text(GOOD)
    (tmp_path / "two.yaml").write_text(GOOD)
    with pytest.raises(DefinitionError) as caught:
        load_all(definition_files(tmp_path))
    assert caught.value.errors == [
        "two.yaml: id: 'demo' edition 2012 is already defined in one.yaml"
    ]


def test_an_invalid_definition_is_reported_and_the_rest_served(make_app, tmp_path, caplog):
    (tmp_path / "bad.yaml").write_text(GOOD.replace("scale: frequency", "scale: frequncy"))
    app = make_app(SHIPPED_SURVEYS, tmp_path)
    assert sorted(app.extensions["surveys"]) == ["client", "cmo"]
    assert "bad.yaml: pages[1].questions[0].scale: unknown scale 'frequncy'" in caplog.messages
    assert "Traceback" not in caplog.text


def test_shipped_questionnaires_match_the_brief():
    catalog = load_all(definition_files(SHIPPED_SURVEYS))
    cmo, client = catalog["cmo"][2012], catalog["client"][2012]
    assert (cmo.title, cmo.audience) == ("Working with biopharmaceutical clients", "CMO")
    assert client.title == "Choosing a contract manufacturer"
    assert [p.title for p in cmo.pages] == [
        "About your organisation", "Common client mistakes", "Your comments",
    ]  # fmt: skip
    problems = cmo.question("problems")
    assert [o.code for o in problems.options] == [
        "very_common", "somewhat_common", "rare", "not_a_problem",
    ]  # fmt: skip
    assert [i.code for i in problems.items] == [
        "communicate", "timeframes", "cost_containment", "process_variability", "tech_transfer",
        "scale_differences", "difficult_problems", "regulatory_role", "hand_off",
        "unsuitable_cell_lines",
    ]  # fmt: skip
    importance = client.question("importance")
    assert [o.code for o in importance.options] == [
        "very_important", "important", "somewhat_important", "not_important",
    ]  # fmt: skip
    assert [i.code for i in importance.items] == [
        "good_relationship", "quality_standards", "cross_contamination", "protect_ip",
        "stick_to_schedule", "capacity",
    ]  # fmt: skip
    for definition in (cmo, client):
        assert [o.code for o in definition.question("company_size").options] == [
            "small", "medium", "large",
        ]  # fmt: skip
        assert [o.code for o in definition.question("region").options] == [
            "north_america", "europe", "asia", "other",
        ]  # fmt: skip
        comments = definition.question("comments")
        assert (comments.type, comments.required) == ("long_text", False)
        assert comments.settings["max_length"] == 4000
