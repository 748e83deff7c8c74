"""The parsed tree: immutable nodes, each of which computes its own value."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from surveyapp.questionnaire.expressions.values import (
    OPERATORS,
    Value,
    answer_value,
    to_boolean,
    to_number,
)


class Env:
    """What one evaluation reads: the answers so far, the current answer, today's date."""

    __slots__ = ("answers", "current", "today")

    def __init__(self, answers: Mapping[str, Any], current: Any, today: date | str | None):
        self.answers, self.current, self.today = answers, current, today

    def today_text(self) -> str:
        if self.today is None:
            self.today = date.today()
        return self.today if isinstance(self.today, str) else self.today.isoformat()


class Node:
    __slots__ = ()

    def value(self, env: Env) -> Value:
        raise NotImplementedError

    def children(self) -> tuple[Node, ...]:
        return ()


@dataclass(frozen=True, slots=True)
class Literal(Node):
    constant: str | float
    at: int

    def value(self, env: Env) -> Value:
        return self.constant


@dataclass(frozen=True, slots=True)
class Ref(Node):
    """${name}: an answer given so far."""

    name: str
    at: int

    def value(self, env: Env) -> Value:
        raw = env.answers.get(self.name)
        return raw if type(raw) is str else answer_value(raw)


@dataclass(frozen=True, slots=True)
class Dot(Node):
    """`.`: the answer a constraint checks."""

    at: int

    def value(self, env: Env) -> Value:
        return answer_value(env.current)


@dataclass(frozen=True, slots=True)
class Negate(Node):
    operand: Node
    at: int

    def value(self, env: Env) -> Value:
        return -to_number(self.operand.value(env))

    def children(self) -> tuple[Node, ...]:
        return (self.operand,)


@dataclass(frozen=True, slots=True)
class Chain(Node):
    """Operators of one precedence level, applied left to right: a - b + c."""

    first: Node
    steps: tuple[tuple[str, Node], ...]
    calls: tuple[tuple[Callable[[Value, Value], Value], Node], ...] = field(
        init=False, compare=False, repr=False
    )

    def __post_init__(self) -> None:
        calls = tuple((OPERATORS[operator], operand) for operator, operand in self.steps)
        object.__setattr__(self, "calls", calls)

    def value(self, env: Env) -> Value:
        result = self.first.value(env)
        for function, operand in self.calls:
            result = function(result, operand.value(env))
        return result

    def children(self) -> tuple[Node, ...]:
        return (self.first, *(operand for _operator, operand in self.steps))


@dataclass(frozen=True, slots=True)
class Junction(Node):
    """`and` (every operand true) or `or` (any operand true), short-circuiting."""

    operands: tuple[Node, ...]
    every: bool

    def value(self, env: Env) -> Value:
        truths = (to_boolean(operand.value(env)) for operand in self.operands)
        return all(truths) if self.every else any(truths)

    def children(self) -> tuple[Node, ...]:
        return self.operands


def And(operands: tuple[Node, ...]) -> Junction:  # noqa: N802 - reads like the other nodes
    return Junction(operands, every=True)


def Or(operands: tuple[Node, ...]) -> Junction:  # noqa: N802 - reads like the other nodes
    return Junction(operands, every=False)


@dataclass(frozen=True, slots=True)
class Call(Node):
    """A function call; `run` is the function's implementation, `pattern` the compiled
    regex() pattern (both derived from the name and arguments at parse time)."""

    name: str
    args: tuple[Node, ...]
    at: int
    run: Callable[[Call, Env], Value] = field(compare=False, repr=False)
    pattern: Any = field(default=None, compare=False, repr=False)

    def value(self, env: Env) -> Value:
        return self.run(self, env)

    def children(self) -> tuple[Node, ...]:
        return self.args
