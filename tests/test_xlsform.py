"""XLSForm import (pyxform's workbook parser, then the normal loader) and export (openpyxl):
the shipped questionnaires round-trip to identical definitions, forms written by other
tools import, and what surveyapp cannot honour is refused whole, row by row."""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pyxform.xls2xform import convert

from surveyapp import SHIPPED_SURVEYS
from surveyapp.questionnaire.loader import load_file, parse_definition
from surveyapp.questionnaire.translations import localized
from surveyapp.questionnaire.xlsform import (
    XLSFormError,
    definition_to_xlsform,
    read_xlsform,
)
from tests import xlsform_fixtures as forms

HERE = Path(__file__).parent
ERROR_FORMAT = re.compile(r"^[^:]+\.xlsx:(survey|choices|settings):row \d+: [^:]+: .+$")
EVERY_DEFINITION = sorted(
    [*SHIPPED_SURVEYS.glob("*.yaml"), *HERE.glob("*questionnaires/*.yaml")], key=str
)


def errors_of(data: bytes, filename: str) -> list[str]:
    with pytest.raises(XLSFormError) as caught:
        read_xlsform(data, filename)
    return caught.value.errors


@pytest.mark.parametrize("name", ["cmo", "client"])
def test_the_shipped_questionnaires_round_trip_to_identical_definitions(name):
    original = load_file(SHIPPED_SURVEYS / f"{name}.yaml")
    imported = read_xlsform(definition_to_xlsform(original), f"{name}.xlsx")
    assert forms.same(original, imported.definition) == []
    assert imported.definition.mirrors == original.mirrors and original.mirrors
    assert imported.definition.scales == original.scales
    assert parse_definition(imported.text, f"{name}.yaml").pages == original.pages


@pytest.mark.parametrize("path", EVERY_DEFINITION, ids=lambda p: p.stem)
def test_every_test_questionnaire_round_trips(path):
    """Every question type and key in the registry, access and anonymous settings too."""
    original = load_file(path)
    assert (
        forms.same(original, read_xlsform(definition_to_xlsform(original), "x.xlsx").definition)
        == []
    )


def test_the_export_is_an_xlsform_odk_converts():
    for path in EVERY_DEFINITION:
        result = convert(xlsform=definition_to_xlsform(load_file(path)), file_type=".xlsx",
                         validate=False)  # fmt: skip
        assert result.warnings == [], path
        assert "<h:html" in result.xform


def test_the_export_writes_the_spec_sheets_and_surveyapp_columns():
    book = load_workbook(BytesIO(definition_to_xlsform(
        load_file(HERE / "questionnaires" / "multiple_choice.yaml"))))  # fmt: skip
    assert book.sheetnames == ["survey", "choices", "settings"]
    header = [c.value for c in book["survey"][1]]
    assert header[:6] == ["type", "name", "label", "hint", "required", "appearance"]
    assert {"surveyapp::min_picks", "surveyapp::max_picks"} <= set(header)
    settings = {c.value for c in book["settings"][1]}
    assert {"form_title", "form_id", "version", "surveyapp::audience"} <= settings


def test_a_formula_like_label_is_exported_as_text():
    definition = load_file(HERE / "admin_questionnaires" / "pets-2024.yaml")
    book = load_workbook(BytesIO(definition_to_xlsform(definition)))
    labels = [row[2].value for row in book["choices"].iter_rows(min_row=2)]
    assert "=Disagree (formula-like label)" in labels
    assert all(row[2].data_type == "s" for row in book["choices"].iter_rows(min_row=2))


def test_a_kobotoolbox_form_imports_in_its_default_language():
    imported = read_xlsform(forms.kobo_household(), "household.xlsx", edition=2024)
    d = imported.definition
    assert (d.id, d.title, d.edition) == ("household_2024", "Household survey", 2024)
    assert d.introduction == "Welcome to the household survey."
    assert [p.title for p in d.pages] == [
        "Your household",
        "Monthly income (USD)",
        "Anything else?",
    ]
    members, owns, crops = d.pages[0].questions
    assert (members.type, members.settings["integer"], members.required) == ("number", True, True)
    assert members.help == "Count yourself too."
    assert (owns.type, owns.required, [o.label for o in owns.options]) == (
        "single_choice", True, ["Yes", "No"])  # fmt: skip
    assert [(o.code, o.other) for o in crops.options] == [
        ("maize", False), ("beans", False), ("other", True)]  # fmt: skip
    assert (crops.type, crops.required) == ("multiple_choice", False)
    income, remarks = d.pages[1].questions[0], d.pages[2].questions[0]
    assert (income.type, income.settings["integer"]) == ("number", False)
    assert remarks.type == "long_text"
    assert not any(q.id in {"start", "end", "today", "deviceid", "username"} for q in d.questions())
    assert (d.languages, d.default_language) == (("en", "fr"), "en")
    assert localized(d, "fr").pages[0].questions[0].help == "Comptez-vous aussi."
    warnings = "\n".join(imported.warnings)
    assert "label::Français (fr)" not in warnings
    assert "household.xlsx:settings:row 2: version: 'vXJ8a3yLk2' is not a year" in warnings
    assert "$kuid" not in warnings


def test_an_odk_form_with_older_spellings_imports():
    d = read_xlsform(forms.odk_spellings(), "market.xlsx").definition
    assert (d.id, d.title, d.edition) == ("market", "Market study", 2021)
    assert [p.title for p in d.pages] == ["Your name", "Opinions", "About you", "Visits this year"]
    respondent, matrix = d.pages[0].questions[0], d.pages[1].questions[0]
    assert (respondent.type, respondent.required, respondent.help) == (
        "short_text", True, "As on your ID card")  # fmt: skip
    assert (matrix.type, matrix.id, matrix.scale, matrix.required) == (
        "rating_matrix", "opinion_header", "agree", True)  # fmt: skip
    assert [(i.code, i.label) for i in matrix.items] == [
        ("taste", "The taste"),
        ("price", "The price"),
    ]
    age, recommend, fruit = d.pages[2].questions
    assert (age.type, age.settings["integer"], age.required) == ("number", True, True)
    assert recommend.type == "dropdown" and recommend.options[-1].code == "other"
    assert recommend.scale == "" and recommend.options[-1].other
    assert (fruit.type, fruit.required) == ("multiple_choice", False)
    assert d.scales["agree"][0].label == "Agree"


def test_a_table_list_matrix_surveyapp_columns_and_notes_import():
    imported = read_xlsform(forms.table_list(), "review.xlsx")
    d = imported.definition
    assert (d.audience, d.edition, d.introduction) == ("clients", 2019, "Answer for the last year.")
    matrix, used, country, orders = d.pages[0].questions
    assert (matrix.type, matrix.id, matrix.text, matrix.help) == (
        "rating_matrix", "quality", "Rate our services", "One per row")  # fmt: skip
    assert [i.code for i in matrix.items] == ["speed", "care"]
    assert (used.settings["min_picks"], used.settings["max_picks"]) == (1, 2)
    assert country.type == "dropdown"
    assert (orders.settings["max"], orders.help) == (50, "Thank you!")
    assert (
        "review.xlsx:survey:row 11: type: note shown as the help of 'orders'" in imported.warnings
    )


def test_languages_without_a_default_take_the_first_label_column():
    data = forms.workbook({"survey": [
        ["type", "name", "label::Deutsch (de)", "label::English (en)"],
        ["text", "city", "Stadt", "City"],
    ]})  # fmt: skip
    imported = read_xlsform(data, "cities.xlsx")
    assert imported.definition.question("city").text == "Stadt"
    assert imported.definition.languages == ("de", "en")
    assert localized(imported.definition, "en").question("city").text == "City"


def test_a_geopoint_and_a_repeat_are_refused_whole_with_every_row_named():
    errors = errors_of(forms.refused(), "refused.xlsx")
    assert errors == [
        "refused.xlsx:survey:row 3: type: 'geopoint' questions are refused: a web survey "
        "cannot capture locations",
        "refused.xlsx:survey:row 4: type: begin repeat is refused: a web survey page cannot "
        "add copies of its questions",
        "refused.xlsx:survey:row 7: type: 'image' questions are refused: surveyapp takes no "
        "photos, recordings or file uploads",
        "refused.xlsx:survey:row 8: trigger: refused: surveyapp works every calculation out "
        "again from the answers",
        "refused.xlsx:survey:row 10: type: choices from a file are refused: give them in the "
        "choices sheet",
        "refused.xlsx:survey:row 11: type: 'date' questions are refused: surveyapp has no date "
        "or time question",
    ]


def test_loader_errors_come_back_at_their_row_and_column():
    data = forms.workbook({
        "survey": [
            ["type", "name", "label", "surveyapp::min_picks", "surveyapp::mirror"],
            ["begin group", "a", "A", None, None],
            ["text", "q", "Q", None, None],
            ["end group", None, None, None, None],
            ["text", "q", "Q again", None, None],
            ["select_multiple l", "m", "M", "many", None],
            ["select_one missing", "n", "N", None, None],
            ["integer", "num", "Num", None, "nowhere"],
            ["text", "t", None, None, None],
            ["end group", None, None, None, None],
        ],
        "choices": [["list_name", "name", "label"], ["l", "a", "A"], ["l", "a", "A2"],
                    ["l", "b c", "B"]],
        "settings": [["form_id", "surveyapp::anonymous", "surveyapp::colour"],
                     ["bad", "maybe", "red"]],
    })  # fmt: skip
    assert errors_of(data, "bad.xlsx") == [
        "bad.xlsx:survey:row 5: name: duplicate question id 'q'",
        "bad.xlsx:survey:row 6: surveyapp::min_picks: must be a whole number >= 0",
        "bad.xlsx:survey:row 7: type: list 'missing' is not in the choices sheet",
        "bad.xlsx:survey:row 8: surveyapp::mirror: 'nowhere' must look like '<survey>:<field>'",
        "bad.xlsx:survey:row 9: label: missing (a question needs text)",
        "bad.xlsx:survey:row 10: type: end group without a matching begin group",
        "bad.xlsx:choices:row 3: name: duplicate code 'a'",
        "bad.xlsx:choices:row 4: name: 'b c' may hold only letters, digits, _",
        "bad.xlsx:settings:row 2: surveyapp::colour: unknown; surveyapp's settings columns are "
        "surveyapp::audience, surveyapp::access, surveyapp::anonymous, surveyapp::scales, "
        "surveyapp::randomize_pages",
        "bad.xlsx:settings:row 2: surveyapp::anonymous: must be true or false, not 'maybe'",
    ]


def test_every_error_has_the_file_sheet_row_column_form():
    only_a_note = forms.workbook({"survey": [["type", "name", "label"], ["note", "n", "Hi"]]})
    for data in (forms.refused(), only_a_note):
        errors = errors_of(data, "form.xlsx")
        assert errors and all(ERROR_FORMAT.match(e) for e in errors), errors


def test_xlsform_names_with_dashes_and_dots_become_codes_with_a_warning():
    data = forms.workbook({"survey": [["type", "name", "label"], ["text", "first-name", "First"],
                                      ["text", "last.name", "Last"]]})  # fmt: skip
    imported = read_xlsform(data, "names.xlsx")
    assert [q.id for q in imported.definition.questions()] == ["first_name", "last_name"]
    assert ("names.xlsx:survey:row 2: name: 'first-name' became 'first_name': surveyapp ids "
            "hold only letters, digits and _") in imported.warnings  # fmt: skip


def test_a_form_id_comes_from_the_file_name_when_the_settings_have_none():
    data = forms.workbook({"survey": [["type", "name", "label"], ["text", "a", "A"]]})
    d = read_xlsform(data, "Staff survey.xlsx", edition=2030).definition
    assert (d.id, d.title, d.edition) == ("Staff_survey", "Staff_survey", 2030)


def test_a_file_that_is_not_a_workbook_is_refused_clearly():
    errors = errors_of(b"id: not a workbook\n", "upload.xlsx")
    assert len(errors) == 1 and errors[0].startswith("upload.xlsx: not a readable XLSForm workbook")


def test_cosmetic_columns_are_ignored_with_a_warning_and_a_required_message_kept():
    data = forms.workbook({"survey": [
        ["type", "name", "label", "default", "guidance_hint", "image", "required_message"],
        ["integer", "b", "B", "3", "Ask twice", "b.png", "Needed"],
        ["text", "c", "C", None, None, None, "Needed"],
    ]})  # fmt: skip
    imported = read_xlsform(data, "cosmetic.xlsx")
    assert imported.warnings == [
        f"cosmetic.xlsx:survey:row 1: {column}: ignored (rows {rows}): surveyapp cannot honour it"
        for column, rows in (("default", "2"), ("guidance_hint", "2"), ("image", "2"))
    ]  # fmt: skip
    assert imported.definition.question("c").required_message == "Needed"


def test_a_required_condition_imports_and_a_later_answer_piped_is_named_at_its_cell():
    data = forms.workbook({"survey": [
        ["type", "name", "label", "required"],
        ["text", "a", "Hello ${b}", None],
        ["integer", "b", "B", "${a} != ''"],
    ]})  # fmt: skip
    errors = errors_of(data, "logic.xlsx")
    assert errors == [
        "logic.xlsx:survey:row 2: label: ${b} is answered on this page or later: piping shows "
        "answers from earlier pages"
    ]
