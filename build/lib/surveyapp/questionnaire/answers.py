"""Checking answers against a definition: a posted page, a draft or an imported row.

The question types check each value and the logic (surveyapp.questionnaire.logic) decides
what is shown, required and offered, so a browser form, an import file and (later) an API
call are held to exactly the same rules. A field that is not shown is never required and
its value is never kept; it is stored as not shown (surveyapp.questionnaire.marks). No
Flask here.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from surveyapp.questionnaire.expressions import truthy
from surveyapp.questionnaire.logic import (
    Plan,
    QuestionPlan,
    State,
    evaluate_state,
    plan_of,
    reached,
    required,
)
from surveyapp.questionnaire.marks import MARKS, NOT_SHOWN, SCREENED_OUT, not_shown
from surveyapp.questionnaire.model import Definition, Page
from surveyapp.questionnaire.types import REGISTRY, REQUIRED_MESSAGE

Answers = dict[str, str | list[str]]
GetList = Callable[[str], list[str]]
CONSTRAINT_MESSAGE = "This answer does not fit: please check it."
NOT_ASKED = (
    "has an answer, but this question is not asked of this respondent (its condition is false)"
)
AFTER_SCREENING = "has an answer, but this respondent was screened out before this question"
_counted: dict[str, list[str]] = {}


@dataclass
class Checked:
    """A checked response or page: what to keep, the errors per field, the logic's state."""

    answers: Answers
    errors: dict[str, str]
    state: State


def page_fields(page: Page) -> list[str]:
    return [name for q in page.questions for name in REGISTRY[q.type].field_names(q)]


def check_pages(pages: list[Page], getlist: GetList) -> tuple[Answers, dict[str, str]]:
    """Check raw submitted values by type alone (no logic); return (clean answers, errors)."""
    answers: Answers = {}
    errors: dict[str, str] = {}
    for page in pages:
        for question in page.questions:
            for name, value, error in REGISTRY[question.type].check_question(question, getlist):
                if error:
                    errors[name] = error
                elif value is not None:
                    answers[name] = value
    return answers, errors


def stored_getlist(answers: Mapping[str, Any]) -> GetList:
    """`getlist` over stored answers: every value as a list of strings."""

    def getlist(name: str) -> list[str]:
        value = answers.get(name)
        if value is None or name in MARKS:
            return []
        return list(value) if isinstance(value, list) else [value]

    return getlist


def _typed(questions: Iterable[QuestionPlan], getlist: GetList) -> tuple[Answers, dict[str, str]]:
    """Each question's values checked by its type, required or not (the logic decides that)."""
    values: Answers = {}
    problems: dict[str, str] = {}
    for qp in questions:
        if qp.calculation is not None:
            continue
        for name, value, error in REGISTRY[qp.question.type].check_question(qp.relaxed, getlist):
            if error:
                problems[name] = error
            elif value is not None:
                values[name] = value
    return values, problems


def _errors(
    plan: Plan, state: State, problems: Mapping[str, str], pages: Collection[int] | None = None
) -> dict[str, str]:
    """The errors of the shown fields (of `pages` only, when given) up to any screening
    point; a screened-out respondent needs no further answers."""
    errors: dict[str, str] = {}
    limit = len(plan.pages) if state.screened is None else state.screened[0] + 1
    for index in pages if pages is not None else range(limit):
        if index >= limit:
            continue
        for qp in plan.pages[index].questions:
            if qp.calculation is None:
                _question_errors(qp, state, problems, errors)
    if state.screened is not None:
        names = set(reached(plan, state))
        errors = {name: e for name, e in errors.items() if name in names and e != REQUIRED_MESSAGE}
    return _own_messages(plan, errors)


def _own_messages(plan: Plan, errors: dict[str, str]) -> dict[str, str]:
    """A question's own `required_message` instead of the general one."""
    own = {name: qp.question.required_message for page in plan.pages for qp in page.questions
           if qp.question.required_message for name, _ in qp.fields}  # fmt: skip
    return {name: own.get(name, e) if e == REQUIRED_MESSAGE else e for name, e in errors.items()}


def _question_errors(
    qp: QuestionPlan, state: State, problems: Mapping[str, str], errors: dict[str, str]
) -> None:
    shown = [name for name, _ in qp.fields if name not in state.hidden]
    if not shown:
        return
    # A question whose answer the type refused is checked again once that is put right
    # (a ranking's "rank k of n" would otherwise also say "please rank").
    fine = not any(name in problems for name in shown)
    missing = _missing(qp, state, shown) if fine and required(qp, state) else {}
    constraint = qp.question.constraint
    for name in shown:
        value = state.values.get(name)
        if name in problems:
            errors[name] = problems[name]
        elif value is None:
            if name in missing:
                errors[name] = missing[name]
        elif constraint is not None and not truthy(constraint.tree.value(state.env(value))):
            errors[name] = qp.question.constraint_message or CONSTRAINT_MESSAGE


def _missing(qp: QuestionPlan, state: State, shown: list[str]) -> dict[str, str]:
    """What the type says a required question lacks, given its shown answers (each matrix
    item, a ranking's ranks; a "please specify" text only when its option is chosen)."""
    strict = replace(qp.question, required=True)
    getlist = stored_getlist({name: state.values.get(name) for name in shown})
    checked = REGISTRY[strict.type].check_question(strict, getlist)
    return {name: error for name, _value, error in checked if error and name in shown}


def record(plan: Plan, state: State) -> Answers:
    """What a response stores: the kept answers and calculated values in definition order,
    the fields not shown, and the screened-out mark."""
    names = reached(plan, state)
    stored: dict[str, Any] = {name: state.values[name] for name in names if name in state.values}
    hidden = [name for name in names if name in state.hidden]
    if hidden:
        stored[NOT_SHOWN] = hidden
    if state.screened is not None:
        stored[SCREENED_OUT] = True
    return stored


def check_response(
    definition: Definition,
    getlist: GetList,
    absent: Collection[str] = (),
    strict: bool = False,
    today: date | str | None = None,
) -> Checked:
    """Check a whole response (a draft, a stored response or an imported row). Fields in
    `absent` were not asked. `strict` (imports): an answer the logic would not keep (not
    shown, a code not offered, after the screening point) is an error, not dropped."""
    plan = plan_of(definition)
    values, problems = _typed(plan.questions.values(), getlist)
    state = evaluate_state(definition, values, absent, today)
    errors = _errors(plan, state, problems)
    if strict:
        errors |= _unkept(plan, state, values, getlist)
    return Checked(record(plan, state), errors, state)


def _unkept(plan: Plan, state: State, values: Answers, getlist: GetList) -> dict[str, str]:
    found: dict[str, str] = {}
    kept = set(reached(plan, state))
    for qp in plan.questions.values():
        for name, _relevant in qp.fields:
            if qp.calculation is not None or not any(v.strip() for v in getlist(name)):
                continue
            if name not in kept:
                found[name] = AFTER_SCREENING
            elif name in state.hidden:
                found[name] = NOT_ASKED
            elif name in values and state.values.get(name) != values[name]:
                found[name] = "gives a code this question does not offer this respondent"
    return found


def check_page(
    definition: Definition,
    number: int,
    getlist: GetList,
    draft: Mapping[str, Any],
    today: date | str | None = None,
) -> Checked:
    """Check page `number` (1-based) as posted, with the draft's other answers. Returns the
    answers to keep (every page's shown answers: one hidden by this page's answers is
    dropped) and this page's errors."""
    plan = plan_of(definition)
    page = plan.pages[number - 1]
    posted, problems = _typed(page.questions, getlist)
    on_page = set(page.fields)
    merged = {k: v for k, v in draft.items() if k not in on_page and k not in MARKS} | posted
    state = evaluate_state(definition, merged, today=today)
    errors = _errors(plan, state, problems, pages=[number - 1])
    computed = {qp.question.id for qp in plan.questions.values() if qp.calculation is not None}
    kept = {name: value for name, value in state.values.items() if name not in computed}
    return Checked(kept, errors, state)


def check_definition(definition: Definition, answers: Mapping[str, Any]) -> tuple[Answers, dict]:
    """Check a whole response given as stored answers: (what it stores, errors). The fields
    its not-shown mark lists were not asked (e.g. imported from a file without them)."""
    checked = check_response(definition, stored_getlist(answers), absent=not_shown(answers))
    return checked.answers, checked.errors


def counted_fields(definition: Definition) -> list[str]:
    """The tallied fields of a definition, in order; computed once per version."""
    if definition.version not in _counted:
        _counted[definition.version] = [
            name for q in definition.questions() for name, _options in REGISTRY[q.type].tallied(q)
        ]
    return list(_counted[definition.version])
