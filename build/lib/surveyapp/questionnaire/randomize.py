"""Randomised order: options or matrix items of a question (`randomize: true` on it), the
questions of a page (`randomize: true` on the page) and the pages of a group (pages with
`group: X`, X listed in the top-level `randomize_pages`). Entries with `anchor: true`
keep their place; the others are shuffled among the remaining places.

The order is a pure function of the respondent's submission key and the element's order
column name (`<question>_order`, `page_<n>_order`, `<group>_order`), so it survives Back
and reloads, needs no storage while answering, and a client cannot choose it. Each
element's non-anchored entries are sorted by a keyed SHA-256 of their codes: a uniform
permutation that does not depend on the order it starts from, so arranging an arranged
definition changes nothing. The order shown is stored with the response under the
order column name (a list of codes: option or item codes, question ids, page numbers).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, TypeVar

from surveyapp.questionnaire.model import Definition, Page, Question
from surveyapp.questionnaire.types import REGISTRY

if TYPE_CHECKING:
    from surveyapp.questionnaire.reader import Reader

T = TypeVar("T")
ORDER_SEPARATOR = ";"


@dataclass(frozen=True)
class Element:
    """One randomised list: its order column, its codes in definition order with their
    labels, the anchored ones, where it is declared (a definition path) and what it is."""

    name: str
    codes: tuple[str, ...]
    labels: tuple[str, ...]
    anchored: frozenset[str]
    path: str
    text: str


_elements: dict[tuple[str, str], tuple[Element, ...]] = {}


def page_keys(raw_page: dict, at: str, reader: Reader) -> dict[str, Any]:
    """The randomisation keys of one page mapping: group, randomize, anchor."""
    return {
        "group": reader.code(raw_page, "group", at) if "group" in raw_page else "",
        "randomize": reader.boolean(raw_page, "randomize", at, False),
        "anchor": reader.boolean(raw_page, "anchor", at, False),
    }


def randomized_groups(raw: dict, reader: Reader) -> tuple[str, ...]:
    names = raw.get("randomize_pages") or []
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        reader.error("randomize_pages", "must be a list of page group names")
        return ()
    return tuple(names)


def _question_list(q: Question) -> tuple[str, tuple]:
    attribute = REGISTRY[q.type].shuffles
    return attribute, getattr(q, attribute)


def _find_elements(definition: Definition) -> tuple[Element, ...]:
    found = []
    for index, page in enumerate(definition.pages):
        questions = page.questions
        if page.randomize:
            found.append(Element(
                f"page_{page.number}_order", tuple(q.id for q in questions),
                tuple(q.text for q in questions),
                frozenset(q.id for q in questions if q.settings.get("anchor")),
                f"pages[{index}].randomize", f"The questions of page {page.number}",
            ))  # fmt: skip
        for position, q in enumerate(questions):
            if q.settings.get("randomize"):
                listed = _question_list(q)[1]
                found.append(Element(
                    f"{q.id}_order", tuple(o.code for o in listed), tuple(o.label for o in listed),
                    frozenset(o.code for o in listed if o.anchor),
                    f"pages[{index}].questions[{position}].randomize", q.text,
                ))  # fmt: skip
    for index, group in enumerate(definition.randomize_pages):
        pages = [p for p in definition.pages if p.group == group]
        found.append(Element(
            f"{group}_order", tuple(str(p.number) for p in pages), tuple(p.title for p in pages),
            frozenset(str(p.number) for p in pages if p.anchor), f"randomize_pages[{index}]",
            f"The pages of group {group} (page numbers)",
        ))  # fmt: skip
    return tuple(found)


def elements(definition: Definition) -> tuple[Element, ...]:
    """Every randomised list of a definition; computed once per version and language."""
    key = (definition.version, definition.language)
    if key not in _elements:
        _elements[key] = _find_elements(definition)
    return _elements[key]


def randomized(definition: Definition) -> bool:
    return bool(elements(definition))


def check_arrangement(
    definition: Definition, fields: Iterable[str], error: Callable[[str, str], None]
) -> None:
    """Definition errors: a group whose pages do not follow one another, a randomised group
    with fewer than two pages, an order column that is also a field or another's column."""
    taken = set(fields)
    for element in _find_elements(definition):
        if element.name in taken:
            error(element.path, f"its order column {element.name!r} is already a column")
        taken.add(element.name)
        if element.path.startswith("randomize_pages") and len(element.codes) < 2:
            group = element.name.removesuffix("_order")
            error(element.path, f"{group!r} must be the group of two pages or more")
    places: dict[str, list[int]] = {}
    for index, page in enumerate(definition.pages):
        if page.group:
            places.setdefault(page.group, []).append(index)
    for group, indexes in places.items():
        if indexes != list(range(indexes[0], indexes[0] + len(indexes))):
            apart = next(j for i, j in zip(indexes, indexes[1:], strict=False) if j != i + 1)
            message = f"the pages of group {group!r} must follow one another"
            error(f"pages[{apart}].group", message)


def _rank(seed: str, code: str) -> bytes:
    return hashlib.sha256(f"{seed}\x1f{code}".encode()).digest()


def shuffled(
    entries: Iterable[T], code: Callable[[T], str], anchored: Callable[[T], bool], seed: str
) -> list[T]:
    """`entries` with the anchored ones in place and the others in the order of their keyed
    hashes: the same seed gives the same order whatever order the entries come in."""
    entries = list(entries)
    free = sorted((e for e in entries if not anchored(e)), key=lambda e: _rank(seed, code(e)))
    moving = iter(free)
    return [e if anchored(e) else next(moving) for e in entries]


def _arranged_question(q: Question, key: str) -> Question:
    if not q.settings.get("randomize"):
        return q
    attribute, listed = _question_list(q)
    order = shuffled(listed, lambda o: o.code, lambda o: o.anchor, f"{key}:{q.id}_order")
    return replace(q, **{attribute: tuple(order)})


def _arranged_page(page: Page, key: str) -> Page:
    questions = [_arranged_question(q, key) for q in page.questions]
    if page.randomize:
        questions = shuffled(
            questions, lambda q: q.id, lambda q: bool(q.settings.get("anchor")),
            f"{key}:page_{page.number}_order",
        )  # fmt: skip
    return replace(page, questions=tuple(questions))


def arranged(definition: Definition, key: str) -> Definition:
    """The definition as the respondent with this submission key sees it (the same object
    when nothing is randomised)."""
    if not randomized(definition):
        return definition
    pages = [_arranged_page(page, key) for page in definition.pages]
    for group in definition.randomize_pages:
        slots = [i for i, page in enumerate(pages) if page.group == group]
        members = shuffled([pages[i] for i in slots], lambda p: str(p.number),
                           lambda p: p.anchor, f"{key}:{group}_order")  # fmt: skip
        for slot, page in zip(slots, members, strict=True):
            pages[slot] = page
    return replace(definition, pages=tuple(pages))


def orders(definition: Definition, key: str) -> dict[str, list[str]]:
    """{order column: codes in the order shown} of every randomised list, as stored with
    the response."""
    found = elements(definition)
    if not found:
        return {}
    view = arranged(definition, key)
    shown: dict[str, list[str]] = {}
    for page in view.pages:
        shown[f"page_{page.number}_order"] = [q.id for q in page.questions]
        for q in page.questions:
            if q.settings.get("randomize"):
                shown[f"{q.id}_order"] = [o.code for o in _question_list(q)[1]]
    for group in definition.randomize_pages:
        shown[f"{group}_order"] = [str(p.number) for p in view.pages if p.group == group]
    return {element.name: shown[element.name] for element in found}


def check_orders(
    definition: Definition, getlist: Callable[[str], list[str]]
) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Imported order columns: (orders, {column: problem}). An empty or absent column stores
    nothing; a given one must list every code once with the anchored ones in place."""
    kept: dict[str, list[str]] = {}
    problems: dict[str, str] = {}
    for element in elements(definition):
        given = [v.strip() for v in getlist(element.name) if v.strip()]
        if not given:
            continue
        same = sorted(given) == sorted(element.codes)
        if not same or any(given[i] != c for i, c in enumerate(element.codes)
                           if c in element.anchored):  # fmt: skip
            anchors = [c for c in element.codes if c in element.anchored]
            fixed = f", with {', '.join(anchors)} in place" if anchors else ""
            problems[element.name] = (
                f"must list {', '.join(element.codes)} each once in the order shown{fixed}"
            )
            continue
        kept[element.name] = given
    return kept, problems
