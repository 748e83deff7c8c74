"""XLSForms written the way other tools write them (KoboToolbox's form builder, ODK's
templates, hand-made sheets), built with openpyxl; each function returns .xlsx bytes."""

from __future__ import annotations

from dataclasses import fields
from io import BytesIO

from openpyxl import Workbook

from surveyapp.questionnaire.model import Definition


def same(left: Definition, right: Definition) -> list[str]:
    """Fields (and question settings) that differ, leaving out where the text came from."""
    differ = [f.name for f in fields(Definition) if f.name not in {"version", "source", "text"}
              and getattr(left, f.name) != getattr(right, f.name)]  # fmt: skip
    differ += [q.id for q, r in zip(left.questions(), right.questions(), strict=True)
               if q.settings != r.settings]  # fmt: skip
    return differ


def workbook(sheets: dict[str, list[list]]) -> bytes:
    """An .xlsx with one sheet per entry: the first row is the header."""
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def kobo_household() -> bytes:
    """KoboToolbox style: metadata rows, `begin_group`/`end_group`, `label::English (en)`
    and `label::Français (fr)` with a default_language, true/false in `required`, its
    `$kuid`/`$autoname` bookkeeping columns, `or_other`, a version that is not a year."""
    survey = [
        ["type", "name", "label::English (en)", "label::Français (fr)", "hint::English (en)",
         "hint::Français (fr)", "required", "appearance", "$kuid", "$autoname"],
        ["start", "start", None, None, None, None, None, None, "k1", "start"],
        ["end", "end", None, None, None, None, None, None, "k2", "end"],
        ["today", "today", None, None, None, None, None, None, "k3", "today"],
        ["deviceid", "deviceid", None, None, None, None, None, None, "k4", "deviceid"],
        ["username", "username", None, None, None, None, None, None, "k5", "username"],
        ["note", "welcome", "Welcome to the household survey.", "Bienvenue.", None, None,
         None, None, "k6", "welcome"],
        ["begin_group", "household", "Your household", "Votre ménage", None, None, None,
         "field-list", "k7", "household"],
        ["integer", "members", "How many people live here?", "Combien de personnes ?",
         "Count yourself too.", "Comptez-vous aussi.", "true", None, "k8", "members"],
        ["select_one yes_no", "owns_home", "Do you own your home?", "Êtes-vous propriétaire ?",
         None, None, "true", None, "k9", "owns_home"],
        ["select_multiple crops or_other", "crops", "Which crops do you grow?",
         "Quelles cultures ?", None, None, "false", None, "k10", "crops"],
        ["end_group", None, None, None, None, None, None, None, "k11", None],
        ["decimal", "income", "Monthly income (USD)", "Revenu mensuel (USD)", None, None,
         "false", None, "k12", "income"],
        ["text", "remarks", "Anything else?", "Autre chose ?", None, None, "false",
         "multiline", "k13", "remarks"],
    ]  # fmt: skip
    choices = [
        ["list_name", "name", "label::English (en)", "label::Français (fr)", "$kuid"],
        ["yes_no", "yes", "Yes", "Oui", "c1"],
        ["yes_no", "no", "No", "Non", "c2"],
        ["crops", "maize", "Maize", "Maïs", "c3"],
        ["crops", "beans", "Beans", "Haricots", "c4"],
    ]
    settings = [
        ["form_title", "form_id", "version", "default_language"],
        ["Household survey", "household_2024", "vXJ8a3yLk2", "English (en)"],
    ]
    return workbook({"survey": survey, "choices": choices, "settings": settings})


def odk_spellings() -> bytes:
    """ODK template style with older spellings: capitalised sheet and column names,
    `select one from`, `select all that apply from`, `int`, `List Name`, required as
    yes / TRUE() / true(), a label/list-nolabel matrix in a field-list group, questions
    outside any group, a top-level group without field-list, `or specify other`."""
    survey = [
        ["Type", "Name", "Label", "Hint", "Required", "Appearance"],
        ["text", "respondent", "Your name", "As on your ID card", "yes", None],
        ["begin group", "opinions", "Opinions", None, None, "field-list"],
        ["select one from agree", "opinion_header", "Your view on...", "Tick one per row",
         None, "label"],
        ["select one from agree", "taste", "The taste", None, "TRUE()", "list-nolabel"],
        ["select one from agree", "price", "The price", None, "true()", "list-nolabel"],
        ["end group", None, None, None, None, None],
        ["begin group", "about", "About you", None, None, None],
        ["int", "age", "Your age", None, "yes", None],
        ["select one from agree or specify other", "recommend", "Would you recommend us?",
         None, None, "minimal"],
        ["select all that apply from fruit", "fruit", "Fruit you like", None, "no", None],
        ["end group", None, None, None, None, None],
        ["integer", "visits", "Visits this year", None, None, None],
    ]  # fmt: skip
    choices = [
        ["List Name", "Name", "Label"],
        ["agree", "agree", "Agree"],
        ["agree", "neutral", "Neutral"],
        ["agree", "disagree", "Disagree"],
        [None, None, None],
        ["fruit", "apple", "Apple"],
        ["fruit", "pear", "Pear"],
    ]
    settings = [["Form_Title", "Form_ID", "Version"], ["Market study", "market", 2021]]
    return workbook({"Survey": survey, "Choices": choices, "Settings": settings})


def table_list() -> bytes:
    """A table-list matrix inside a page, a dropdown, surveyapp's own columns, notes."""
    survey = [
        ["type", "name", "label", "hint", "required", "appearance", "surveyapp::min_picks",
         "SurveyApp::Max_Picks", "surveyapp::max"],
        ["begin group", "page", "Services", None, None, "field-list", None, None, None],
        ["note", "intro_note", "Answer for the last year.", None, None, None, None, None, None],
        ["begin group", "quality", "Rate our services", "One per row", None, "table-list",
         None, None, None],
        ["select_one scale", "speed", "Speed", None, "yes", None, None, None, None],
        ["select_one scale", "care", "Care", None, "yes", None, None, None, None],
        ["end group", None, None, None, None, None, None, None, None],
        ["select_multiple services", "used", "Services used", None, "yes", None, 1, 2, None],
        ["select_one country", "country", "Country", None, "yes", "minimal", None, None, None],
        ["integer", "orders", "Orders placed", None, None, None, None, None, 50],
        ["note", "closing", "Thank you!", None, None, None, None, None, None],
        ["end group", None, None, None, None, None, None, None, None],
    ]  # fmt: skip
    choices = [
        ["list_name", "name", "label"],
        ["scale", "good", "Good"], ["scale", "poor", "Poor"],
        ["services", "fill", "Fill and finish"], ["services", "qc", "Quality control"],
        ["services", "storage", "Storage"],
        ["country", "de", "Germany"], ["country", "fr", "France"],
    ]  # fmt: skip
    settings = [["form_title", "form_id", "version", "surveyapp::audience"],
                ["Service review", "review", "2019", "clients"]]  # fmt: skip
    return workbook({"survey": survey, "choices": choices, "settings": settings})


def refused() -> bytes:
    """Constructs a web survey cannot honour (logic it can: rows 8 and 9 pass but a trigger)."""
    survey = [
        ["type", "name", "label", "relevant", "constraint", "calculation", "trigger"],
        ["text", "name", "Your name", None, None, None, None],
        ["geopoint", "where", "Where are you?", None, None, None, None],
        ["begin repeat", "children", "Children", None, None, None, None],
        ["text", "child_name", "Child's name", None, None, None, None],
        ["end repeat", None, None, None, None, None, None],
        ["image", "photo", "A photo", None, None, None, None],
        ["integer", "age", "Age", "${name} != ''", ". > 0", None, "${name}"],
        ["calculate", "double", None, None, None, "${age} * 2", None],
        ["select_one_from_file towns.csv", "town", "Town", None, None, None, None],
        ["date", "born", "Date of birth", None, None, None, None],
    ]  # fmt: skip
    return workbook({"survey": survey, "settings": [["form_id"], ["refusals"]]})
