"""Moving through a questionnaire with logic: which page comes next or before, where a page
stands among those that apply, what a page shows (its shape), and piping.

A page's shape lists what it shows (fields, and the codes offered where options are
filtered) and whether a page after it applies. static/logic.js computes the same text in
the browser and posts it; when the server's shape after a post differs, the page is drawn
again instead of moving on (a browser without JavaScript sees the newly relevant questions
before it leaves the page).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from surveyapp.questionnaire.expressions import references
from surveyapp.questionnaire.logic import Plan, State, plan_of
from surveyapp.questionnaire.model import Definition, Question
from surveyapp.questionnaire.rules import PIPE
from surveyapp.questionnaire.types import REGISTRY

LAST = "~last"  # the shape's token for "no page after this one applies"
_page_data: dict[tuple[str, int], tuple[frozenset[str], list]] = {}


def applying(state: State) -> list[int]:
    """The 1-based numbers of the pages that apply."""
    return [number for number, on in enumerate(state.applies, 1) if on]


def next_page(state: State, number: int) -> int | None:
    """The first page after `number` that applies; None when there is none."""
    return next((n for n in applying(state) if n > number), None)


def previous_page(state: State, number: int) -> int | None:
    return next((n for n in reversed(applying(state)) if n < number), None)


def nearest_page(state: State, number: int) -> int:
    """`number` when it applies, else the next page that does, else the one before."""
    if state.applies[number - 1]:
        return number
    return next_page(state, number) or previous_page(state, number) or number


def progress(state: State, number: int) -> tuple[int, int]:
    """(this page's place among the pages that apply, how many apply)."""
    pages = applying(state)
    before = sum(1 for n in pages if n < number)
    return before + 1, max(len(pages), before + 1)


def shape(plan: Plan, state: State, number: int) -> str:
    """What page `number` shows, as sorted tokens (see the module docstring)."""
    tokens = []
    for qp in plan.pages[number - 1].questions:
        if qp.calculation is not None:
            continue
        for name, _relevant in qp.fields:
            if name in state.hidden:
                continue
            tokens.append(name)
            tokens.extend(f"{name}:{code}" for code in state.offered.get(name, ()))
    if next_page(state, number) is None:
        tokens.append(LAST)
    return " ".join(sorted(tokens))


def logic_data(definition: Definition, number: int, values: Mapping[str, Any]) -> dict:
    """What static/logic.js needs beyond the page's own markup: the earlier answers its
    expressions read, and each later page's rules (to know whether one applies)."""
    key = (definition.version, number)
    if key not in _page_data:
        _page_data[key] = _page_rules(definition, number)
    read, later = _page_data[key]
    answers = {name: values[name] for name in sorted(read) if name in values}
    return {"answers": answers, "later": later}


def _page_rules(definition: Definition, number: int) -> tuple[frozenset[str], list]:
    own = plan_of(definition).pages[number - 1].fields
    read: set[str] = set()
    later = []
    for index, page in enumerate(definition.pages[number - 1 :]):
        rules = [page.relevant] if index else []
        for q in page.questions:
            rules.extend([q.relevant, q.required_if, q.choice_filter, q.calculation])
            rules.extend(o.relevant for o in (*q.options, *q.items))
        read.update(name for rule in rules if rule for name in references(rule.tree))
        if index:
            shown = [q.relevant.text if q.relevant else None
                     for q in page.questions if not REGISTRY[q.type].computed]  # fmt: skip
            later.append([page.relevant.text if page.relevant else None, shown])
    return frozenset(read - set(own)), later


def piped(question: Question, values: Mapping[str, Any], labels: Mapping[str, dict]) -> Question:
    """The question with `${name}` in its text, help and labels replaced by the answer's
    label (text, escaped where it is drawn); unanswered is empty."""

    def pipe(text: str) -> str:
        if "${" not in text:
            return text
        return PIPE.sub(lambda match: answer_text(match[1], values, labels), text)

    return replace(
        question,
        text=pipe(question.text),
        help=pipe(question.help),
        options=tuple(replace(o, label=pipe(o.label)) for o in question.options),
        items=tuple(replace(i, label=pipe(i.label)) for i in question.items),
    )


def answer_text(name: str, values: Mapping[str, Any], labels: Mapping[str, dict]) -> str:
    value = values.get(name)
    if value is None:
        return ""
    codes = value if isinstance(value, list) else [value]
    names = labels.get(name, {})
    return ", ".join(names.get(code, code) for code in codes)


def option_labels(definition: Definition) -> dict[str, dict[str, str]]:
    """{field: {code: label}} of every choice field."""
    return {
        name: {o.code: o.label for o in options}
        for q in definition.questions()
        for name, options in REGISTRY[q.type].tallied(q)
    }
