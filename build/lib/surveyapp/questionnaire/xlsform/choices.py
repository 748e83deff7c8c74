"""surveyapp's columns of the choices sheet: an option's flags, written `surveyapp_other`...
(pyxform reads `::` there as a language or media column, and keeps plain ones as data),
and its `surveyapp_relevant` (read with the logic)."""

from __future__ import annotations

from surveyapp.questionnaire.xlsform.logic import OPTION_RULE
from surveyapp.questionnaire.xlsform.workbook import Problems, Row, boolean

OPTION_FLAGS = ("other", "exclusive", "anchor", "na")
CHOICE_PREFIX = "surveyapp_"


def choice_flags(row: Row, problems: Problems) -> dict[str, str]:
    """An option's surveyapp_other, _exclusive, _anchor and _na columns (yes/no)."""
    given = row.custom() | {
        key[len(CHOICE_PREFIX) :].lower(): value
        for key, value in row.data.items()
        if key.lower().startswith(CHOICE_PREFIX) and isinstance(value, str)
    }
    found = {}
    for key, value in given.items():
        if f"{CHOICE_PREFIX}{key}" == OPTION_RULE:
            continue
        truth, column = boolean(value.strip()), f"{CHOICE_PREFIX}{key}"
        if key not in OPTION_FLAGS:
            known = ", ".join(f"{CHOICE_PREFIX}{k}" for k in OPTION_FLAGS)
            message = f"unknown; the choices sheet's own columns are {known}"
            problems.error(row.sheet, row.number, column, message)
        elif truth is None and value.strip():
            problems.error(row.sheet, row.number, column, "write yes or no")
        elif truth:
            found[key] = "true"
    return found
