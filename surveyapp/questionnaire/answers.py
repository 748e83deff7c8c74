"""Checking answers against a definition: a posted page, a draft or an imported row.

The question types do the checking, so a browser form, an import file and (later)
an API call are held to exactly the same rules. No Flask here.
"""

from __future__ import annotations

from collections.abc import Callable

from surveyapp.questionnaire.model import Definition, Page
from surveyapp.questionnaire.types import REGISTRY

Answers = dict[str, str | list[str]]
_counted: dict[str, list[str]] = {}


def page_fields(page: Page) -> list[str]:
    return [name for q in page.questions for name in REGISTRY[q.type].field_names(q)]


def check_pages(
    pages: list[Page], getlist: Callable[[str], list[str]]
) -> tuple[Answers, dict[str, str]]:
    """Check raw submitted values; return (clean answers, {field: error})."""
    answers: Answers = {}
    errors: dict[str, str] = {}
    for page in pages:
        for question in page.questions:
            for name, value, error in REGISTRY[question.type].check_question(question, getlist):
                if error:
                    errors[name] = error
                elif value is not None:
                    answers[name] = value
    return answers, errors


def stored_getlist(answers: Answers) -> Callable[[str], list[str]]:
    """`getlist` over stored answers: every value as a list of strings."""

    def getlist(name: str) -> list[str]:
        value = answers.get(name)
        if value is None:
            return []
        return list(value) if isinstance(value, list) else [value]

    return getlist


def check_definition(definition: Definition, answers: Answers) -> tuple[Answers, dict[str, str]]:
    """Check a whole response given as stored answers (e.g. a draft or an imported row)."""
    return check_pages(list(definition.pages), stored_getlist(answers))


def counted_fields(definition: Definition) -> list[str]:
    """The tallied fields of a definition, in order; computed once per version."""
    if definition.version not in _counted:
        _counted[definition.version] = [
            name for q in definition.questions() for name, _options in REGISTRY[q.type].tallied(q)
        ]
    return list(_counted[definition.version])
