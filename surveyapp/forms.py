"""WTForms classes generated from definitions, one per page, cached per version.

WTForms renders the fields and Flask-WTF checks the CSRF token; the answers
themselves are checked by the question types, so a browser form and an import
file are held to exactly the same rules.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import HiddenField

from surveyapp.model import Definition, Page
from surveyapp.question_types import REGISTRY

Answers = dict[str, str | list[str]]
_form_classes: dict[tuple[str, int], type[FlaskForm]] = {}
_counted: dict[str, list[str]] = {}


class PageForm(FlaskForm):
    submission_key = HiddenField()


def page_form_class(definition: Definition, page_number: int) -> type[FlaskForm]:
    """The form class of one page (1-based); built once per definition version."""
    cache_key = (definition.version, page_number)
    if cache_key not in _form_classes:
        page = definition.pages[page_number - 1]
        fields: dict[str, Any] = {}
        for question in page.questions:
            qtype = REGISTRY[question.type]
            for name in qtype.field_names(question):
                fields[name] = qtype.unbound_field(question, name)
        name = f"{definition.id}_{definition.edition}_page{page_number}"
        _form_classes[cache_key] = type(name, (PageForm,), fields)
    return _form_classes[cache_key]


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
            qtype = REGISTRY[question.type]
            for name in qtype.field_names(question):
                value, error = qtype.check(question, name, getlist(name))
                if error:
                    errors[name] = error
                elif value is not None:
                    answers[name] = value
    return answers, errors


def check_definition(definition: Definition, answers: Answers) -> tuple[Answers, dict[str, str]]:
    """Check a whole response given as stored answers (e.g. a draft or an imported row)."""
    return check_pages(list(definition.pages), as_multidict(answers).getlist)


def as_multidict(answers: Answers) -> MultiDict:
    pairs = []
    for name, value in answers.items():
        for one in value if isinstance(value, list) else [value]:
            pairs.append((name, one))
    return MultiDict(pairs)


def counted_fields(definition: Definition) -> list[str]:
    """The tallied fields of a definition, in order; computed once per version."""
    if definition.version not in _counted:
        _counted[definition.version] = [
            name for q in definition.questions() for name, _options in REGISTRY[q.type].tallied(q)
        ]
    return list(_counted[definition.version])


def show_errors(form: FlaskForm, errors: dict[str, str]) -> None:
    for name, message in errors.items():
        form[name].errors = [*form[name].errors, message]
