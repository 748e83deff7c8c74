"""An XLSForm workbook read by pyxform's own parser: its sheets, with every column alias,
spelling and case pyxform accepts folded to one name, and the labels of one language."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from io import BytesIO
from typing import Any

from pyxform import aliases, constants
from pyxform.errors import PyXFormError
from pyxform.parsing.sheet_headers import dealias_and_group_headers, to_snake_case
from pyxform.question import MultipleChoiceQuestion
from pyxform.question import Option as PyxformOption
from pyxform.survey import Survey
from pyxform.xls2json_backends import xlsx_to_dict

from surveyapp.questionnaire.xlsform.languages import code_of

CUSTOM = "surveyapp"  # the prefix of surveyapp's own columns: `surveyapp::min_picks`
TRANSLATED = ("label", "hint")
# Where pyxform files constraint_message and required_message.
MESSAGES = (("bind", "jr:constraintMsg"), ("bind", "jr:requiredMsg"))
SETTINGS_ROW = 2
SHEETS = (constants.SURVEY, constants.CHOICES, constants.SETTINGS)
# yes/no cells as pyxform reads a `required` cell (yes, TRUE, true(), No...); XPath's
# true() and false() are also accepted in any case.
BOOLEANS = {text: xpath == "true()" for text, xpath in aliases.BINDING_CONVERSIONS.items()}


def boolean(text: str) -> bool | None:
    """The truth a yes/no cell says; None when it says something else."""
    if text in BOOLEANS:
        return BOOLEANS[text]
    return {"true()": True, "false()": False}.get(text.lower())


class Problems:
    """Every error and warning of one import, as `FILE:sheet:row N: column: problem`,
    listed in sheet and row order."""

    def __init__(self, filename: str):
        self.filename = filename
        self._errors: list[tuple[int, int, str, str]] = []
        self._warnings: list[tuple[int, int, str, str]] = []

    def at(self, sheet: str, row: int, column: str, message: str) -> str:
        return f"{self.filename}:{sheet}:row {row}: {column}: {message}"

    def error(self, sheet: str, row: int, column: str, message: str) -> None:
        self._errors.append(
            (SHEETS.index(sheet), row, column, self.at(sheet, row, column, message))
        )

    def warn(self, sheet: str, row: int, column: str, message: str) -> None:
        self._warnings.append(
            (SHEETS.index(sheet), row, column, self.at(sheet, row, column, message))
        )

    def fail(self, message: str) -> None:
        """A problem of the whole file."""
        self._errors.append((-1, 0, "", f"{self.filename}: {message}"))

    def has_error(self, sheet: str, row: int, column: str) -> bool:
        return any(e[:3] == (SHEETS.index(sheet), row, column) for e in self._errors)

    @property
    def errors(self) -> list[str]:
        return [entry[3] for entry in sorted(self._errors, key=lambda e: e[:2])]

    @property
    def warnings(self) -> list[str]:
        return [entry[3] for entry in sorted(self._warnings, key=lambda e: e[:2])]


@dataclass
class Row:
    """One spreadsheet row (header = row 1) as pyxform groups it: `bind`, `control`... ."""

    sheet: str
    number: int
    data: dict[str, Any]

    def plain(self, key: str) -> str:
        value = self.data.get(key)
        return value if isinstance(value, str) else ""

    def nested(self, group: str, key: str) -> str:
        value = self.data.get(group)
        return value.get(key, "") if isinstance(value, dict) else ""

    def custom(self) -> dict[str, str]:
        """surveyapp's own columns, by lower-case snake name, whatever case was written."""
        found: dict[str, str] = {}
        for key, value in self.data.items():
            if key.lower() == CUSTOM and isinstance(value, dict):
                found.update({to_snake_case(k): v for k, v in value.items() if isinstance(v, str)})
        return found


@dataclass
class Workbook:
    survey: list[Row]
    choices: list[Row]
    settings: Row
    language: str  # as the columns name it: `Français (fr)`, or pyxform's `default`
    problems: Problems
    # The other languages the texts are read in, {column name: code}; the default's code.
    others: dict[str, str] = field(default_factory=dict)
    code: str = "en"
    # Reading another language than the default: a text it lacks is "" (no fallback).
    strict: bool = False

    def text(self, row: Row, key: str) -> str:
        """A label or hint in the chosen language (another language's when it has none)."""
        return self.choose(row, key, row.data.get(key))

    def choose(self, row: Row, key: str, value: Any) -> str:
        """The chosen language's text of a cell that may hold one text per language."""
        if isinstance(value, str) or value is None:
            return "" if self.strict else (value or "").strip()
        if value.get(self.language) or self.strict:
            return str(value.get(self.language) or "").strip()
        other = next((lang for lang, text in value.items() if text), None)
        if other is None:
            return ""
        self.problems.warn(
            row.sheet, row.number, f"{key}::{self.language}", f"empty; the {other} text was taken"
        )
        return str(value[other]).strip()

    def in_language(self, name: str) -> Workbook:
        """The same workbook read in another of its languages; problems go nowhere."""
        return replace(self, language=name, strict=True, problems=Problems(self.problems.filename))


def read_workbook(data: bytes, problems: Problems) -> Workbook | None:
    """The workbook's sheets, or None (with the reason in `problems`) when it is unreadable."""
    try:
        book = xlsx_to_dict(BytesIO(data))
    except PyXFormError as exc:
        problems.fail(f"not a readable XLSForm workbook: {exc}")
        return None
    except Exception as exc:  # noqa: BLE001 - any malformed upload must become a clear error
        problems.fail(f"not a readable .xlsx workbook: {exc}")
        return None
    if not book.get(f"{constants.SURVEY}_header"):
        problems.error(constants.SURVEY, 1, "sheet", "the workbook has no survey sheet")
        return None
    try:
        return _sheets(book, problems)
    except PyXFormError as exc:
        problems.fail(str(exc))
        return None


def _sheet(book: dict, name: str, aliases_: dict, columns: set[str], **options) -> list[Row]:
    rows = book.get(name) or []
    grouped = dealias_and_group_headers(
        sheet_name=name,
        sheet_data=rows,
        sheet_header=book.get(f"{name}_header") or [],
        header_aliases=aliases_,
        header_columns=columns,
        **options,
    )
    return [Row(name, number, data) for number, data in enumerate(grouped.data, start=2)]


def _sheets(book: dict, problems: Problems) -> Workbook:
    settings_rows = _sheet(
        book, constants.SETTINGS, aliases.settings_header, set(Survey.get_slot_names())
    )
    settings = settings_rows[0] if settings_rows else Row(constants.SETTINGS, SETTINGS_ROW, {})
    default = settings.plain(constants.DEFAULT_LANGUAGE_KEY) or constants.DEFAULT_LANGUAGE_VALUE
    clean = boolean(settings.plain("clean_text_values") or "yes") is not False
    sheets = {
        name: _sheet(book, name, header, set(kind.get_slot_names()), default_language=default,
                     **extra)
        for name, header, kind, extra in (
            (constants.CHOICES, aliases.list_header, PyxformOption, {}),
            (constants.SURVEY, aliases.survey_header, MultipleChoiceQuestion,
             {"strip_whitespace": clean}),
        )
    }  # fmt: skip
    choices, survey = sheets[constants.CHOICES], sheets[constants.SURVEY]
    languages = _languages(survey + choices, default)
    language = default if default in languages or not languages else languages[0]
    others: dict[str, str] = {}
    for name in languages:
        code = code_of(name)
        if name != language and code is None:
            problems.warn(constants.SURVEY, 1, f"label::{name}", "not imported: name the "
                          "language with its code, e.g. label::Français (fr)")  # fmt: skip
        elif name != language:
            others[name] = code
    code = code_of(language) or code_of(default) or "en"
    others = {name: other for name, other in others.items() if other != code}
    return Workbook(survey, choices, settings, language, problems, others, code)


def _languages(rows: list[Row], default: str) -> list[str]:
    """Languages of the label, hint, constraint_message and required_message columns, in
    column order (plain = the default)."""
    found: dict[str, None] = {}
    for row in rows:
        texts = [row.data.get(key) for key in TRANSLATED] + [
            row.nested(*m) or None for m in MESSAGES
        ]
        for value in texts:
            if isinstance(value, dict):
                found.update(dict.fromkeys(value))
            elif isinstance(value, str):
                found[default] = None
    return list(found)


NAME_SEPARATORS = re.compile(r"[-.]")


def as_code(name: str) -> str:
    """An XLSForm name as a surveyapp code: `-` and `.` (allowed in XLSForm names) become `_`."""
    return NAME_SEPARATORS.sub("_", name)
