"""WTForms classes generated from definitions, one per page, cached per version.

WTForms renders the fields and Flask-WTF checks the CSRF token; the answers
themselves are checked by the question types (surveyapp.questionnaire.answers).
"""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import HiddenField

from surveyapp.questionnaire.model import Definition
from surveyapp.questionnaire.types import REGISTRY

_form_classes: dict[tuple[str, int], type[FlaskForm]] = {}


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
            if qtype.computed:
                continue
            for name in qtype.field_names(question):
                fields[name] = qtype.unbound_field(question, name)
        name = f"{definition.id}_{definition.edition}_page{page_number}"
        _form_classes[cache_key] = type(name, (PageForm,), fields)
    return _form_classes[cache_key]


def show_errors(form: FlaskForm, errors: dict[str, str]) -> None:
    for name, message in errors.items():
        form[name].errors = [*form[name].errors, message]
