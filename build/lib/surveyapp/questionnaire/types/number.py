"""The number type: a decimal or whole number within an optional range."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from wtforms import StringField

from surveyapp.questionnaire.numbers import parse_number, plain
from surveyapp.questionnaire.types.base import QuestionType, one_answer


class Number(QuestionType):
    name = "number"
    keys = frozenset({"min", "max", "integer"})
    numeric = True
    chart = "histogram"

    def parse(self, raw, path, reader):
        settings: dict[str, Any] = {"integer": reader.boolean(raw, "integer", path, False)}
        for key in ("min", "max"):
            if key in raw:
                settings[key] = reader.number(raw[key], f"{path}.{key}")
        return settings

    def check(self, q, field_name, raw):
        text, problem = one_answer(q, raw)
        if text is None:
            return None, problem
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
