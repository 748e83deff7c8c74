"""Reading and checking the logic keys of a definition when it loads.

The keys: `relevant` on pages, questions, matrix items and options; `required` given as an
expression, and `required_message` (instead of the general one); `constraint` and
`constraint_message`; `choice_filter` (a question's options,
`.` standing for each option's code); `calculation` (of a computed question); `screen_out`
on pages and questions; and `${name}` piping in question texts, help and labels. Every
expression is parsed once here and checked against the questionnaire around it, so an
unknown function, an unknown or later question, a type mismatch or a loop among
calculations is a definition error naming the file and key path, never a runtime error.

What an expression may read, by where it stands (fields = question ids and matrix items):
- a page's `relevant`: the fields of earlier pages;
- a question's `relevant`, `required`, `choice_filter`, its options' and items' `relevant`:
  the fields before the question (an item's also the matrix's earlier items);
- `constraint`: those, plus `.` (the answer checked; each item of a matrix);
- a question's `screen_out`: those and the question's own fields; a page's: every field up
  to the end of the page;
- `calculation`: the fields before it and any other calculation, wherever it stands, as long
  as no calculation leads back to itself and none depends on a later question;
- piping: the fields of earlier pages (a value given on the same page is not known yet
  when the page is drawn).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from surveyapp.questionnaire.expressions import (
    ChoiceField,
    ExpressionError,
    check,
    find_cycle,
    parse,
    references,
)
from surveyapp.questionnaire.model import Definition, Question, Rule
from surveyapp.questionnaire.types import REGISTRY

if TYPE_CHECKING:
    from surveyapp.questionnaire.reader import Reader

WORD = re.compile(r"[A-Za-z]+")
PIPE = re.compile(r"\$\{([A-Za-z0-9_.-]+)\}")
QUESTION_KEYS = frozenset(
    {
        "relevant",
        "constraint",
        "constraint_message",
        "choice_filter",
        "screen_out",
        "required_message",
    }
)
PAGE_KEYS = frozenset({"relevant", "screen_out"})
# A computed question (e.g. a calculation) shows nothing, so nothing about answering it applies.
COMPUTED_KEYS = frozenset({"id", "type", "text", "help", "relevant", "screen_out"})


def read_rule(reader: Reader, raw: dict, key: str, path: str) -> Rule | None:
    """The parsed expression under `key`, None when absent; a problem is an error."""
    if key not in raw:
        return None
    text, where = raw[key], f"{path}.{key}".lstrip(".")
    if not isinstance(text, str) or not text.strip():
        reader.error(where, "must be an expression")
        return None
    try:
        return Rule(text.strip(), parse(text.strip(), location=f"{reader.filename}: {where}"))
    except ExpressionError as exc:
        reader.errors.append(str(exc))
        return None


def read_required(reader: Reader, raw: dict, path: str, default: bool) -> tuple[bool, Rule | None]:
    """(`required` as true/false, None) or (False, the expression that decides it)."""
    value = raw.get("required")
    if value in (None, "true", "false") or (isinstance(value, str) and WORD.fullmatch(value)):
        return reader.boolean(raw, "required", path, default), None  # a lone word is no expression
    return False, read_rule(reader, raw, "required", path)


def question_rules(reader: Reader, raw: dict, path: str) -> dict[str, Any]:
    """The logic keys of one question, as Question keyword arguments."""
    found: dict[str, Any] = {
        key: read_rule(reader, raw, key, path)
        for key in ("relevant", "constraint", "choice_filter", "screen_out")
    }
    found["constraint_message"] = reader.text(raw, "constraint_message", path, required=False)
    if found["constraint_message"] and found["constraint"] is None:
        reader.error(f"{path}.constraint_message", "needs a constraint")
    found["required_message"] = reader.text(raw, "required_message", path, required=False)
    return found


def choice_fields(definition: Definition) -> dict[str, ChoiceField]:
    """Every field answered by choosing codes, with its codes."""
    found = {}
    for q in definition.questions():
        qtype = REGISTRY[q.type]
        for name, options in qtype.tallied(q):
            codes = frozenset(o.code for o in options)
            found[name] = ChoiceField(codes, multiple=qtype.separator is not None)
    return found


class Checker:
    """Checks every rule of one definition in definition order."""

    def __init__(self, definition: Definition, reader: Reader):
        self.reader = reader
        self.choices = choice_fields(definition)
        self.fields = {q.id: REGISTRY[q.type].field_names(q) for q in definition.questions()}
        self.every = [name for names in self.fields.values() for name in names]
        self.calculated = {q.id for q in definition.questions() if q.calculation is not None}

    def rule(self, rule: Rule | None, path: str, known: Collection[str], **options: Any) -> None:
        if rule is None:
            return
        try:
            check(rule.tree, known_fields=known, choice_fields=self.choices, all_fields=self.every,
                  location=f"{self.reader.filename}: {path}", **options)  # fmt: skip
        except ExpressionError as exc:
            self.reader.errors.append(str(exc))

    def question(self, q: Question, path: str, before: frozenset[str], drawn: frozenset[str]):
        own = self.fields[q.id]
        if q.choice_filter is not None and REGISTRY[q.type].tally != "choice":
            self.reader.error(f"{path}.choice_filter", "needs a question with options to choose")
        if REGISTRY[q.type].tally != "choice" and any(o.relevant for o in q.options):
            self.reader.error(f"{path}.options", "a relevant option needs a question with "
                              "options to choose")  # fmt: skip
        for key in ("relevant", "required_if", "choice_filter"):
            name = "required" if key == "required_if" else key
            self.rule(getattr(q, key), f"{path}.{name}", before, allow_dot=key == "choice_filter")
        self.rule(q.constraint, f"{path}.constraint", before, allow_dot=True,
                  current_field=own[0] if own else None)  # fmt: skip
        self.rule(q.screen_out, f"{path}.screen_out", before | set(own), allow_dot=False)
        self.rule(q.calculation, f"{path}.calculation", before | self.calculated, allow_dot=False)
        for key, options in (("options", q.options), ("items", q.items)):
            known = set(before)
            for index, option in enumerate(options):
                at = f"{path}.{key}[{index}]"
                self.rule(option.relevant, f"{at}.relevant", known, allow_dot=False)
                self.pipes(option.label, f"{at}.label", drawn)
                if key == "items" and not q.settings.get("randomize"):
                    # an item may follow the matrix's earlier items (unless they are shuffled)
                    known.add(f"{q.id}-{option.code}")
        self.pipes(q.text, f"{path}.text", drawn)
        self.pipes(q.help, f"{path}.help", drawn)

    def pipes(self, text: str, path: str, drawn: frozenset[str]) -> None:
        for name in PIPE.findall(text):
            if name in drawn:
                continue
            if name in self.every:
                message = (f"${{{name}}} is answered on this page or later: piping shows "
                           "answers from earlier pages")  # fmt: skip
            else:
                message = f"unknown question ${{{name}}}"
            self.reader.error(path, message)


def check_logic(definition: Definition, reader: Reader) -> None:
    """Check every rule and pipe of a definition; problems go to the reader's errors. A rule
    may not read what randomised order may place after it: the other pages of a page group
    still being shuffled, or the other questions of a page shown in random order."""
    checker = Checker(definition, reader)
    known: list[str] = []
    places: dict[str, tuple[str, frozenset[str]]] = {}
    for p, page in enumerate(definition.pages):
        start = len(known)
        drawn = frozenset(known) - _shuffled_around(definition, p, checker.fields)
        checker.rule(page.relevant, f"pages[{p}].relevant", drawn, allow_dot=False)
        for i, q in enumerate(page.questions):
            before = drawn if page.randomize else drawn | frozenset(known[start:])
            checker.question(q, f"pages[{p}].questions[{i}]", before, drawn)
            places[q.id] = (f"pages[{p}].questions[{i}].calculation", before)
            known.extend(checker.fields[q.id])
        checker.rule(page.screen_out, f"pages[{p}].screen_out", frozenset(known), allow_dot=False)
    _check_calculations(definition, reader, places)


def _shuffled_around(
    definition: Definition, index: int, fields: Mapping[str, list[str]]
) -> frozenset[str]:
    """The fields of the other pages of every randomised page group that has a page at
    `index` or later: they may be shown after page `index`."""
    found: set[str] = set()
    for group in definition.randomize_pages:
        members = [i for i, page in enumerate(definition.pages) if page.group == group]
        if members and members[-1] >= index:
            for i in members:
                if i != index:
                    found.update(n for q in definition.pages[i].questions for n in fields[q.id])
    return frozenset(found)


def _check_calculations(
    definition: Definition, reader: Reader, places: Mapping[str, tuple[str, frozenset[str]]]
) -> None:
    graph = {q.id: q.calculation.tree for q in definition.questions() if q.calculation}
    cycle = find_cycle(graph)
    if cycle:
        chain = " -> ".join(f"${{{name}}}" for name in cycle)
        reader.error(places[cycle[0]][0], f"calculations refer to each other in a circle: {chain}")
        return
    for name in graph:
        path, before = places[name]
        for through, used in _inputs(name, graph):
            if used not in before and used not in graph:
                message = (f"uses ${{{through}}}, which uses ${{{used}}}: a later question;"
                           " calculations may use earlier answers only")  # fmt: skip
                reader.error(path, message)


def _inputs(name: str, graph: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """(calculation, field it reads) for every calculation `name` depends on, itself
    excluded (its own references are checked in place)."""
    seen, stack = {name}, [name]
    while stack:
        for used in sorted(references(graph[stack.pop()])):
            if used in graph and used not in seen:
                seen.add(used)
                stack.append(used)
    for other in sorted(seen - {name}):
        for used in sorted(references(graph[other])):
            yield other, used


def calculation_order(definition: Definition) -> dict[str, tuple[str, ...]]:
    """Per calculation, the other calculations it needs, dependencies first (a definition
    that loaded has no loop among them)."""
    graph = {q.id: q.calculation.tree for q in definition.questions() if q.calculation}
    order: dict[str, tuple[str, ...]] = {}
    for name in graph:
        done: list[str] = []
        _visit(name, graph, done, set())
        order[name] = tuple(n for n in done if n != name)
    return order


def _visit(name: str, graph: Mapping[str, Any], done: list[str], seen: set[str]) -> None:
    seen.add(name)
    for used in sorted(references(graph[name]) & graph.keys()):
        if used not in seen:
            _visit(used, graph, done, seen)
    done.append(name)
