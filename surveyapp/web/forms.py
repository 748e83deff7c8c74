"""WTForms classes generated from definitions, one per page, cached per version.

WTForms renders the fields and Flask-WTF checks the CSRF token; the answers
themselves are checked by the question types (surveyapp.questionnaire.answers).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from babel import support
from flask import current_app, g
from flask_babel import get_locale
from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.i18n import messages_path

from surveyapp.questionnaire.model import Definition
from surveyapp.questionnaire.types import REGISTRY
from surveyapp.web.wording import translated

_form_classes: dict[tuple[str, int, str | None], type[FlaskForm]] = {}


@cache
def _wtforms_messages(locale: str) -> support.Translations:
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class _Messages:
    """WTForms' own messages in the request's language, each catalogue read once per
    process: Flask-WTF's reads the file again on every request, about a third of the
    time a survey page post took."""

    def gettext(self, string: str) -> str:
        locale = get_locale()
        return string if locale is None else _wtforms_messages(str(locale)).ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        locale = get_locale()
        if locale is None:
            return singular if n == 1 else plural
        return _wtforms_messages(str(locale)).ungettext(singular, plural, n)


class Form(FlaskForm):
    """FlaskForm with WTForms' messages read once per process (see _Messages)."""

    class Meta(FlaskForm.Meta):
        def get_translations(self, form: FlaskForm) -> Any:
            if not current_app.config.get("WTF_I18N_ENABLED", True):
                return super().get_translations(form)
            return _MESSAGES


_MESSAGES = _Messages()


class PageForm(Form):
    submission_key = HiddenField()
    # The definition version the page was rendered with: the answers are checked and
    # stored against it even when another version was published meanwhile.
    definition_version = HiddenField()


def page_form_class(definition: Definition, page_number: int) -> type[FlaskForm]:
    """The form class of the page shown at `page_number` (1-based); built once per definition
    version and page, whatever order the respondent sees pages, questions and options in
    (the partials render options in the question's order)."""
    page = definition.pages[page_number - 1]
    # the labels are in the language of the page shown (surveyapp.web.languages)
    cache_key = (definition.version, page.number or page_number, g.get("language"))
    if cache_key not in _form_classes:
        _form_classes[cache_key] = build_page_form_class(definition, page_number)
    return _form_classes[cache_key]


def build_page_form_class(definition: Definition, page_number: int) -> type[FlaskForm]:
    """A new form class of one page, not cached (the builder's previews of drafts)."""
    page = definition.pages[page_number - 1]
    fields: dict[str, Any] = {}
    for question in page.questions:
        qtype = REGISTRY[question.type]
        if qtype.computed:
            continue
        for name in qtype.field_names(question):
            fields[name] = qtype.unbound_field(question, name)
    name = f"{definition.id}_{definition.edition}_page{page_number}"
    return type(name, (PageForm,), fields)


def show_errors(form: FlaskForm, errors: dict[str, str]) -> None:
    for name, message in errors.items():
        form[name].errors = [*form[name].errors, translated(message)]
