"""What a survey page draws given the logic's state: its place among the pages that apply,
Next or Submit, Back or not, piped texts, and the attributes static/logic.js reads (each
rule's text, as written in the definition) and that hide what is not shown without it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_wtf import FlaskForm
from wtforms import SelectChoice

from surveyapp.questionnaire import pages
from surveyapp.questionnaire.logic import QuestionPlan, State, plan_of
from surveyapp.questionnaire.model import Definition, Question
from surveyapp.questionnaire.types import REGISTRY

HIDDEN = {"hidden": "hidden"}


@dataclass
class PageView:
    number: int
    position: int  # among the pages that apply
    total: int  # pages that apply
    first: bool  # no page before this one applies: no Back
    last: bool  # no page after it applies: Submit instead of Next
    questions: list[Question]  # the page's questions, texts piped
    sections: dict[str, dict[str, str]] = field(default_factory=dict)  # attributes per question
    shape: str = ""
    data: dict[str, Any] | None = None  # for static/logic.js; None without logic


def page_view(definition: Definition, number: int, state: State, form: FlaskForm) -> PageView:
    """The view of page `number`; labels, choices and item attributes are set on `form`."""
    plan = plan_of(definition)
    plans = plan.pages[number - 1].questions
    questions = list(definition.pages[number - 1].questions)
    if plan.piped:
        labels = pages.option_labels(definition)
        questions = [pages.piped(q, state.values, labels) for q in questions]
    position, total = pages.progress(state, number)
    view = PageView(number, position, total, pages.previous_page(state, number) is None,
                    pages.next_page(state, number) is None, questions)  # fmt: skip
    if not (plan.active or plan.piped):
        return view
    for question, qp in zip(questions, plans, strict=True):
        view.sections[question.id] = _section(question, qp, state)
        if not REGISTRY[question.type].computed:
            _dress(form, question, qp, state)
    if plan.active:
        view.shape = pages.shape(plan, state, number)
        view.data = pages.logic_data(definition, number, state.values)
    return view


def _section(question: Question, qp: QuestionPlan, state: State) -> dict[str, str]:
    attrs = {"data-question": question.id}
    rules = (("data-relevant", question.relevant), ("data-filter", question.choice_filter),
             ("data-calc", question.calculation))  # fmt: skip
    for name, rule in rules:
        if rule is not None:
            attrs[name] = rule.text
    if REGISTRY[question.type].computed or all(name in state.hidden for name, _ in qp.fields):
        attrs |= HIDDEN
    return attrs


def _dress(form: FlaskForm, question: Question, qp: QuestionPlan, state: State) -> None:
    """Piped labels, and the choices of the fields holding the question's codes; each
    matrix item's and filtered option's attributes."""
    qtype = REGISTRY[question.type]
    items = {f"{question.id}-{item.code}": item for item in question.items}
    options = {o.code: o for o in question.options}
    coded = {name for name, listed in qtype.tallied(question) if listed == question.options}
    for name, _relevant in qp.fields:
        bound = form[name]
        item = items.get(name)
        bound.label.text = qtype.label(question, name)
        if item is not None:
            bound.render_kw = {"data-field": name}
            if item.relevant is not None:
                bound.render_kw["data-relevant"] = item.relevant.text
            if name in state.hidden:
                bound.render_kw |= HIDDEN
        if name in coded and hasattr(bound, "choices"):
            offered = state.offered.get(name) if name not in state.hidden else None
            bound.choices = [_choice(c, options, qp.filtered, offered) for c in bound.choices]


def _choice(choice: Any, options: dict, filtered: bool, offered: frozenset | None) -> SelectChoice:
    value, label = (choice.value, choice.label) if isinstance(choice, SelectChoice) else choice
    option = options.get(value)
    if option is None:
        return SelectChoice(value, label)
    attrs: dict[str, str] = {}
    if filtered:
        attrs["data-option"] = option.code
        if option.relevant is not None:
            attrs["data-relevant"] = option.relevant.text
        if offered is not None and option.code not in offered:
            attrs |= HIDDEN
    return SelectChoice(value, option.label, render_kw=attrs)
