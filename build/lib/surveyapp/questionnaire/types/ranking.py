"""The ranking type: put options in order, all of them or the top `max_ranks`.

One field per option, `<question>-<option>`, holding its rank ("1" is first), like a
matrix row: the counters then hold (field, rank) counts, so the tallies (mean rank,
share ranked first), exports, imports and codebook need nothing new. A ranking answer
gives ranks 1 to k (k = max_ranks or the number of options), each to one option.
"""

from __future__ import annotations

from wtforms import SelectChoice, SelectField

from surveyapp.questionnaire.model import Option, Question
from surveyapp.questionnaire.types.base import QuestionType, _single, check_flags


class Ranking(QuestionType):
    name = "ranking"
    keys = frozenset({"options", "scale", "max_ranks"})
    default_required = True
    tally = "ranks"
    layout = "ranks"
    shuffles = "options"

    def parse(self, raw, path, reader):
        options = reader.options_or_scale(raw, path)
        check_flags(reader, raw, path, options, {"anchor"})
        if len(options) == 1:
            reader.error(path, "a ranking needs two options or more")
        settings: dict = {"options": options}
        if "max_ranks" in raw:
            top = reader.integer(raw["max_ranks"], f"{path}.max_ranks", minimum=1)
            if options and top > len(options):
                reader.error(f"{path}.max_ranks", f"is more than the {len(options)} options")
            settings["max_ranks"] = top
        return settings

    def ranks(self, q: Question) -> int:
        """How many options a respondent ranks."""
        return q.settings.get("max_ranks") or len(q.options)

    def field_names(self, q):
        return [f"{q.id}-{o.code}" for o in q.options]

    def label(self, q, field_name):
        code = field_name.removeprefix(f"{q.id}-")
        return next((o.label for o in q.options if o.code == code), field_name)

    def item_label(self, q, field_name):
        return self.label(q, field_name)

    def rank_options(self, q: Question) -> tuple[Option, ...]:
        return tuple(Option(str(r), f"Rank {r}") for r in range(1, self.ranks(q) + 1))

    def tallied(self, q):
        return [(name, self.rank_options(q)) for name in self.field_names(q)]

    def check(self, q, field_name, raw):
        value, top = _single(raw), self.ranks(q)
        if len(raw) > 1:
            return None, "Please give one rank."
        if not value:
            return None, ""
        if value not in {o.code for o in self.rank_options(q)}:
            return None, f"Please choose a rank from 1 to {top}."
        return value, ""

    def check_question(self, q, getlist):
        names = self.field_names(q)
        checked = {name: self.check(q, name, getlist(name)) for name in names}
        problems = {name: error for name, (_value, error) in checked.items() if error}
        given = {name: value for name, (value, _error) in checked.items() if value is not None}
        if not problems:
            problems = self.order_problems(q, given)
        for name in names:
            yield name, (None if problems else given.get(name)), problems.get(name, "")

    def order_problems(self, q: Question, given: dict[str, str]) -> dict[str, str]:
        """{field: problem} when the ranks given are not 1 to k, each once."""
        top, names = self.ranks(q), self.field_names(q)
        what = "the options" if top == len(names) else f"your top {top}"
        if not given:
            return {names[0]: f"Please rank {what}."} if q.required else {}
        twice = {rank for rank in given.values() if list(given.values()).count(rank) > 1}
        if twice:
            return {name: f"Rank {rank} is given to more than one option: each rank once."
                    for name, rank in given.items() if rank in twice}  # fmt: skip
        if len(given) < top:
            missing = next(name for name in names if name not in given)
            return {missing: f"Please rank {what}: {len(given)} of {top} ranked so far."}
        return {}

    def unbound_field(self, q, field_name):
        choices = [SelectChoice("", "Not ranked"), *(SelectChoice(o.code, o.code)
                                            for o in self.rank_options(q))]  # fmt: skip
        return SelectField(self.label(q, field_name), choices=choices, validate_choice=False)
