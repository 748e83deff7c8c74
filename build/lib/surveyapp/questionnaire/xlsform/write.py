"""Export a definition as an XLSForm (`survey`, `choices`, `settings` sheets).

Each page is a `field-list` group; a matrix is a `table-list` group of select_one rows
on its scale's list; the introduction is a note before the first page. The logic goes in
XLSForm's own columns (`relevant`, `required`, `constraint`, `constraint_message`,
`choice_filter`, `calculation` on `calculate` rows; see logic.py for the two names that
differ). What XLSForm has no column for is kept in surveyapp's own columns, which ODK
ignores: `surveyapp::min_picks`, `max_picks`, `min`, `max`, `max_length`, `max_ranks`,
`randomize`, `anchor`, `mirror` and `screen_out` on the survey sheet (a page's `group`,
`randomize`, `anchor` and `screen_out` on its group row), `surveyapp_relevant`,
`surveyapp_other`, `_exclusive`, `_anchor` and `_na` on the choices sheet (plain names:
pyxform reads `::` there as a language or media column, and keeps the choices sheet's own
columns in the form), `surveyapp::audience`, `access`, `anonymous`, `scales` (the shared
lists) and `randomize_pages` on the settings sheet. read.py reads all of them back.
"""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO
from typing import Any

from openpyxl import Workbook

from surveyapp.questionnaire.model import Definition, Option, Page, Question, Rule
from surveyapp.questionnaire.translations import only_translations
from surveyapp.questionnaire.types import REGISTRY
from surveyapp.questionnaire.types.base import FLAGS
from surveyapp.questionnaire.types.xlsform import MATRIX_ROW, face_of
from surveyapp.questionnaire.xlsform.choices import CHOICE_PREFIX
from surveyapp.questionnaire.xlsform.languages import (
    TITLE,
    TRANSLATED_COLUMNS,
    column_name,
    join_rows,
)
from surveyapp.questionnaire.xlsform.logic import OPTION_RULE, pipes, rewrite

SURVEY_COLUMNS = ["type", "name", "label", "hint", "required", "appearance"]
CHOICES_COLUMNS = ["list_name", "name", "label"]


class ExportError(ValueError):
    """A definition holding a question type that has no XLSForm form."""


def definition_to_xlsform(definition: Definition) -> bytes:
    """The definition as an .xlsx XLSForm workbook; with several languages, each text
    column once per language (`label::Français (fr)`) and the settings' default_language."""
    if len(definition.languages) > 1:
        sheets = {
            lang: _sheets(only_translations(definition, lang)) for lang in definition.languages
        }
        default = definition.default_language
        survey, choices, settings = (
            join_rows({lang: written[n] for lang, written in sheets.items()}, default)
            for n in range(3)
        )
        settings[0]["default_language"] = column_name(default)
        for lang, (_, _, (written,)) in sheets.items():
            if lang != default and written["form_title"]:
                settings[0][f"{'::'.join(TITLE)}::{column_name(lang)}"] = written["form_title"]
    else:
        survey, choices, settings = _sheets(definition)
    book = Workbook()
    _sheet(book, "survey", survey, _header(SURVEY_COLUMNS, definition.languages))
    _sheet(book, "choices", choices, _header(CHOICES_COLUMNS, definition.languages))
    _sheet(book, "settings", settings, [])
    book.remove(book.worksheets[0])
    out = BytesIO()
    book.save(out)
    return out.getvalue()


Rows = list[dict[str, str]]


def _header(first: list[str], languages: tuple[str, ...]) -> list[str]:
    """A sheet's first columns; a text column once per language when there are several."""
    if len(languages) == 1:
        return first
    columns: list[str] = []
    for column in first:
        if column in TRANSLATED_COLUMNS:
            columns.extend(f"{column}::{column_name(lang)}" for lang in languages)
        else:
            columns.append(column)
    return columns


def _sheets(definition: Definition) -> tuple[Rows, Rows, Rows]:
    """The rows of the survey, choices and settings sheets."""
    lists, list_of = _lists(definition)
    names = xls_names(definition)
    survey = _survey_rows(definition, list_of, names)
    choices = [
        {"list_name": name, "name": o.code, "label": pipes(o.label, names),
         OPTION_RULE: _rule(o.relevant, names), **_flags(o)}
        for name, options in lists.items()
        for o in options
    ]  # fmt: skip
    settings = {
        "form_title": definition.title,
        "form_id": definition.id,
        "version": str(definition.edition),
        "surveyapp::audience": definition.audience,
        "surveyapp::scales": " ".join(definition.scales),
    }
    if definition.access != "open":
        settings["surveyapp::access"] = definition.access
    if not definition.anonymous:
        settings["surveyapp::anonymous"] = "no"
    if definition.randomize_pages:
        settings["surveyapp::randomize_pages"] = " ".join(definition.randomize_pages)
    return survey, choices, [settings]


def _flags(option: Option) -> dict[str, str]:
    return {f"{CHOICE_PREFIX}{flag}": "yes" for flag in FLAGS if getattr(option, flag)}


def _lists(definition: Definition) -> tuple[dict[str, tuple[Option, ...]], dict[str, str]]:
    """Every choice list (the scales, then one per question with its own options) and the
    list each question uses."""
    lists: dict[str, tuple[Option, ...]] = dict(definition.scales)
    list_of: dict[str, str] = {}
    for question in definition.questions():
        if question.scale or not question.options:
            list_of[question.id] = question.scale
            continue
        name, suffix = question.id, 1
        while name in lists:
            suffix += 1
            name = f"{question.id}_{suffix}"
        lists[name] = question.options
        list_of[question.id] = name
    return lists, list_of


def xls_names(definition: Definition) -> dict[str, str]:
    """{field: its row's name}: a matrix item's row is named after the item alone."""
    return {
        name: name.removeprefix(f"{q.id}-") if q.items else name
        for q in definition.questions()
        for name in REGISTRY[q.type].field_names(q)
    }


def _rule(rule: Rule | None, names: dict[str, str], choice: bool = False) -> str:
    return rewrite(rule.text, names, choice) if rule is not None else ""


def _survey_rows(
    definition: Definition, list_of: dict[str, str], names: dict[str, str]
) -> list[dict[str, str]]:
    rows = []
    if definition.introduction:
        rows.append({"type": "note", "name": "introduction", "label": definition.introduction})
    for number, page in enumerate(definition.pages, start=1):
        rows.append(_page_row(page, number, names))
        for question in page.questions:
            rows.extend(_question_rows(definition, question, list_of[question.id], names))
        rows.append({"type": "end group"})
    return rows


def _page_row(page: Page, number: int, names: dict[str, str]) -> dict[str, str]:
    return {"type": "begin group", "name": f"page_{number}", "label": page.title,
            "appearance": "field-list", "relevant": _rule(page.relevant, names),
            "surveyapp::screen_out": _rule(page.screen_out, names),
            "surveyapp::group": page.group, "surveyapp::randomize": _yes(page.randomize),
            "surveyapp::anchor": _yes(page.anchor)}  # fmt: skip


def _logic(q: Question, names: dict[str, str]) -> dict[str, str]:
    """The logic columns of a question's row (a matrix's item rows share those but
    `relevant`, which is the matrix group's)."""
    return {
        "required": _rule(q.required_if, names) or _yes(q.required),
        "constraint": _rule(q.constraint, names),
        "constraint_message": q.constraint_message,
        "required_message": q.required_message,
        "choice_filter": _rule(q.choice_filter, names, choice=True),
        "calculation": _rule(q.calculation, names),
    }


def _question_rows(
    definition: Definition, q: Question, list_name: str, names: dict[str, str]
) -> list[dict[str, str]]:
    mirrors = definition.mirrors
    if q.items:
        return _matrix_rows(q, list_name, names, mirrors)
    face = face_of(q)
    if face is None:
        raise ExportError(f"{definition.source}: {q.id}: a {q.type} question has no XLSForm form")
    row = {
        "type": f"{face.xls_type} {list_name}".strip(),
        "name": q.id,
        "label": pipes(q.text, names),
        "hint": pipes(q.help, names),
        "appearance": face.appearance,
        "relevant": _rule(q.relevant, names),
        **_logic(q, names),
        "surveyapp::screen_out": _rule(q.screen_out, names),
        "surveyapp::mirror": mirrors.get(q.id, ""),
    }
    skip = face.setting[0] if face.setting else None
    row.update(
        {f"surveyapp::{key}": _cell(value) for key, value in q.settings.items() if key != skip}
    )
    return [row]


def _matrix_rows(
    q: Question, list_name: str, names: dict[str, str], mirrors: dict[str, str]
) -> list[dict[str, str]]:
    """A table-list group of one select_one row per item."""
    group = {
        "type": "begin group",
        "name": q.id,
        "label": pipes(q.text, names),
        "hint": pipes(q.help, names),
        "appearance": "table-list",
        "relevant": _rule(q.relevant, names),
        "surveyapp::screen_out": _rule(q.screen_out, names),
        **{f"surveyapp::{key}": _cell(value) for key, value in q.settings.items()},
    }
    items = [
        {
            "type": f"{MATRIX_ROW} {list_name}",
            "name": item.code,
            "label": pipes(item.label, names),
            **_logic(q, names),
            "relevant": _rule(item.relevant, names),
            "surveyapp::mirror": mirrors.get(f"{q.id}-{item.code}", ""),
            "surveyapp::anchor": _yes(item.anchor),
        }
        for item in q.items
    ]
    return [group, *items, {"type": "end group"}]


def _yes(value: bool) -> str:
    return "yes" if value else ""


def _cell(value: Any) -> str:
    """A setting as the loader reads it back: whole numbers and decimals written plainly."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return format(Decimal(repr(value)), "f")
    return str(value)


def _sheet(book: Workbook, title: str, rows: list[dict[str, str]], first: list[str]) -> None:
    """A sheet whose header is `first`, then every other column some row fills."""
    columns = list(first)
    for row in rows:
        columns.extend(key for key, value in row.items() if value and key not in columns)
    sheet = book.create_sheet(title)
    sheet.append(columns)
    for row in rows:
        sheet.append([row.get(column, "") or None for column in columns])
        for cell in sheet[sheet.max_row]:
            if cell.data_type == "f":  # text such as "=Disagree" stays text, never a formula
                cell.data_type = "s"
    sheet.freeze_panes = "A2"
