"""The computed type: a hidden value calculated from earlier answers by its `calculation`
(surveyapp.questionnaire.logic works it out on every page), stored with the response and
exported; nothing is drawn for it, a posted value is ignored and it is not tallied."""

from __future__ import annotations

from surveyapp.questionnaire.types.base import QuestionType


class Calculate(QuestionType):
    name = "calculate"
    keys = frozenset({"calculation"})
    computed = True

    def parse(self, raw, path, reader):
        if "calculation" not in raw:
            reader.error(f"{path}.calculation", "missing")
        return {"calculation": reader.rule(raw, "calculation", path)}

    def check(self, q, field_name, raw):
        return None, ""

    def unbound_field(self, q, field_name):
        return None
