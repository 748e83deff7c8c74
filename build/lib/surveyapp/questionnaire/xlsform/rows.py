"""Each survey-sheet row read as what it is for surveyapp: a group boundary, a question, a
note, metadata to ignore, or something refused with the reason."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from pyxform import aliases, constants
from pyxform.constants import EXTERNAL_INSTANCE_EXTENSIONS as FILE_LISTS
from pyxform.question_type_dictionary import QUESTION_TYPE_DICT
from pyxform.xls2json import RE_BEGIN_CONTROL, RE_END_CONTROL, RE_SELECT

from surveyapp.questionnaire.types.xlsform import COMPUTED
from surveyapp.questionnaire.xlsform.workbook import TRANSLATED, Row, Workbook, as_code, boolean

BEGIN, END, QUESTION, NOTE, SKIP = "begin", "end", "question", "note", "skip"
RANK = "rank"
SELECT = re.compile(RE_SELECT.pattern, re.IGNORECASE)
BEGIN_CONTROL = re.compile(RE_BEGIN_CONTROL.pattern, re.IGNORECASE)
END_CONTROL = re.compile(RE_END_CONTROL.pattern, re.IGNORECASE)
TYPES = {name.lower(): name for name in QUESTION_TYPE_DICT}
BASES = ("text", "integer", "decimal", "note")
META = {"audit", "start-geopoint"}
REFUSED_COLUMNS = {
    ("trigger",): ("trigger", "surveyapp works every calculation out again from the answers"),
}
# The logic columns: pyxform's key of the column -> the key in Entry.logic (the spec's name).
MESSAGES = ("constraint_message", "required_message")  # texts, in a language
LOGIC_COLUMNS = {
    aliases.survey_header[name]: name
    for name in ("relevant", "constraint", *MESSAGES, "calculation")
} | {("choice_filter",): "choice_filter"}
USED_COLUMNS = {
    ("type",),
    ("name",),
    ("label",),
    ("hint",),
    ("bind", "required"),
    ("control", "appearance"),
    *LOGIC_COLUMNS,
}
KNOWN_COLUMNS = {"bind", "control", "media", "instance", "default", "guidance_hint", "parameters",
                 "choice_filter", "trigger", *TRANSLATED, "type", "name"}  # fmt: skip
# The spec's names of columns pyxform files under `bind`, `control` and `media`.
SPEC_NAMES = {
    ("bind", "readonly"): "read_only",
    ("bind", "jr:noAppErrorString"): "no_app_error_string",
    ("control", "jr:count"): "repeat_count",
    **{("control", key): key for key in ("autoplay", "rows")},
    **{("media", key): key for key in ("image", "big-image", "audio", "video")},
}
CANNOT = {
    "geopoint": "a web survey cannot capture locations",
    "geotrace": "a web survey cannot capture locations",
    "geoshape": "a web survey cannot capture locations",
    "binary": "surveyapp takes no photos, recordings or file uploads",
    "barcode": "a web survey cannot scan barcodes",
    "date": "surveyapp has no date or time question",
    "time": "surveyapp has no date or time question",
    "dateTime": "surveyapp has no date or time question",
}


class Refused(Exception):
    """A row surveyapp cannot honour; the message says why."""


@dataclass
class Entry:
    row: Row
    kind: str
    name: str = ""
    label: str = ""
    hint: str = ""
    appearances: frozenset[str] = frozenset()
    xls_type: str = ""
    list_name: str = ""
    or_other: bool = False
    required: bool | str = False  # yes/no, or the expression that decides it
    control: str = ""
    custom: dict[str, str] = field(default_factory=dict)
    logic: dict[str, str] = field(default_factory=dict)  # relevant, constraint, ... as written

    @property
    def number(self) -> int:
        return self.row.number


def parse_type(text: str) -> Entry:
    """The kind of a row from its type cell, every alias pyxform knows understood."""
    row = Row(constants.SURVEY, 0, {})
    if match := BEGIN_CONTROL.search(text):
        return Entry(row, BEGIN, control=aliases.control[match["type"].lower()])
    if match := END_CONTROL.search(text):
        return Entry(row, END, control=aliases.control[match["type"].lower()])
    if match := SELECT.search(text):
        return _select(row, match)
    name = TYPES.get(text.lower())
    if name is None:
        raise Refused(f"unknown question type {text!r}")
    spec = QUESTION_TYPE_DICT[name]
    if "jr:preload" in spec.get("bind", {}) or name in META:
        return Entry(row, SKIP)
    for base in BASES:
        if spec == QUESTION_TYPE_DICT[base]:
            return Entry(row, NOTE if base == "note" else QUESTION, xls_type=base)
    if spec == QUESTION_TYPE_DICT[COMPUTED]:
        return Entry(row, QUESTION, xls_type=COMPUTED)
    reason = CANNOT.get(spec.get("bind", {}).get("type", ""), "surveyapp has no such question")
    raise Refused(f"{text!r} questions are refused: {reason}")


def _select(row: Row, match: re.Match) -> Entry:
    command, list_name = match["select_command"].lower(), match["list_name"]
    kind = aliases.select[command]
    if command in aliases.select_from_file or os.path.splitext(list_name)[1] in FILE_LISTS:
        raise Refused("choices from a file are refused: give them in the choices sheet")
    if kind not in (constants.SELECT_ONE, constants.SELECT_ALL_THAT_APPLY, RANK):
        raise Refused(f"{command!r} questions are refused: surveyapp has no such question")
    if kind == RANK and match["specify_other"]:
        raise Refused("rank ... or_other is refused: a ranking has no 'please specify' text")
    xls_type = {constants.SELECT_ONE: "select_one", RANK: RANK}.get(kind, "select_multiple")
    return Entry(
        row, QUESTION, xls_type=xls_type, list_name=list_name, or_other=bool(match["specify_other"])
    )


class Classifier:
    """Reads survey rows into entries, reporting each refused row and column."""

    def __init__(self, workbook: Workbook):
        self.workbook = workbook
        self.problems = workbook.problems
        self.ignored: dict[str, list[int]] = {}

    def entry(self, row: Row) -> Entry | None:
        text = row.plain("type").strip()
        if not text:
            if row.data.get("name") or row.data.get("label"):
                self.problems.error(row.sheet, row.number, "type", "missing")
            return None
        self._columns(row)
        try:
            entry = parse_type(text)
        except Refused as exc:
            self.problems.error(row.sheet, row.number, "type", str(exc))
            return None
        entry.row = row
        if entry.kind in (QUESTION, NOTE, BEGIN):
            self._describe(entry)
        return entry

    def _describe(self, entry: Entry) -> None:
        row = entry.row
        entry.name = as_code(row.plain("name").strip())
        entry.label = self.workbook.text(row, "label")
        entry.hint = self.workbook.text(row, "hint")
        entry.appearances = frozenset(row.nested("control", "appearance").split())
        entry.custom = row.custom()
        entry.required = self._required(row)
        entry.logic = self._logic(row)
        if entry.kind == QUESTION and not entry.name:
            self.problems.error(row.sheet, row.number, "name", "missing")
        if entry.kind == QUESTION and not entry.label and entry.xls_type != COMPUTED:
            self.problems.error(row.sheet, row.number, "label", "missing (a question needs text)")
        if entry.name != row.plain("name").strip():
            self.problems.warn(
                row.sheet,
                row.number,
                "name",
                f"{row.plain('name')!r} became {entry.name!r}: surveyapp "
                "ids hold only letters, digits and _",
            )

    def _logic(self, row: Row) -> dict[str, str]:
        """The logic cells as written; a message in the chosen language."""
        found = {}
        for column, key in LOGIC_COLUMNS.items():
            value = _cell(row, column)
            text = self.workbook.choose(row, key, value) if key in MESSAGES else value.strip()
            if text:
                found[key] = text
        return found

    def _required(self, row: Row) -> bool | str:
        """yes/no as a truth; anything else is an expression (the loader checks it)."""
        value = row.nested("bind", "required").strip()
        if not value:
            return False
        known = boolean(value)
        return value if known is None else known

    def _columns(self, row: Row) -> None:
        for column in _leaf_columns(row):
            if column in REFUSED_COLUMNS:
                name, reason = REFUSED_COLUMNS[column]
                self.problems.error(row.sheet, row.number, name, f"refused: {reason}")
            elif column not in USED_COLUMNS:
                name = SPEC_NAMES.get(column, "::".join(column))
                self.ignored.setdefault(name, []).append(row.number)

    def report_ignored(self) -> None:
        for column, numbers in self.ignored.items():
            rows = ", ".join(str(n) for n in numbers)
            self.problems.warn(
                constants.SURVEY, 1, column, f"ignored (rows {rows}): surveyapp cannot honour it"
            )


def _cell(row: Row, column: tuple[str, ...]) -> str:
    return row.nested(*column) if len(column) == 2 else row.plain(column[0])


def _leaf_columns(row: Row) -> list[tuple[str, ...]]:
    """The pyxform columns a row fills (unknown columns, e.g. KoboToolbox's `$kuid`, and
    surveyapp's own are left out)."""
    found = []
    for key, value in row.data.items():
        if key not in KNOWN_COLUMNS:
            continue
        if isinstance(value, dict) and key not in TRANSLATED:
            found.extend((key, sub) for sub, text in value.items() if text)
        elif value:
            found.append((key,))
    return found
