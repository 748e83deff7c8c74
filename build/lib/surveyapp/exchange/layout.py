"""The columns every export shares: the meta columns, an email column for non-anonymous
editions, a weight column when the caller passes weights, then every field in definition
order (across editions the union: the oldest edition's fields, then each field a later
edition adds, in its order)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, Protocol

from surveyapp.questionnaire.model import Definition
from surveyapp.questionnaire.randomize import Element, elements
from surveyapp.questionnaire.types import REGISTRY
from surveyapp.store.filters import NO_FILTERS, Filters

META = ["response_id", "submitted_at", "edition", "version", "status", "not_shown", "language"]
META_TEXT = {
    "response_id": "Response identifier",
    "submitted_at": "Time the response was submitted (UTC, ISO 8601)",
    "edition": "Questionnaire edition",
    "version": "Definition version the respondent saw",
    "status": "completed, or screened_out when a screening rule ended the questionnaire"
    " (answers after that point are not kept)",
    "not_shown": "Fields the respondent was not shown (not asked); their cells are empty,"
    " unlike a question shown and left blank",
    "language": "Code of the language the questionnaire was answered in",
}
EMAIL = "email"
EMAIL_TEXT = "Email of the invitation answered (non-anonymous editions only)"
ORDER_TEXT = "order shown (codes joined by ';', first shown first)"
WEIGHT = "weight"
Editions = dict[int, Definition]


class Weigher(Protocol):
    """A response's weight (surveyapp.figures.weighting.weigher makes one): None for a
    response that cannot be weighted (its edition has no targets, or it lacks an answer
    to a weighting question)."""

    label: str  # what the weight column says it is

    def __call__(self, edition: int, answers: dict[str, Any]) -> float | None: ...


def chosen(editions: Editions, filters: Filters) -> list[tuple[int, Definition]]:
    return [(e, d) for e, d in sorted(editions.items()) if filters.edition in (None, e)]


def tied(editions: Editions, filters: Filters) -> bool:
    """Whether an email column is exported: only when a chosen edition is non-anonymous."""
    return any(not d.anonymous for _e, d in chosen(editions, filters))


def fields(editions: Editions, filters: Filters = NO_FILTERS) -> list[str]:
    """Every field name in definition order, across the chosen editions."""
    names: list[str] = []
    for _edition, definition in chosen(editions, filters):
        for q in definition.questions():
            for name in REGISTRY[q.type].field_names(q):
                if name not in names:
                    names.append(name)
    return names


def order_elements(editions: Editions, filters: Filters = NO_FILTERS) -> dict[str, Element]:
    """{order column: its randomised list} across the chosen editions (the newest wins)."""
    found: dict[str, Element] = {}
    for _edition, definition in chosen(editions, filters):
        found.update((e.name, e) for e in elements(definition))
    return found


def columns(editions: Editions, filters: Filters = NO_FILTERS, weighted: bool = False) -> list[str]:
    """META, the email and weight columns when there are any, every field, then the order
    column of every randomised list (the codes in the order shown)."""
    extra = ([EMAIL] if tied(editions, filters) else []) + ([WEIGHT] if weighted else [])
    return META + extra + fields(editions, filters) + list(order_elements(editions, filters))


def widths(header: list[str], editions: Editions, filters: Filters = NO_FILTERS) -> list[float]:
    """A spreadsheet column width (in characters) for each column of `header`: free text
    wide, codes as wide as their name, times wide enough for date and time."""
    texts = {
        name
        for _edition, definition in chosen(editions, filters)
        for q in definition.questions()
        for name in REGISTRY[q.type].comment_fields(q)
    }
    fixed = {"response_id": 24, "submitted_at": 20, "edition": 9, "version": 14}
    return [
        fixed.get(name) or (48 if name in texts else min(max(len(name) + 3, 12), 32))
        for name in header
    ]


def chunked(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """Lists of `size` items (the last may be shorter), so exports write in batches."""
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
