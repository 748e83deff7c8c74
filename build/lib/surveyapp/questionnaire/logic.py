"""The questionnaire logic evaluated against the answers so far: which pages apply, which
questions, matrix items and options are shown, the calculated values, and whether a
screen_out rule ends the questionnaire.

One walk in definition order. An expression sees only the answers of fields shown before
it (a field that is not shown reads as no answer, as in ODK), so hiding a question also
hides what depends on it. A page applies when it is relevant and shows at least one
field. An answer with a code its question no longer offers loses that code. The walk
stops at the first screen_out rule that holds. Expressions were parsed and checked when
the definition loaded (surveyapp.questionnaire.rules), so evaluating one cannot fail.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from surveyapp.questionnaire.expressions import Expr, as_text, truthy
from surveyapp.questionnaire.expressions.nodes import Env
from surveyapp.questionnaire.model import Definition, Question, Rule
from surveyapp.questionnaire.rules import PIPE, calculation_order
from surveyapp.questionnaire.types import REGISTRY


def _tree(rule: Rule | None) -> Expr | None:
    return None if rule is None else rule.tree


@dataclass(frozen=True)
class QuestionPlan:
    """One question as the walk needs it, worked out once per definition version."""

    question: Question
    relaxed: Question  # the question with required=False: the type checks its values only
    fields: tuple[tuple[str, Expr | None], ...]  # (field, the item's relevance)
    relevant: Expr | None
    required_if: Expr | None
    options: tuple[tuple[str, Expr | None], ...]  # (code, relevance) when options are filtered
    choice_filter: Expr | None
    calculation: Expr | None
    needs: tuple[QuestionPlan, ...] = ()  # calculations to work out first
    screen_out: Expr | None = None

    @property
    def filtered(self) -> bool:
        return bool(self.options)


@dataclass(frozen=True)
class PagePlan:
    relevant: Expr | None
    screen_out: Expr | None
    questions: tuple[QuestionPlan, ...]
    fields: tuple[str, ...]


@dataclass(frozen=True)
class Plan:
    pages: tuple[PagePlan, ...]
    active: bool  # whether the definition has any rule at all
    piped: bool  # whether any text shows an earlier answer
    questions: dict[str, QuestionPlan] = field(default_factory=dict)


@dataclass
class State:
    """What the answers so far make of a definition."""

    applies: list[bool] = field(default_factory=list)  # per page
    hidden: set[str] = field(default_factory=set)  # fields not shown
    values: dict[str, Any] = field(default_factory=dict)  # shown fields' answers, calculations
    offered: dict[str, frozenset[str]] = field(default_factory=dict)  # filtered fields' codes
    screened: tuple[int, str | None] | None = None  # (page index, question id or None)
    today: date | str | None = None

    def env(self, current: Any = None) -> Env:
        return Env(self.values, current, self.today)


_plans: dict[tuple, Plan] = {}
PLANS = 4096  # plans of randomised orders are one per order seen; the bound keeps them few


def plan_of(definition: Definition) -> Plan:
    """The definition's plan in the order its pages and questions are shown, built once per
    version, language (the plan holds the questions' texts) and order (a randomised
    definition is walked as the respondent sees it)."""
    order = ((page.number, *(q.id for q in page.questions)) for page in definition.pages)
    key = (definition.version, definition.language, *order)
    plan = _plans.get(key)
    if plan is None:
        if len(_plans) >= PLANS:
            _plans.clear()
        plan = _plans[key] = _build(definition)
    return plan


def _build(definition: Definition) -> Plan:
    plans: dict[str, QuestionPlan] = {}
    order = calculation_order(definition)
    pages = []
    for page in definition.pages:
        built = tuple(_question_plan(q) for q in page.questions)
        plans.update((p.question.id, p) for p in built)
        names = tuple(name for p in built for name, _ in p.fields)
        pages.append(PagePlan(_tree(page.relevant), _tree(page.screen_out), built, names))
    for name, needs in order.items():
        plans[name] = replace(plans[name], needs=tuple(plans[n] for n in needs))
    pages = [replace(p, questions=tuple(plans[q.question.id] for q in p.questions)) for p in pages]
    rules = [r for page in definition.pages for r in (page.relevant, page.screen_out) if r]
    active = bool(rules) or any(_has_rule(q) for q in definition.questions())
    texts = (t for q in definition.questions() for t in _texts(q))
    piped = any(PIPE.search(text) for text in texts)
    return Plan(tuple(pages), active, piped, plans)


def _question_plan(q: Question) -> QuestionPlan:
    qtype = REGISTRY[q.type]
    items = {f"{q.id}-{item.code}": item.relevant for item in q.items}
    fields = tuple((name, _tree(items.get(name))) for name in qtype.field_names(q))
    filtered = q.choice_filter is not None or any(o.relevant for o in q.options)
    options = tuple((o.code, _tree(o.relevant)) for o in q.options) if filtered else ()
    return QuestionPlan(q, replace(q, required=False), fields, _tree(q.relevant),
                        _tree(q.required_if), options, _tree(q.choice_filter),
                        _tree(q.calculation), screen_out=_tree(q.screen_out))  # fmt: skip


def _has_rule(q: Question) -> bool:
    rules = (q.relevant, q.required_if, q.constraint, q.choice_filter, q.calculation, q.screen_out)
    return any(rules) or any(o.relevant for o in (*q.options, *q.items))


def _texts(q: Question) -> Iterator[str]:
    yield q.text
    yield q.help
    yield from (o.label for o in (*q.options, *q.items))


def evaluate_state(
    definition: Definition,
    answers: Mapping[str, Any],
    absent: Collection[str] = (),
    today: date | str | None = None,
) -> State:
    """Walk the definition with these answers; `absent` fields count as not asked."""
    plan = plan_of(definition)
    state = State(today=today)
    if not plan.active and not absent:
        fields = {name for page in plan.pages for name in page.fields}
        state.applies = [True] * len(plan.pages)
        state.values = {k: v for k, v in answers.items() if k in fields and v is not None}
        return state
    env = state.env()
    for index, page in enumerate(plan.pages):
        state.applies.append(_walk_page(index, page, answers, absent, state, env))
        if state.screened is not None:
            break
    state.applies += [False] * (len(plan.pages) - len(state.applies))
    return state


def _walk_page(index: int, page: PagePlan, answers: Mapping[str, Any], absent: Collection[str],
               state: State, env: Env) -> bool:  # fmt: skip
    """Walk one page; True when it applies (relevant, and shows a field)."""
    on = page.relevant is None or truthy(page.relevant.value(env))
    shown = False
    for qp in page.questions:
        q_on = on and (qp.relevant is None or truthy(qp.relevant.value(env)))
        if qp.calculation is not None:
            _calculate(qp, q_on, state, env)
        else:
            shown = _show(qp, q_on, answers, absent, state, env) or shown
        if q_on and qp.screen_out is not None and truthy(qp.screen_out.value(env)):
            state.screened = (index, qp.question.id)
            return on and shown
    if on and page.screen_out is not None and truthy(page.screen_out.value(env)):
        state.screened = (index, None)
    return on and shown


def _calculate(qp: QuestionPlan, on: bool, state: State, env: Env) -> None:
    name = qp.question.id
    state.values.pop(name, None)
    if not on:
        state.hidden.add(name)
        return
    for needed in qp.needs:  # a calculation placed later: its inputs are all known by now
        _store(state, needed.question.id, needed.calculation.value(env))  # type: ignore[union-attr]
    _store(state, name, qp.calculation.value(env))  # type: ignore[union-attr]


def _store(state: State, name: str, value: Any) -> None:
    text = as_text(value)
    if text:
        state.values[name] = text
    else:
        state.values.pop(name, None)


def _show(qp: QuestionPlan, on: bool, answers: Mapping[str, Any], absent: Collection[str],
          state: State, env: Env) -> bool:  # fmt: skip
    """Record which of a question's fields are shown and keep their answers; True when
    any field is shown."""
    if not on:
        state.hidden.update(name for name, _ in qp.fields)
        return False
    offered = _offered(qp, state) if qp.filtered else None
    shown = False
    for name, relevant in qp.fields:
        if name in absent or (relevant is not None and not truthy(relevant.value(env))):
            state.hidden.add(name)
            continue
        shown = True
        value = answers.get(name)
        if offered is not None and name == qp.question.id:  # the field holding the codes
            state.offered[name] = offered
            value = _keep(value, offered)
        if value is not None:
            state.values[name] = value
    if offered is not None:
        _recheck(qp, state)
    return shown


def _recheck(qp: QuestionPlan, state: State) -> None:
    """Once codes no longer offered are dropped, the fields that depend on them (the
    "please specify" text of an option no longer chosen) are dropped too."""
    names = {name for name, _ in qp.fields}
    values = state.values

    def getlist(name: str) -> list[str]:
        value = values.get(name)
        return [] if value is None else list(value) if isinstance(value, list) else [value]

    for name, value, error in REGISTRY[qp.question.type].check_question(qp.relaxed, getlist):
        if name in names and (error or value is None):
            values.pop(name, None)


def _offered(qp: QuestionPlan, state: State) -> frozenset[str]:
    env, choice_filter = state.env(), qp.choice_filter
    return frozenset(
        code
        for code, relevant in qp.options
        if (relevant is None or truthy(relevant.value(env)))
        and (choice_filter is None or truthy(choice_filter.value(state.env(code))))
    )


def _keep(value: Any, offered: frozenset[str]) -> Any:
    """The answer without codes the question no longer offers (None when nothing is left)."""
    if isinstance(value, list):
        kept = [code for code in value if code in offered]
        return kept or None
    return value if value is None or value in offered else None


def required(qp: QuestionPlan, state: State) -> bool:
    """Whether a shown question needs an answer now."""
    if qp.question.required:
        return True
    return qp.required_if is not None and truthy(qp.required_if.value(state.env()))


def reached(plan: Plan, state: State) -> list[str]:
    """The fields up to the screening point (every field when not screened out)."""
    if state.screened is None:
        return [name for page in plan.pages for name in page.fields]
    index, question = state.screened
    names = [name for page in plan.pages[:index] for name in page.fields]
    for qp in plan.pages[index].questions:
        names.extend(name for name, _ in qp.fields)
        if qp.question.id == question:
            break
    return names
