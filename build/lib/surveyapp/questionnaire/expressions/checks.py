"""Definition-time checks of a parsed expression against the questionnaire around it."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass

from surveyapp.questionnaire.expressions.lexer import ExpressionError
from surveyapp.questionnaire.expressions.nodes import Call, Chain, Dot, Literal, Node, Ref
from surveyapp.questionnaire.expressions.values import SPACE, number_text, to_number, to_string


@dataclass(frozen=True)
class ChoiceField:
    """A field answered by choosing codes: its codes (None when not known, e.g. a
    calculated list) and whether several may be chosen."""

    codes: frozenset[str] | None
    multiple: bool = False


@dataclass(frozen=True)
class Context:
    known: frozenset[str]
    every: frozenset[str]
    choices: Mapping[str, ChoiceField]
    allow_dot: bool
    current: str | None
    location: str

    def fail(self, kind: str, message: str, at: int | None) -> ExpressionError:
        return ExpressionError(kind, message, at, self.location)

    def field_of(self, node: Node) -> tuple[str, ChoiceField | None] | None:
        """(name, its choices) when the node stands for a whole answer."""
        if isinstance(node, Ref):
            return node.name, self.choices.get(node.name)
        if isinstance(node, Dot) and self.current is not None:
            return self.current, self.choices.get(self.current)
        return None


def walk(tree: Node) -> Iterator[Node]:
    """Every node of a tree, parents before children (iterative: no recursion limit)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(node.children()))


def references(tree: Node) -> set[str]:
    """The field names an expression reads."""
    return {node.name for node in walk(tree) if isinstance(node, Ref)}


def check(
    tree: Node,
    *,
    known_fields: Collection[str],
    choice_fields: Mapping[str, ChoiceField],
    allow_dot: bool,
    location: str,
    all_fields: Collection[str] = (),
    current_field: str | None = None,
) -> None:
    """Raise ExpressionError for the first reference to an unknown or later field, a `.`
    where there is no current answer, or a choice function or comparison that cannot fit."""
    context = Context(frozenset(known_fields), frozenset(all_fields), choice_fields,
                      allow_dot, current_field, location)  # fmt: skip
    for node in walk(tree):
        if isinstance(node, Ref):
            _check_ref(node, context)
        elif isinstance(node, Dot) and not allow_dot:
            raise context.fail("dot", "'.' (the current answer) is only allowed in a constraint",
                               node.at)  # fmt: skip
        elif isinstance(node, Call) and node.name in ("selected", "count-selected"):
            _check_choice_call(node, context)
        elif isinstance(node, Chain):
            _check_comparisons(node, context)


def _check_ref(node: Ref, context: Context) -> None:
    if node.name in context.known:
        return
    if node.name in context.every:
        message = f"${{{node.name}}} comes later in the questionnaire; refer to earlier ones"
        raise context.fail("later-field", message, node.at)
    raise context.fail("unknown-field", f"unknown question ${{{node.name}}}", node.at)


def _check_choice_call(node: Call, context: Context) -> None:
    subject = context.field_of(node.args[0])
    if subject is None:
        return
    name, choice = subject
    if choice is None:
        message = f"{node.name}() needs a choice question; {name!r} is not one"
        raise context.fail("type", message, node.at)
    if node.name == "selected" and isinstance(node.args[1], Literal):
        _check_code(name, choice, to_string(node.args[1].constant).strip(SPACE), node.at, context)


def _check_code(name: str, choice: ChoiceField, code: str, at: int, context: Context) -> None:
    if choice.codes is None or code in choice.codes:
        return
    raise context.fail("type", f"{code!r} is not an option of {name!r}", at)


def _check_comparisons(node: Chain, context: Context) -> None:
    left = node.first
    for operator, right in node.steps:
        if operator in ("=", "!="):
            _check_comparison(left, right, context)
            _check_comparison(right, left, context)
        left = right


def _check_comparison(subject: Node, other: Node, context: Context) -> None:
    """${choice} = 'code': the code must be an option; a multiple choice needs selected()."""
    found = context.field_of(subject)
    if found is None or found[1] is None or not isinstance(other, Literal):
        return
    name, choice = found
    if other.constant == "":
        return
    if choice.multiple:
        message = f"{name!r} allows several answers: test it with selected(${{{name}}}, 'code')"
        raise context.fail("type", message, other.at)
    if isinstance(other.constant, float):
        codes = choice.codes or ()
        if choice.codes is None or any(to_number(code) == other.constant for code in codes):
            return
        message = f"no option of {name!r} has the code {number_text(other.constant)}"
        raise context.fail("type", message, other.at)
    _check_code(name, choice, other.constant, other.at, context)


def find_cycle(graph: Mapping[str, Node]) -> list[str] | None:
    """A cycle among calculated fields, as names from one back to itself (['a', 'b', 'a']),
    or None. Names outside the graph are ignored."""
    edges = {name: sorted(references(tree) & graph.keys()) for name, tree in graph.items()}
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for root in graph:
        if root in state:
            continue
        path, stack = [root], [iter(edges[root])]
        state[root] = 1
        while stack:
            following = next(stack[-1], None)
            if following is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(following) == 1:
                return path[path.index(following) :] + [following]
            elif following not in state:
                state[following] = 1
                path.append(following)
                stack.append(iter(edges[following]))
    return None
