"""Exports of stored responses as CSV, JSON Lines and XLSX, plus a codebook.

Every export is a generator reading the responses with fetchmany, so memory stays
flat however many responses there are. Text a spreadsheet would run as a formula
is neutralised in CSV and XLSX (OWASP CSV injection); JSON keeps text exactly.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import orjson
import sqlite_utils

from surveyapp.exchange import xlsx
from surveyapp.exchange.cells import csv_text, neutralise, text_cell
from surveyapp.questionnaire.model import Definition
from surveyapp.questionnaire.randomize import elements
from surveyapp.questionnaire.types import REGISTRY
from surveyapp.store import listing
from surveyapp.store.filters import NO_FILTERS, Filters

META = ["response_id", "submitted_at", "edition", "version"]
META_TEXT = {
    "response_id": "Response identifier",
    "submitted_at": "Time the response was submitted (UTC, ISO 8601)",
    "edition": "Questionnaire edition",
    "version": "Definition version the respondent saw",
}
EMAIL = "email"
EMAIL_TEXT = "Email of the invitation answered (non-anonymous editions only)"
CODEBOOK = ["column", "question", "item", "type", "code", "label"]
ORDER_ITEM = "order shown (codes joined by ';', first shown first)"
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "jsonl": "application/x-ndjson; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
BATCH = 500
Editions = dict[int, Definition]


def columns(editions: Editions, filters: Filters = NO_FILTERS) -> list[str]:
    """META, then every field name in definition order, then the order column of every
    randomised list (the codes in the order shown); across editions the union: the oldest
    edition's columns, then each column a later edition adds, in its order."""
    names: list[str] = []
    orders: list[str] = []
    for _edition, definition in _chosen(editions, filters):
        for q in definition.questions():
            for name in REGISTRY[q.type].field_names(q):
                if name not in names:
                    names.append(name)
        orders.extend(e.name for e in elements(definition) if e.name not in orders)
    return META + ([EMAIL] if _tied(editions, filters) else []) + names + orders


def _tied(editions: Editions, filters: Filters) -> bool:
    """Whether an email column is exported: only when a chosen edition is non-anonymous."""
    return any(not d.anonymous for _e, d in _chosen(editions, filters))


def _chosen(editions: Editions, filters: Filters) -> list[tuple[int, Definition]]:
    return [(e, d) for e, d in sorted(editions.items()) if filters.edition in (None, e)]


def _labels(editions: Editions) -> dict[int, dict[str, dict[str, str]]]:
    """{edition: {field: {code: label}}} for the choice fields of every edition."""
    return {
        edition: {
            name: {o.code: o.label for o in options}
            for q in definition.questions()
            for name, options in REGISTRY[q.type].tallied(q)
        }
        for edition, definition in editions.items()
    }


def value_rows(
    db: sqlite_utils.Database, survey: str, editions: Editions,
    filters: Filters = NO_FILTERS, labels: bool = False,
) -> Iterator[list[Any]]:  # fmt: skip
    """One list per response with a value for every column, in `columns` order (None
    when unanswered; multiple choice stays a list)."""
    tied = _tied(editions, filters)
    first = len(META) + tied
    fields = columns(editions, filters)[first:]
    names = _labels(editions) if labels else {}
    emails = listing.invitation_emails(db, survey) if tied else {}
    for response_id, submitted_at, edition, version, answers in listing.response_rows(
        db, survey, filters
    ):
        values = [response_id, submitted_at, edition, version, *map(answers.get, fields)]
        if tied:
            values.insert(len(META), emails.get(response_id))
        lookup = names.get(edition)
        if lookup:
            for index, field in enumerate(fields, first):
                codes, value = lookup.get(field), values[index]
                if codes is not None and value is not None:
                    values[index] = (
                        [codes.get(v, v) for v in value]
                        if isinstance(value, list)
                        else codes.get(value, value)
                    )
        yield values


def records(
    db: sqlite_utils.Database, survey: str, editions: Editions,
    filters: Filters = NO_FILTERS, labels: bool = False,
) -> Iterator[dict[str, Any]]:  # fmt: skip
    """One dict per response with every column (None when unanswered; lists stay lists)."""
    names = columns(editions, filters)
    for values in value_rows(db, survey, editions, filters, labels):
        yield dict(zip(names, values, strict=True))


def _batched(items: Iterable[Any], size: int = BATCH) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def csv_stream(
    db: sqlite_utils.Database, survey: str, editions: Editions,
    filters: Filters = NO_FILTERS, labels: bool = False,
) -> Iterator[str]:  # fmt: skip
    """CSV text in chunks: the header first (so a download starts at once), then rows."""
    yield csv_text([columns(editions, filters)])
    for chunk in _batched(value_rows(db, survey, editions, filters, labels)):
        yield csv_text(chunk)


def jsonl_stream(
    db: sqlite_utils.Database, survey: str, editions: Editions,
    filters: Filters = NO_FILTERS, labels: bool = False,
) -> Iterator[str]:  # fmt: skip
    """One JSON object per line, keys in column order; multiple choice stays a list."""
    for chunk in _batched(records(db, survey, editions, filters, labels)):
        yield b"".join(orjson.dumps(r) + b"\n" for r in chunk).decode()


def xlsx_stream(
    db: sqlite_utils.Database, survey: str, editions: Editions,
    filters: Filters = NO_FILTERS, labels: bool = False,
) -> Iterator[bytes]:  # fmt: skip
    """An XLSX workbook streamed as the rows are read (surveyapp.xlsx): numbers and inline
    strings only, so no cell can become a formula; formula-like text is neutralised."""
    header = [neutralise(name) for name in columns(editions, filters)]

    def rows() -> Iterator[list[Any]]:
        yield header
        for values in value_rows(db, survey, editions, filters, labels):
            yield list(map(text_cell, values))

    yield from xlsx.stream(rows(), "responses")


STREAMS = {"csv": csv_stream, "jsonl": jsonl_stream, "xlsx": xlsx_stream}


def codebook_rows(editions: Editions, filters: Filters = NO_FILTERS) -> Iterator[list[str]]:
    """CODEBOOK rows: one per code of a choice field, one per other column. A field takes
    its text from the newest edition that has it."""
    for name in META:
        yield [name, META_TEXT[name], "", "meta", "", ""]
    if _tied(editions, filters):
        yield [EMAIL, EMAIL_TEXT, "", "meta", "", ""]
    seen: set[str] = set()
    for _edition, definition in reversed(_chosen(editions, filters)):
        for q in definition.questions():
            qtype = REGISTRY[q.type]
            for name in qtype.field_names(q):
                if name in seen:
                    continue
                seen.add(name)
                item = qtype.item_label(q, name)
                options = dict(qtype.tallied(q)).get(name, ())
                for option in options or [None]:
                    code, label = (option.code, option.label) if option else ("", "")
                    yield [name, q.text, item, q.type, code, label]
        yield from _order_rows(definition, seen)


def _order_rows(definition: Definition, seen: set[str]) -> Iterator[list[str]]:
    """Codebook rows of the order columns: one per code that can appear in them."""
    for element in elements(definition):
        if element.name in seen:
            continue
        seen.add(element.name)
        for code, label in zip(element.codes, element.labels, strict=True):
            fixed = " (anchored: always in this place)" if code in element.anchored else ""
            yield [element.name, element.text, ORDER_ITEM, "order", code, label + fixed]


def codebook_csv(editions: Editions, filters: Filters = NO_FILTERS) -> Iterator[str]:
    order = {name: i for i, name in enumerate(columns(editions, filters))}
    rows = sorted(codebook_rows(editions, filters), key=lambda r: order[r[0]])
    yield csv_text([CODEBOOK, *rows])
