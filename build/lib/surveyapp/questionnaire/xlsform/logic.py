"""Expressions between XLSForm and surveyapp. The language is the same (ODK's); two names
differ. A matrix item is the field `${question-item}` in surveyapp and the row `${item}`
in an XLSForm; in a choice_filter the choice being filtered is `.` in surveyapp and `name`
(the choices sheet's column) in an XLSForm, where ODK evaluates the filter once per choice.
Quoted strings are copied as they are; a text that is no expression at all is left for the
loader to report."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from surveyapp.questionnaire.rules import PIPE

if TYPE_CHECKING:
    from surveyapp.questionnaire.xlsform.rows import Entry

# A quoted string, a reference, a name (XPath names may hold . and -), a number, a lone
# dot, or any other character.
TOKEN = re.compile(
    r"""'[^']*'|"[^"]*"|\$\{([^}]*)\}|([A-Za-z_][A-Za-z0-9_.-]*)|[0-9]+\.?[0-9]*|\.[0-9]+|(\.)|.""",
    re.DOTALL,
)
CHOICE = "name"  # what ODK calls the choice in a choice_filter
OPTION_RULE = "surveyapp_relevant"  # the choices sheet's column of an option's `relevant`


def rewrite(text: str, names: Mapping[str, str], choice: bool = False, export: bool = True) -> str:
    """`text` with every `${a}` renamed by `names`; in a choice filter (`choice`), `.`
    becomes `name` on export and a bare `name` becomes `.` on import."""
    out = []
    for match in TOKEN.finditer(text):
        ref, word, dot = match.group(1), match.group(2), match.group(3)
        if ref is not None:
            out.append("${" + names.get(ref, ref) + "}")
        elif choice and export and dot:
            out.append(CHOICE)
        elif choice and not export and word == CHOICE and not _called(text, match.end()):
            out.append(".")
        else:
            out.append(match.group(0))
    return "".join(out)


def _called(text: str, end: int) -> bool:
    """Whether the name ending at `end` is a function's (a "(" follows)."""
    return text[end:].lstrip(" \t\r\n").startswith("(")


def pipes(text: str, names: Mapping[str, str]) -> str:
    """A question text or label with each `${a}` renamed by `names`."""
    return PIPE.sub(lambda match: "${" + names.get(match[1], match[1]) + "}", text)


RULES = ("relevant", "constraint", "calculation", "screen_out")


def translate(raw: dict[str, Any], names: Mapping[str, str]) -> None:
    """Rename the references of an imported definition's rules and texts (in place) from
    the rows' names to surveyapp's fields."""
    for page in raw.get("pages", []):
        _rules(page, names)
        for question in page["questions"]:
            _rules(question, names)
            if question.get("required") not in (None, "true", "false"):
                question["required"] = rewrite(question["required"], names, export=False)
            if "choice_filter" in question:
                question["choice_filter"] = rewrite(
                    question["choice_filter"], names, choice=True, export=False
                )
            for key in ("text", "help"):
                if key in question:
                    question[key] = pipes(question[key], names)
            for option in (*question.get("options", ()), *question.get("items", ())):
                _rules(option, names)
                option["label"] = pipes(option["label"], names)


def _rules(raw: dict[str, Any], names: Mapping[str, str]) -> None:
    for key in RULES:
        if key in raw:
            raw[key] = rewrite(raw[key], names, export=False)


LOGIC_KEYS = ("relevant", "constraint", "constraint_message", "required_message",
              "choice_filter", "calculation")  # fmt: skip


def rule_cells(entry: Entry, keys: tuple[str, ...], custom: tuple[str, ...] = ()) -> dict[str, str]:
    """The logic cells of a row that are filled (`custom`: surveyapp's own columns)."""
    found = {key: entry.logic[key] for key in keys if entry.logic.get(key)}
    found.update({key: entry.custom[key].strip() for key in custom if entry.custom.get(key)})
    return found


def required_cell(value: bool | str) -> str:
    """A `required` cell as the loader reads it: true/false or the expression."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def shared_required(rows: list[Entry], problems: Any) -> bool | str:
    """A matrix's `required`: the rows' (all alike), else required when any row is."""
    values = [row.required for row in rows]
    if all(value == values[0] for value in values):
        return values[0]
    head = rows[0].row
    problems.warn(head.sheet, head.number, "required", "the matrix rows differ: all are required")
    return True
