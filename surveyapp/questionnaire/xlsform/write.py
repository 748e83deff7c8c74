"""Export a definition as an XLSForm (`survey`, `choices`, `settings` sheets).

Each page is a `field-list` group; a matrix is a `table-list` group of select_one rows
on its scale's list; the introduction is a note before the first page. What XLSForm has
no column for is kept in surveyapp's own columns, which ODK ignores: `surveyapp::min_picks`,
`max_picks`, `min`, `max`, `max_length`, `max_ranks`, `randomize`, `anchor` and
`mirror` on the survey sheet (a page's `group`, `randomize` and `anchor` on its group row),
`surveyapp_other`, `_exclusive`, `_anchor` and `_na` on the choices sheet (plain names:
pyxform reads `::` there as a language or media column),
`surveyapp::audience`, `access`, `anonymous`, `scales` (the shared lists) and
`randomize_pages` on the settings sheet. read.py reads all of them back.
"""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO
from typing import Any

from openpyxl import Workbook

from surveyapp.questionnaire.model import Definition, Option, Question
from surveyapp.questionnaire.types.base import FLAGS
from surveyapp.questionnaire.types.xlsform import MATRIX_ROW, face_of
from surveyapp.questionnaire.xlsform.build import CHOICE_PREFIX

SURVEY_COLUMNS = ["type", "name", "label", "hint", "required", "appearance"]
CHOICES_COLUMNS = ["list_name", "name", "label"]


class ExportError(ValueError):
    """A definition holding a question type that has no XLSForm form."""


def definition_to_xlsform(definition: Definition) -> bytes:
    """The definition as an .xlsx XLSForm workbook."""
    lists, list_of = _lists(definition)
    survey = _survey_rows(definition, list_of)
    choices = [
        {"list_name": name, "name": o.code, "label": o.label, **_flags(o)}
        for name, options in lists.items()
        for o in options
    ]
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
    book = Workbook()
    _sheet(book, "survey", survey, SURVEY_COLUMNS)
    _sheet(book, "choices", choices, CHOICES_COLUMNS)
    _sheet(book, "settings", [settings], [])
    book.remove(book.worksheets[0])
    out = BytesIO()
    book.save(out)
    return out.getvalue()


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


def _survey_rows(definition: Definition, list_of: dict[str, str]) -> list[dict[str, str]]:
    rows = []
    if definition.introduction:
        rows.append({"type": "note", "name": "introduction", "label": definition.introduction})
    for number, page in enumerate(definition.pages, start=1):
        rows.append(
            {
                "type": "begin group",
                "name": f"page_{number}",
                "label": page.title,
                "appearance": "field-list",
                "surveyapp::group": page.group,
                "surveyapp::randomize": _yes(page.randomize),
                "surveyapp::anchor": _yes(page.anchor),
            }
        )
        for question in page.questions:
            rows.extend(_question_rows(definition, question, list_of[question.id]))
        rows.append({"type": "end group"})
    return rows


def _question_rows(definition: Definition, q: Question, list_name: str) -> list[dict[str, str]]:
    mirrors = definition.mirrors
    if q.items:
        group = {
            "type": "begin group",
            "name": q.id,
            "label": q.text,
            "hint": q.help,
            "appearance": "table-list",
            **{f"surveyapp::{key}": _cell(value) for key, value in q.settings.items()},
        }
        items = [
            {
                "type": f"{MATRIX_ROW} {list_name}",
                "name": item.code,
                "label": item.label,
                "required": _yes(q.required),
                "surveyapp::mirror": mirrors.get(f"{q.id}-{item.code}", ""),
                "surveyapp::anchor": _yes(item.anchor),
            }
            for item in q.items
        ]
        return [group, *items, {"type": "end group"}]
    face = face_of(q)
    if face is None:
        raise ExportError(f"{definition.source}: {q.id}: a {q.type} question has no XLSForm form")
    row = {
        "type": f"{face.xls_type} {list_name}".strip(),
        "name": q.id,
        "label": q.text,
        "hint": q.help,
        "required": _yes(q.required),
        "appearance": face.appearance,
        "surveyapp::mirror": mirrors.get(q.id, ""),
    }
    skip = face.setting[0] if face.setting else None
    row.update(
        {f"surveyapp::{key}": _cell(value) for key, value in q.settings.items() if key != skip}
    )
    return [row]


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
