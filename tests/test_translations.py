"""Questionnaires in several languages: texts per language in YAML and XLSForm, one
language at a time with the default's text where a translation is missing, the gaps
listed by check-definitions, and the builder keeping translations when it edits."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook

from surveyapp import SHIPPED_SURVEYS
from surveyapp.questionnaire import editing as ed
from surveyapp.questionnaire import editing_forms as ef
from surveyapp.questionnaire import yamltext
from surveyapp.questionnaire.answers import check_page
from surveyapp.questionnaire.diff import changes
from surveyapp.questionnaire.editing_texts import shown
from surveyapp.questionnaire.loader import DefinitionError, load_file, parse_definition
from surveyapp.questionnaire.model import Definition
from surveyapp.questionnaire.translations import (
    best_language,
    localized,
    missing_translations,
)
from surveyapp.questionnaire.xlsform import XLSFormError, definition_to_xlsform, read_xlsform
from surveyapp.store import builder_drafts
from tests import xlsform_fixtures as forms
from tests.adminkit import admin_client
from tests.builderkit import Builder, form_fields

LANGUAGES = Path(__file__).parent / "questionnaires" / "languages.yaml"
ONE_LANGUAGE = Path(__file__).parent / "questionnaires" / "multi_page.yaml"
MISSING = ("pages[0].questions[0].options[1].label", "fr")


def errors_of(text: str) -> list[str]:
    with pytest.raises(DefinitionError) as caught:
        parse_definition(text, "t.yaml")
    return caught.value.errors


def test_the_definition_keeps_its_default_texts_and_every_language_in_texts():
    d = load_file(LANGUAGES)
    assert (d.languages, d.default_language, d.language) == (("en", "fr"), "en", "en")
    assert d.title == "Two languages" and d.pages[0].questions[0].text.startswith("Which")
    assert d.texts[("title", "fr")] == "Deux langues"
    assert d.texts[("scales.agreement[0].label", "fr")] == "D'accord"


def test_localized_gives_every_text_in_the_language_and_keeps_codes_and_rules():
    d = load_file(LANGUAGES)
    fr = localized(d, "fr")
    colour, years = fr.pages[0].questions
    opinion = fr.pages[1].questions[0]
    assert (fr.title, fr.introduction, fr.language) == (
        "Deux langues", "Un questionnaire en anglais et en français.", "fr")  # fmt: skip
    assert [p.title for p in fr.pages] == ["À propos de vous", "Votre avis"]
    assert (colour.text, colour.help) == ("Quelle couleur préférez-vous ?", "Choisissez-en une.")
    assert years.constraint_message == "Veuillez indiquer moins de 60 ans."
    assert [o.label for o in opinion.options] == ["D'accord", "Pas d'accord"]
    assert [i.label for i in opinion.items][0] == "Les questions sont claires"
    assert fr.scales["agreement"][1].label == "Pas d'accord"
    assert (fr.id, fr.version, years.constraint) == (
        d.id,
        d.version,
        d.pages[0].questions[1].constraint,
    )
    assert [o.code for o in colour.options] == ["red", "blue"]


PAGE_ERRORS = {
    "en": ("Please choose a colour.", "Please give fewer than 60 years."),
    "fr": ("Veuillez choisir une couleur.", "Veuillez indiquer moins de 60 ans."),
}


def test_page_errors_come_in_the_language_of_the_definition_checked():
    d = load_file(LANGUAGES)
    posted = {"years": ["75"]}
    for lang in ("en", "fr"):  # English first: a plan built for it must not serve French
        checked = check_page(localized(d, lang), 1, lambda name: posted.get(name, []), {})
        assert (checked.errors["colour"], checked.errors["years"]) == PAGE_ERRORS[lang]


def test_a_missing_translation_falls_back_to_the_default_language_and_is_listed():
    d = load_file(LANGUAGES)
    assert [o.label for o in localized(d, "fr").pages[0].questions[0].options] == ["Rouge", "Blue"]
    assert missing_translations(d) == [MISSING]


def test_localized_is_built_once_per_definition_and_language():
    d = load_file(LANGUAGES)
    first = localized(d, "fr")
    assert localized(d, "fr") is first
    assert localized(d, "en") is d and localized(d, "de") is d  # undeclared: the default
    assert localized(first, "en").title == "Two languages"
    again = load_file(LANGUAGES)
    assert localized(again, "fr") is not first and localized(again, "fr") == first


BRANDING = """branding:
  organiser: {en: Test Research, fr: Recherche Test}
  thanks: {en: "Thank you: **every** answer helps.", fr: "Merci : **chaque** réponse compte."}
"""


def test_the_organiser_and_thank_you_text_are_translated_too():
    text = LANGUAGES.read_text(encoding="utf-8") + BRANDING
    d = parse_definition(text, "t.yaml")
    assert (d.branding.organiser, d.branding.thanks) == (
        "Test Research", "Thank you: **every** answer helps.")  # fmt: skip
    fr = localized(d, "fr").branding
    assert (fr.organiser, fr.thanks) == ("Recherche Test", "Merci : **chaque** réponse compte.")
    untranslated = parse_definition(text.replace(", fr: Recherche Test}", "}"), "t.yaml")
    assert ("branding.organiser", "fr") in missing_translations(untranslated)
    assert localized(untranslated, "fr").branding.organiser == "Test Research"
    doc = yamltext.load(text)
    assert shown(doc)["branding"]["thanks"] == "Thank you: **every** answer helps."
    ef.apply_settings(doc, {"branding-thanks": "Thanks!"})
    assert doc["branding"]["thanks"] == {
        "en": "Thanks!",
        "fr": "Merci : **chaque** réponse compte.",
    }


def test_a_single_language_definition_is_unchanged():
    d = load_file(ONE_LANGUAGE)
    assert (d.languages, d.default_language) == (("en",), "en")
    assert localized(d, "fr") is d and missing_translations(d) == []


def test_best_language_matches_a_region_to_its_language():
    d = load_file(LANGUAGES)
    assert best_language(d, ["de-DE", "fr-CA", "en"]) == "fr"
    assert best_language(d, ["ja"]) == "en"


TITLE = "title: {en: Two languages, fr: Deux langues}"


@pytest.mark.parametrize(
    ("old", "new", "error"),
    [
        (TITLE, "title: {en: T, es: T}", "title.es: 'es' is not one of the languages (en, fr)"),
        (TITLE, "title: {fr: T}", "title: needs a text in the default language 'en'"),
        ("default_language: en", "default_language: de", "default_language: 'de' is not one of"),
        ("[en, fr]", "[en, fr, French]", "languages[2]: 'French' is not a language code"),
        ("fr: Deux langues}", "fr: 'Deux ${nope}'}", "title.fr: pipes ${nope}, which the en text"),
    ],
)
def test_language_mistakes_are_errors_at_their_key(old, new, error):
    text = LANGUAGES.read_text(encoding="utf-8")
    assert old in text
    errors = errors_of(text.replace(old, new))
    assert any(e.startswith(f"t.yaml: {error}") for e in errors), errors


@pytest.mark.parametrize("name", ["cmo", "client"])
def test_the_shipped_questionnaires_are_complete_in_french_and_german(name):
    d = load_file(SHIPPED_SURVEYS / f"{name}.yaml")
    assert d.languages == ("en", "fr", "de") and missing_translations(d) == []
    english = [q.text for q in d.questions()]
    for lang in ("fr", "de"):
        other = localized(d, lang)
        assert [q.id for q in other.questions()] == [q.id for q in d.questions()]
        assert all(
            a != b for a, b in zip(english, [q.text for q in other.questions()], strict=True)
        )
        same = set(_labels(other)) & set(_labels(d))
        assert same <= {"Europe", "Important"}, same  # the same word in both languages


def _labels(definition: Definition) -> list[str]:
    return [o.label for q in definition.questions() for o in (*q.options, *q.items)]


@pytest.mark.parametrize("path", [LANGUAGES, SHIPPED_SURVEYS / "cmo.yaml"], ids=["test", "cmo"])
def test_an_xlsform_round_trip_keeps_every_language(path):
    original = load_file(path)
    data = definition_to_xlsform(original)
    book = load_workbook(BytesIO(data))
    header = [c.value for c in book["survey"][1]]
    assert "label::Français (fr)" in header and "label" not in header
    settings = dict(
        zip(
            [c.value for c in book["settings"][1]],
            [c.value for c in book["settings"][2]],
            strict=True,
        )
    )
    assert settings["default_language"] == "English (en)"
    assert settings["surveyapp::title::Français (fr)"] == original.texts[("title", "fr")]
    back = read_xlsform(data, "x.xlsx").definition
    assert forms.same(original, back) == [] and back.texts == original.texts
    assert missing_translations(back) == missing_translations(original)


def test_an_xlsform_with_translated_constraint_messages_imports_them():
    data = forms.workbook({
        "survey": [
            ["type", "name", "label::English (en)", "label::Français (fr)", "constraint",
             "constraint_message::English (en)", "constraint_message::Français (fr)"],
            ["integer", "age", "Your age", "Votre âge", ". < 120", "Too old", "Trop âgé"],
        ],
        "settings": [["form_id", "version", "default_language"], ["ages", "2026", "English (en)"]],
    })  # fmt: skip
    d = read_xlsform(data, "ages.xlsx").definition
    assert (d.languages, d.question("age").constraint_message) == (("en", "fr"), "Too old")
    assert localized(d, "fr").question("age").constraint_message == "Trop âgé"


def test_an_xlsform_translation_error_names_its_sheet_row_and_language_column():
    data = forms.workbook({"survey": [
        ["type", "name", "label::English (en)", "label::Français (fr)"],
        ["text", "city", "City", "Ville ${nope}"],
    ]})  # fmt: skip
    with pytest.raises(XLSFormError) as caught:
        read_xlsform(data, "cities.xlsx")
    assert caught.value.errors == [
        "cities.xlsx:survey:row 2: label::Français (fr): pipes ${nope}, which the en text does not"
    ]


def test_an_xlsform_language_without_a_code_is_left_out_with_a_warning():
    data = forms.workbook({"survey": [
        ["type", "name", "label::English (en)", "label::Klingon"],
        ["text", "city", "City", "veng"],
    ]})  # fmt: skip
    imported = read_xlsform(data, "cities.xlsx")
    assert imported.definition.languages == ("en",)
    assert any("label::Klingon: not imported: name the language" in w for w in imported.warnings)


def test_check_definitions_lists_every_missing_translation(runner):
    result = runner.invoke(args=["check-definitions", str(LANGUAGES),
                                 str(SHIPPED_SURVEYS / "cmo.yaml")])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (
        "warning: languages.yaml: pages[0].questions[0].options[1].label: no fr translation "
        "(the en text is shown)" in result.output
    )
    assert (
        result.output.count("no fr translation") == 1
        and "cmo.yaml: " not in result.output.split("ok  ")[0]
    )
    assert "ok  languages.yaml: languages edition 2026" in result.output


def test_the_builder_edits_the_default_language_and_keeps_translations():
    doc = yamltext.load((SHIPPED_SURVEYS / "cmo.yaml").read_text(encoding="utf-8"))
    assert shown(doc)["pages"][1]["questions"][0]["items"][0]["label"].startswith("Clients don't")
    items = shown(doc)["pages"][1]["questions"][0]["items"]
    form = {"text": "How often do you see these problems?", "help": "Rate every statement.",
            "items-count": str(len(items)), "shown": "scale", "scale": "commonness"}  # fmt: skip
    for n, item in enumerate(items):
        form |= {f"items-{n}-code": item["code"], f"items-{n}-label": item["label"]}
    form["items-0-label"] = "Clients communicate badly"
    ef.question_action(doc, ef.Where("question", 1, 0), form, "save")
    question = ed.question(doc, 1, 0)
    assert question["text"]["en"] == "How often do you see these problems?"
    assert question["text"]["fr"].startswith("À quelle fréquence")
    assert question["help"]["de"] == "Bitte bewerten Sie jede Aussage."
    assert question["items"][0]["label"] == {
        "en": "Clients communicate badly",
        "fr": "Les clients ne communiquent pas efficacement avec nous",
        "de": "Auftraggeber kommunizieren nicht effektiv mit uns",
    }
    ef.apply_settings(doc, {"title": "Working with clients"})
    ef.apply_outline(doc, {"page-0-title": "Your organisation"}, "save")
    assert (
        doc["title"]["de"].startswith("Zusammenarbeit")
        and doc["title"]["en"] == "Working with clients"
    )
    assert doc["pages"][0]["title"]["fr"] == "Votre organisation"
    d = parse_definition(yamltext.dump(doc), "cmo.yaml")
    assert missing_translations(d) == [] and localized(d, "fr").title.startswith("Travailler")


def test_a_translation_change_is_listed_and_not_breaking():
    text = LANGUAGES.read_text(encoding="utf-8")
    old = parse_definition(text, "a.yaml")
    new = parse_definition(text.replace("fr: Deux langues}", "fr: Deux langues (bis)}"), "a.yaml")
    found = changes(old, new)
    assert [(c.where, c.what, c.detail, c.breaking) for c in found] == [
        ("language fr", "translations changed", "1 text", False)]  # fmt: skip


def test_the_builder_pages_show_the_default_language_and_a_save_keeps_translations(app, db):
    builder = Builder(admin_client(app), "cmo")
    shown_fields = form_fields(builder.open(builder.question(1, 0)))
    assert shown_fields["text"] == "How common are these problems with your clients?"
    assert shown_fields["items-0-label"] == "Clients don't communicate with us effectively"
    assert "{'en'" not in builder.open("") and "{&#39;en&#39;" not in builder.html
    builder.press(builder.question(1, 0), text="How often do these problems happen?")
    draft = parse_definition(builder_drafts.get(db, "cmo").text, "cmo.yaml")
    assert draft.question("problems").text == "How often do these problems happen?"
    assert draft.texts[("pages[1].questions[0].text", "de")].startswith("Wie häufig")
    assert missing_translations(draft) == []


def test_a_translated_label_shared_by_two_entries_is_written_out_twice():
    label = {"en": "Agree", "fr": "D'accord"}
    text = yamltext.dump(
        {"a": [{"code": "x", "label": label}], "b": [{"code": "x", "label": label}]}
    )
    assert "&" not in text and "*" not in text and text.count("fr: D'accord") == 2
