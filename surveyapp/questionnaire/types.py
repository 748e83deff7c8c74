"""The question types: one registry entry per type.

Each entry knows how to read its keys from a definition, which HTML fields it
renders (one WTForms field per answer), how to check submitted values, and which
fields are tallied. Adding a type = one entry here, one partial in
templates/partials/<type>.html, one test questionnaire.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from wtforms import (
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.widgets import CheckboxInput, ListWidget

from surveyapp.questionnaire.model import Option, Question
from surveyapp.questionnaire.numbers import parse_number, plain

if TYPE_CHECKING:
    from surveyapp.questionnaire.loader import Reader

Value = str | list[str] | None
REQUIRED_MESSAGE = "Please answer this question."


def _single(raw: list[str]) -> str:
    return raw[0].strip() if raw else ""


class QuestionType:
    """Base: a question with one field named after the question id."""

    name = ""
    keys: frozenset[str] = frozenset()
    default_required = False

    def parse(self, raw: dict, path: str, reader: Reader) -> dict[str, Any]:
        return {}

    def field_names(self, q: Question) -> list[str]:
        return [q.id]

    def label(self, q: Question, field_name: str) -> str:
        return q.text

    def tallied(self, q: Question) -> list[tuple[str, tuple[Option, ...]]]:
        """(field, options) pairs whose codes are counted."""
        return []

    def check(self, q: Question, field_name: str, raw: list[str]) -> tuple[Value, str]:
        """Return (clean value or None when unanswered, error message or "")."""
        raise NotImplementedError

    def unbound_field(self, q: Question, field_name: str):
        raise NotImplementedError


class ChoiceType(QuestionType):
    keys = frozenset({"options", "scale"})
    default_required = True

    def parse(self, raw: dict, path: str, reader: Reader) -> dict[str, Any]:
        return {"options": reader.options_or_scale(raw, path)}

    def tallied(self, q):
        return [(name, q.options) for name in self.field_names(q)]

    def codes(self, q: Question, field_name: str) -> tuple[Option, ...]:
        return q.options

    def check(self, q, field_name, raw):
        value = _single(raw)
        if not value:
            return None, (REQUIRED_MESSAGE if q.required else "")
        if len(raw) > 1:
            return None, "Please choose only one answer."
        if not any(o.code == value for o in self.codes(q, field_name)):
            return None, f"unknown code {value!r}"
        return value, ""

    def choices(self, q, field_name):
        return [SelectChoice(o.code, o.label) for o in self.codes(q, field_name)]


class SingleChoice(ChoiceType):
    name = "single_choice"

    def unbound_field(self, q, field_name):
        return RadioField(q.text, choices=self.choices(q, field_name), validate_choice=False)


class Dropdown(ChoiceType):
    name = "dropdown"

    def unbound_field(self, q, field_name):
        choices = [SelectChoice("", "Choose…"), *self.choices(q, field_name)]
        return SelectField(q.text, choices=choices, validate_choice=False)


class MultipleChoice(ChoiceType):
    name = "multiple_choice"
    keys = ChoiceType.keys | {"min_picks", "max_picks"}

    def parse(self, raw, path, reader):
        settings = super().parse(raw, path, reader)
        for key in ("min_picks", "max_picks"):
            if key in raw:
                settings[key] = reader.integer(raw[key], f"{path}.{key}", minimum=0)
        return settings

    def check(self, q, field_name, raw):
        picked = [v.strip() for v in raw if v.strip()]
        if not picked:
            return None, (REQUIRED_MESSAGE if q.required else "")
        known = {o.code for o in q.options}
        unknown = [v for v in picked if v not in known]
        if unknown:
            return None, f"unknown code {unknown[0]!r}"
        if len(set(picked)) != len(picked):
            return None, "Each option can be picked only once."
        low, high = q.settings.get("min_picks"), q.settings.get("max_picks")
        if low is not None and len(picked) < low:
            return None, f"Please pick at least {low}."
        if high is not None and len(picked) > high:
            return None, f"Please pick at most {high}."
        order = [o.code for o in q.options]
        return sorted(picked, key=order.index), ""

    def unbound_field(self, q, field_name):
        return SelectMultipleField(
            q.text,
            choices=self.choices(q, field_name),
            validate_choice=False,
            widget=ListWidget(prefix_label=False),
            option_widget=CheckboxInput(),
        )


class RatingMatrix(ChoiceType):
    """Several items rated on one ordered scale; one radio group per item."""

    name = "rating_matrix"
    keys = frozenset({"scale", "items"})

    def parse(self, raw, path, reader):
        return {
            "options": reader.scale_ref(raw, path),
            "items": reader.option_list(raw.get("items"), f"{path}.items"),
        }

    def field_names(self, q):
        return [f"{q.id}-{item.code}" for item in q.items]

    def label(self, q, field_name):
        code = field_name.removeprefix(f"{q.id}-")
        return next((i.label for i in q.items if i.code == code), field_name)

    def unbound_field(self, q, field_name):
        choices = self.choices(q, field_name)
        return RadioField(self.label(q, field_name), choices=choices, validate_choice=False)


class ShortText(QuestionType):
    name = "short_text"
    keys = frozenset({"max_length"})
    default_max_length = 200

    def parse(self, raw, path, reader):
        limit = self.default_max_length
        if "max_length" in raw:
            limit = reader.integer(raw["max_length"], f"{path}.max_length", minimum=1)
        return {"max_length": limit}

    def check(self, q, field_name, raw):
        if len(raw) > 1:
            return None, "Please give one answer."
        value = _single(raw)
        if not value:
            return None, (REQUIRED_MESSAGE if q.required else "")
        limit = q.settings["max_length"]
        if len(value) > limit:
            return None, f"Please keep this to {limit} characters or fewer (now {len(value)})."
        return value, ""

    def unbound_field(self, q, field_name):
        return StringField(q.text)


class LongText(ShortText):
    name = "long_text"
    default_max_length = 4000

    def unbound_field(self, q, field_name):
        return TextAreaField(q.text)


class Number(QuestionType):
    name = "number"
    keys = frozenset({"min", "max", "integer"})

    def parse(self, raw, path, reader):
        settings: dict[str, Any] = {"integer": reader.boolean(raw, "integer", path, False)}
        for key in ("min", "max"):
            if key in raw:
                settings[key] = reader.number(raw[key], f"{path}.{key}")
        return settings

    def check(self, q, field_name, raw):
        if len(raw) > 1:
            return None, "Please give one answer."
        text = _single(raw)
        if not text:
            return None, (REQUIRED_MESSAGE if q.required else "")
        number, problem = parse_number(text)
        if number is None:
            return None, problem
        if q.settings["integer"] and number != number.to_integral_value():
            return None, "Please enter a whole number."
        low, high = q.settings.get("min"), q.settings.get("max")
        if low is not None and number < Decimal(str(low)):
            return None, f"Please enter a number of at least {low}."
        if high is not None and number > Decimal(str(high)):
            return None, f"Please enter a number of at most {high}."
        if q.settings["integer"]:
            return str(int(number)), ""
        return plain(number), ""

    def unbound_field(self, q, field_name):
        return StringField(q.text)


REGISTRY: dict[str, QuestionType] = {
    t.name: t
    for t in (
        SingleChoice(),
        Dropdown(),
        MultipleChoice(),
        RatingMatrix(),
        ShortText(),
        LongText(),
        Number(),
    )
}
