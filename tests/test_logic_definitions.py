"""Logic in definitions: every key parses once at load, and every kind of definition error
is reported with its file and key path (XLSForm: sheet, row and column), never at run time."""

from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import load_workbook

from surveyapp.questionnaire.loader import DefinitionError, load_all, parse_definition
from surveyapp.questionnaire.xlsform import XLSFormError, definition_to_xlsform, read_xlsform
from tests import xlsform_fixtures as forms
from tests.conftest import TEST_QUESTIONNAIRES

BASE = """\
id: t
title: T
audience: testers
edition: 2020
pages:
  - title: One
    questions:
      - id: kind
        type: single_choice
        text: Kind
        options:
          - {code: a, label: A}
          - {code: b, label: B}
      - id: tags
        type: multiple_choice
        text: Tags
        options:
          - {code: x, label: X}
      - id: size
        type: number
        text: Size
%s
  - title: Two
    questions:
      - id: later
        type: short_text
        text: Later
"""


def errors_of(extra: str) -> list[str]:
    with pytest.raises(DefinitionError) as caught:
        parse_definition(BASE % extra, "t.yaml")
    return caught.value.errors


def test_every_logic_questionnaire_loads_with_its_rules_parsed():
    catalog = load_all(sorted(TEST_QUESTIONNAIRES.glob("*.yaml")))
    relevant = catalog.latest("t_relevant")
    partners = relevant.question("partners")
    assert partners.relevant.text == "${outsources} = 'yes'"
    assert partners.relevant.tree is not None and partners.required
    reason = relevant.question("reason")
    assert not reason.required and reason.required_if.text == "${outsources} = 'no'"
    assert relevant.question("views").items[1].relevant.text == "${partners} > 0"
    assert catalog.latest("t_skip").pages[1].relevant.text == "${route} = 'long'"
    options = catalog.latest("t_options")
    assert options.question("best").choice_filter.text == "selected(${uses}, .)"
    assert options.question("region").options[2].relevant.text == "selected(${uses}, 'fill')"
    assert catalog.latest("t_constraint").question("scientists").constraint_message
    assert catalog.latest("t_calculate").question("per_site").calculation.text
    screen = catalog.latest("t_screen")
    assert screen.question("makes").screen_out and screen.pages[1].screen_out


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ("        relevant: nonsense(1)",
         "t.yaml: pages[0].questions[2].relevant: unknown function 'nonsense' at character 1"),
        ("        relevant: ${kind} = ",
         "t.yaml: pages[0].questions[2].relevant: did not expect the end of the expression "
         "at character 10"),
        ("        relevant: ${nobody} = 'a'",
         "t.yaml: pages[0].questions[2].relevant: unknown question ${nobody} at character 1"),
        ("        relevant: ${later} = 'a'",
         "t.yaml: pages[0].questions[2].relevant: ${later} comes later in the questionnaire; "
         "refer to earlier ones at character 1"),
        ("        relevant: ${size} > 1",
         "t.yaml: pages[0].questions[2].relevant: ${size} comes later in the questionnaire"),
        ("        required: ${kind} = 'c'",
         "t.yaml: pages[0].questions[2].required: 'c' is not an option of 'kind' at character 11"),
        ("        constraint: selected(${size}, 'a')",
         "t.yaml: pages[0].questions[2].constraint: selected() needs a choice question; "
         "'size' is not one at character 1"),
        ("        constraint: ${tags} = 'x'",
         "t.yaml: pages[0].questions[2].constraint: 'tags' allows several answers: test it "
         "with selected(${tags}, 'code') at character 11"),
        ("        relevant: . > 1",
         "t.yaml: pages[0].questions[2].relevant: '.' (the current answer) is only allowed "
         "in a constraint at character 1"),
        ("        constraint_message: Too big.",
         "t.yaml: pages[0].questions[2].constraint_message: needs a constraint"),
        ("        choice_filter: . != 'a'",
         "t.yaml: pages[0].questions[2].choice_filter: needs a question with options to choose"),
        ("        text: Size of ${nobody}",
         "t.yaml: pages[0].questions[2].text: unknown question ${nobody}"),
        ("        help: You said ${kind}",
         "t.yaml: pages[0].questions[2].help: ${kind} is answered on this page or later: "
         "piping shows answers from earlier pages"),
        ("        required: maybe",
         "t.yaml: pages[0].questions[2].required: must be true or false, not 'maybe'"),
        ("        relevant: ''",
         "t.yaml: pages[0].questions[2].relevant: must be an expression"),
    ],
)  # fmt: skip
def test_each_expression_error_names_file_key_and_position(extra, expected):
    if "text:" in extra:
        source = (BASE % "").replace("        text: Size\n", extra + "\n", 1)
        with pytest.raises(DefinitionError) as caught:
            parse_definition(source, "t.yaml")
        errors = caught.value.errors
    else:
        errors = errors_of(extra)
    assert any(e.startswith(expected) for e in errors), errors


CALCULATIONS = """
      - id: first
        type: calculate
        calculation: ${second} + 1
      - id: second
        type: calculate
        calculation: %s
"""


def test_a_cycle_among_calculations_is_an_error_at_its_first_member():
    errors = errors_of(CALCULATIONS % "${first} * 2")
    assert errors == [
        "t.yaml: pages[0].questions[3].calculation: calculations refer to each other in a "
        "circle: ${first} -> ${second} -> ${first}"
    ]


def test_a_calculation_that_depends_on_a_later_answer_through_another_is_an_error():
    source = (BASE % CALCULATIONS % "${third}") + (
        "      - id: third\n        type: calculate\n        calculation: ${later} * 2\n"
    )
    with pytest.raises(DefinitionError) as caught:
        parse_definition(source, "t.yaml")
    assert caught.value.errors == [
        "t.yaml: pages[0].questions[3].calculation: uses ${third}, which uses ${later}: a "
        "later question; calculations may use earlier answers only",
        "t.yaml: pages[0].questions[4].calculation: uses ${third}, which uses ${later}: a "
        "later question; calculations may use earlier answers only",
    ]


def test_a_calculation_needs_its_expression_and_takes_no_answer_keys():
    errors = errors_of('      - id: sum\n        type: calculate\n        required: "true"')
    assert errors == [
        "t.yaml: pages[0].questions[3].required: unknown key for a calculate question",
        "t.yaml: pages[0].questions[3].calculation: missing",
    ]


def test_page_rules_see_earlier_pages_and_screen_out_its_own_answers():
    source = (BASE % "").replace(
        "  - title: Two\n", "  - title: Two\n    relevant: ${later} = 'x'\n"
    )
    with pytest.raises(DefinitionError) as caught:
        parse_definition(source, "t.yaml")
    assert caught.value.errors == [
        "t.yaml: pages[1].relevant: ${later} comes later in the questionnaire; refer to "
        "earlier ones at character 1"
    ]
    screened = (BASE % "").replace(
        "  - title: Two\n", "  - title: Two\n    screen_out: ${later} = 'x'\n"
    )
    assert parse_definition(screened, "t.yaml").pages[1].screen_out.text == "${later} = 'x'"


def test_an_xlsform_expression_error_names_sheet_row_and_column():
    data = forms.workbook({"survey": [
        ["type", "name", "label", "relevant", "constraint"],
        ["integer", "age", "Age", None, ". > 0 and nonsense()"],
        ["text", "name", "Name", "${age} > ${nobody}", None],
    ]})  # fmt: skip
    with pytest.raises(XLSFormError) as caught:
        read_xlsform(data, "logic.xlsx")
    assert caught.value.errors == [
        "logic.xlsx:survey:row 2: constraint: unknown function 'nonsense' at character 11"
    ]
    with pytest.raises(XLSFormError) as caught:
        read_xlsform(forms.workbook({"survey": [
            ["type", "name", "label", "relevant"],
            ["integer", "age", "Age", None],
            ["text", "name", "Name", "${age} > ${nobody}"],
        ]}), "logic.xlsx")  # fmt: skip
    assert caught.value.errors == [
        "logic.xlsx:survey:row 3: relevant: unknown question ${nobody} at character 10"
    ]


def test_xlsform_logic_columns_import_with_odk_names_and_export_back():
    data = forms.workbook({
        "survey": [
            ["type", "name", "label", "relevant", "choice_filter", "calculation", "required",
             "appearance"],
            ["begin group", "rate", "Rate us", None, None, None, None, "table-list"],
            ["select_one agree", "speed", "Speed", None, None, None, "yes", None],
            ["select_one agree", "care", "Care", "${speed} = 'yes'", None, None, "yes", None],
            ["end group", None, None, None, None, None, None, None],
            ["select_multiple fruit", "likes", "Which fruit?", None, None, None, None, None],
            ["select_one fruit", "best", "Best?", "${speed} = 'no'", "selected(${likes}, name)",
             None, "count-selected(${likes}) > 1", None],
            ["calculate", "liked", None, None, None, "count-selected(${likes})", None, None],
        ],
        "choices": [
            ["list_name", "name", "label"],
            ["agree", "yes", "Yes"], ["agree", "no", "No"],
            ["fruit", "apple", "Apple"], ["fruit", "pear", "Pear"],
        ],
    })  # fmt: skip
    imported = read_xlsform(data, "fruit.xlsx").definition
    assert imported.question("rate").items[1].relevant.text == "${rate-speed} = 'yes'"
    best = imported.question("best")
    assert best.relevant.text == "${rate-speed} = 'no'"
    assert best.choice_filter.text == "selected(${likes}, .)"
    assert best.required_if.text == "count-selected(${likes}) > 1" and not best.required
    assert imported.question("liked").calculation.text == "count-selected(${likes})"
    again = read_xlsform(definition_to_xlsform(imported), "again.xlsx").definition
    assert forms.same(imported, again) == []
    rows = [[c.value for c in row] for row in load_workbook(
        BytesIO(definition_to_xlsform(imported)))["survey"].iter_rows()]  # fmt: skip
    header = rows[0]
    best_row = next(r for r in rows if r[1] == "best")
    assert best_row[header.index("relevant")] == "${speed} = 'no'"
    assert best_row[header.index("choice_filter")] == "selected(${likes}, name)"
