"""The two marks a stored response's answers may carry besides its fields.

Field names hold only letters, digits, `_` and `-`, so a key starting with `~` is never a
field. A response whose definition hid nothing and that was not screened out carries
neither, so its stored answers are exactly what they were before logic existed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# The fields (questions, matrix items, calculations) the respondent was not shown, in
# definition order: stored as "not shown", which differs from "shown, left blank".
NOT_SHOWN = "~not_shown"
# True when a screen_out rule ended the questionnaire: not a completed response.
SCREENED_OUT = "~screened_out"
MARKS = frozenset({NOT_SHOWN, SCREENED_OUT})
COMPLETED, SCREENED = "completed", "screened_out"


def not_shown(answers: Mapping[str, Any]) -> list[str]:
    hidden = answers.get(NOT_SHOWN)
    return [str(name) for name in hidden] if isinstance(hidden, list) else []


def status(answers: Mapping[str, Any]) -> str:
    """`completed` or `screened_out`: what the responses table's status column holds."""
    return SCREENED if answers.get(SCREENED_OUT) is True else COMPLETED


def fields_only(answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers without the marks."""
    return {name: value for name, value in answers.items() if name not in MARKS}
