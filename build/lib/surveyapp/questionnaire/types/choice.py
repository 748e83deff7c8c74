"""Choice types: answers are option codes, counted per option and trended per option.

An option marked `other: true` adds a text field `<question>-other` ("please specify"),
required when that option is chosen and discarded when it is not. A multiple choice
option marked `exclusive: true` ("None of these") cannot be picked with another. A
matrix scale point marked `na: true` is left out of the base and the top boxes.
"""

from __future__ import annotations

from wtforms import RadioField, SelectChoice, SelectField, SelectMultipleField, StringField
from wtforms.widgets import CheckboxInput, ListWidget

from surveyapp.questionnaire.model import Option, Question
from surveyapp.questionnaire.types.base import (
    REQUIRED_MESSAGE,
    QuestionType,
    Series,
    _single,
    check_flags,
)

OTHER_MAX_LENGTH = 200


def _plain(text: str) -> list[str]:
    return [text]


class ChoiceType(QuestionType):
    keys = frozenset({"options", "scale"})
    default_required = True
    tally = "choice"
    layout = "bars"
    chart = "bars"
    crosstab = True
    shuffles = "options"
    flags = frozenset({"other", "anchor"})

    def parse(self, raw, path, reader):
        options = reader.options_or_scale(raw, path)
        check_flags(reader, raw, path, options, set(self.flags))
        if sum(o.other for o in options) > 1:
            reader.error(path, "only one option may be marked other")
        return {"options": options}

    def other_option(self, q: Question) -> Option | None:
        """The option that asks to "please specify", if any."""
        return next((o for o in q.options if o.other), None)

    def other_field(self, q: Question) -> str:
        return f"{q.id}-other"

    def _is_other(self, q: Question, field_name: str) -> bool:
        return field_name == self.other_field(q) and self.other_option(q) is not None

    def field_names(self, q):
        return [q.id, self.other_field(q)] if self.other_option(q) else [q.id]

    def dependent(self, q, field_name):
        return self._is_other(q, field_name)

    def label(self, q, field_name):
        other = self.other_option(q)
        if other is not None and field_name == self.other_field(q):
            return f"{other.label}: please specify"
        return q.text

    def item_label(self, q, field_name):
        return self.label(q, field_name) if self._is_other(q, field_name) else ""

    def tallied(self, q):
        return [(q.id, q.options)]

    def comment_fields(self, q):
        return [self.other_field(q)] if self.other_option(q) else []

    def cell_splitter(self, q, field_name):
        return _plain if self._is_other(q, field_name) else self.split_cell

    def anchor(self, q, field_id):
        return field_id if self._is_other(q, field_id) else super().anchor(q, field_id)

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

    def check_question(self, q, getlist):
        value, error = self.check(q, q.id, getlist(q.id))
        yield q.id, value, error
        other = self.other_option(q)
        if other is None:
            return
        picked = value if isinstance(value, list) else [value]
        if other.code not in picked:  # not chosen: the text box was not asked for
            yield self.other_field(q), None, ""
            return
        yield self.other_field(q), *self.specified(other, getlist(self.other_field(q)))

    def specified(self, other: Option, raw: list[str]) -> tuple[str | None, str]:
        texts = [v.strip() for v in raw if v.strip()]
        if len(texts) > 1:
            return None, "Please give one answer."
        if not texts:
            return None, f"Please say what “{other.label}” is."
        if len(texts[0]) > OTHER_MAX_LENGTH:
            return None, f"Please keep this to {OTHER_MAX_LENGTH} characters or fewer."
        return texts[0], ""

    def choices(self, q, field_name):
        return [SelectChoice(o.code, o.label) for o in self.codes(q, field_name)]

    def unbound_field(self, q, field_name):
        if self._is_other(q, field_name):
            return StringField(self.label(q, field_name))
        return self.choice_field(q, field_name)

    def choice_field(self, q, field_name):
        raise NotImplementedError


class SingleChoice(ChoiceType):
    name = "single_choice"
    segment = True
    grouped = True

    def choice_field(self, q, field_name):
        return RadioField(q.text, choices=self.choices(q, field_name), validate_choice=False)


class Dropdown(ChoiceType):
    name = "dropdown"

    def choice_field(self, q, field_name):
        choices = [SelectChoice("", "Choose…"), *self.choices(q, field_name)]
        return SelectField(q.text, choices=choices, validate_choice=False)


class MultipleChoice(ChoiceType):
    name = "multiple_choice"
    keys = ChoiceType.keys | {"min_picks", "max_picks"}
    flags = ChoiceType.flags | {"exclusive"}
    layout = "shares"
    crosstab = False
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
        alone = next((o for o in q.options if o.exclusive and o.code in picked), None)
        if alone is not None and len(picked) > 1:
            return None, f"“{alone.label}” cannot be picked together with other answers."
        low, high = q.settings.get("min_picks"), q.settings.get("max_picks")
        if alone is None and low is not None and len(picked) < low:
            return None, f"Please pick at least {low}."
        if high is not None and len(picked) > high:
            return None, f"Please pick at most {high}."
        order = [o.code for o in q.options]
        return sorted(picked, key=order.index), ""

    def choice_field(self, q, field_name):
        return SelectMultipleField(
            q.text,
            choices=self.choices(q, field_name),
            validate_choice=False,
            widget=ListWidget(prefix_label=False),
            option_widget=CheckboxInput(),
        )


class RatingMatrix(ChoiceType):
    """Several items rated on one ordered scale; one radio group per item. Scale points
    marked `na` ("not applicable") are answers left out of the base and the top boxes."""

    name = "rating_matrix"
    keys = frozenset({"scale", "items"})
    tally = "matrix"
    layout = "matrix"
    chart = "likert"
    boxes = True
    grouped = True
    shuffles = "items"

    def parse(self, raw, path, reader):
        scale = reader.scale_ref(raw, path)
        items = reader.option_list(raw.get("items"), f"{path}.items")
        check_flags(reader, raw, path, scale, {"na"})
        check_flags(reader, {}, path, items, {"anchor"}, key="items")
        if scale and all(o.na for o in scale):
            reader.error(f"{path}.scale", "needs a point that is not marked na")
        return {"options": scale, "items": items}

    def field_names(self, q):
        return [f"{q.id}-{item.code}" for item in q.items]

    def tallied(self, q):
        return [(name, q.options) for name in self.field_names(q)]

    def comment_fields(self, q):
        return []

    def label(self, q, field_name):
        code = field_name.removeprefix(f"{q.id}-")
        return next((i.label for i in q.items if i.code == code), field_name)

    def item_label(self, q, field_name):
        return self.label(q, field_name)

    def check_question(self, q, getlist):
        for name in self.field_names(q):
            yield name, *self.check(q, name, getlist(name))

    def series(self, q: Question) -> list[Series]:
        """Per item: top box is the first scale code, top-2 box the first two (points
        marked na left out of both and of the base)."""
        codes = [o.code for o in q.options if not o.na]
        na = frozenset(o.code for o in q.options if o.na)
        return [Series(q.id, i.code, f"{q.id}-{i.code}", frozenset(codes[:1]),
                       frozenset(codes[:2]), na) for i in q.items]  # fmt: skip

    def choice_field(self, q, field_name):
        choices = self.choices(q, field_name)
        return RadioField(self.label(q, field_name), choices=choices, validate_choice=False)
