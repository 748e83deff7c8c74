"""Choice types: answers are option codes, counted per option and trended per option."""

from __future__ import annotations

from wtforms import RadioField, SelectChoice, SelectField, SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget

from surveyapp.questionnaire.model import Option, Question
from surveyapp.questionnaire.types.base import REQUIRED_MESSAGE, QuestionType, Series, _single


class ChoiceType(QuestionType):
    keys = frozenset({"options", "scale"})
    default_required = True
    tally = "choice"
    layout = "bars"

    def parse(self, raw, path, reader):
        return {"options": reader.options_or_scale(raw, path)}

    def tallied(self, q):
        return [(name, q.options) for name in self.field_names(q)]

    def series(self, q: Question) -> list[Series]:
        """Per option: the share of respondents picking it (as top box and top-2 box)."""
        return [Series(q.id, o.code, q.id, frozenset([o.code]), frozenset([o.code]))
                for o in q.options]  # fmt: skip

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
    segment = True
    grouped = True

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
    layout = "shares"
    separator = ";"
    grouped = True

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
    tally = "matrix"
    layout = "matrix"
    boxes = True
    grouped = True

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

    def item_label(self, q, field_name):
        return self.label(q, field_name)

    def series(self, q: Question) -> list[Series]:
        """Per item: top box is the first scale code, top-2 box the first two."""
        codes = [o.code for o in q.options]
        return [Series(q.id, i.code, f"{q.id}-{i.code}", frozenset(codes[:1]),
                       frozenset(codes[:2])) for i in q.items]  # fmt: skip

    def unbound_field(self, q, field_name):
        choices = self.choices(q, field_name)
        return RadioField(self.label(q, field_name), choices=choices, validate_choice=False)
