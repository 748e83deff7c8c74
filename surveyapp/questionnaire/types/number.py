"""The number type: a decimal or whole number within an optional range."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from wtforms import StringField

from surveyapp.questionnaire.types.base import REQUIRED_MESSAGE, QuestionType, _single


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
        try:
            number = Decimal(text.replace(",", "")) if len(text) <= 40 else None
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            return None, "Please enter a number."
        if q.settings["integer"] and number != number.to_integral_value():
            return None, "Please enter a whole number."
        low, high = q.settings.get("min"), q.settings.get("max")
        if low is not None and number < Decimal(str(low)):
            return None, f"Please enter a number of at least {low}."
        if high is not None and number > Decimal(str(high)):
            return None, f"Please enter a number of at most {high}."
        if q.settings["integer"]:
            return str(int(number)), ""
        return _plain(number), ""

    def unbound_field(self, q, field_name):
        return StringField(q.text)


def _plain(number: Decimal) -> str:
    text = format(number.normalize(), "f")
    return "0" if text in {"-0", ""} else text
