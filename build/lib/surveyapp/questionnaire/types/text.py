"""Free-text types: answers are kept as typed (trimmed) and listed as comments."""

from __future__ import annotations

from wtforms import StringField, TextAreaField

from surveyapp.questionnaire.types.base import QuestionType, one_answer


class ShortText(QuestionType):
    name = "short_text"
    keys = frozenset({"max_length"})
    default_max_length = 200
    free_text = True
    chart = "texts"

    def parse(self, raw, path, reader):
        limit = self.default_max_length
        if "max_length" in raw:
            limit = reader.integer(raw["max_length"], f"{path}.max_length", minimum=1)
        return {"max_length": limit}

    def check(self, q, field_name, raw):
        value, problem = one_answer(q, raw)
        if value is None:
            return None, problem
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
