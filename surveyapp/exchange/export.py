"""Exports of stored responses as CSV, JSON Lines and XLSX, plus a codebook.

Every export is a generator reading the responses with fetchmany, so memory stays
flat however many responses there are. Text a spreadsheet would run as a formula
is neutralised in CSV and XLSX (OWASP CSV injection); JSON keeps text exactly.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from typing import Any

import orjson
import sqlite_utils

from surveyapp.exchange import xlsx
from surveyapp.questionnaire import marks
from surveyapp.questionnaire.model import Definition
from surveyapp.questionnaire.types import REGISTRY
from surveyapp.store import listing
from surveyapp.store.filters import NO_FILTERS, Filters

META = ["response_id", "submitted_at", "edition", "version", "status", "not_shown"]
META_TEXT = {
    "response_id": "Response identifier",
    "submitted_at": "Time the response was submitted (UTC, ISO 8601)",
    "edition": "Questionnaire edition",
    "version": "Definition version the respondent saw",
    "status": "completed, or screened_out when a screening rule ended the questionnaire"
    " (answers after that point are not kept)",
    "not_shown": "Fields the respondent was not shown (not asked); their cells are empty,"
    " unlike a question shown and left blank",
}
EMAIL = "email"
EMAIL_TEXT = "Email of the invitation answered (non-anonymous editions only)"
CODEBOOK = ["column", "question", "item", "type", "code", "label"]
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "jsonl": "application/x-ndjson; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
BATCH = 500
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\0")
PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")

Editions = dict[int, Definition]


def neutralise(text: str) -> str:
    """Prefix "'" to text a spreadsheet would run as a formula; a plain negative number
    such as "-3" is data, not a formula, and stays as it is."""
    if text.startswith(FORMULA_START) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def columns(editions: Editions, filters: Filters = NO_FILTERS) -> list[str]:
    """META, then every field name in definition order; across editions the union:
    the oldest edition's fields, then each field a later edition adds, in its order."""
    names: list[str] = []
    for _edition, definition in _chosen(editions, filters):
        for q in definition.questions():
            for name in REGISTRY[q.type].field_names(q):
                if name not in names:
                    names.append(name)
    return META + ([EMAIL] if _tied(editions, filters) else []) + names


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
        values = [response_id, submitted_at, edition, version, marks.status(answers),
                  marks.not_shown(answers) or None, *map(answers.get, fields)]  # fmt: skip
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


def _text_cell(value: Any) -> Any:
    """A cell for CSV and XLSX: lists joined with ";", text neutralised, None and
    numbers as they are."""
    if value.__class__ is str:
        return value if value[:1] not in _FORMULA_FIRST else neutralise(value)
    if value.__class__ is list:
        return neutralise(";".join(value))
    return value


_FORMULA_FIRST = frozenset(FORMULA_START)


def _csv_text(rows: Iterable[list[Any]]) -> str:
    buffer = io.StringIO()
    first = _FORMULA_FIRST
    csv.writer(buffer).writerows(
        [c if c.__class__ is str and c[:1] not in first else _csv_cell(c) for c in row]
        for row in rows
    )
    return buffer.getvalue()


def _csv_cell(value: Any) -> str:
    return "" if value is None else str(_text_cell(value))


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
    yield _csv_text([columns(editions, filters)])
    for chunk in _batched(value_rows(db, survey, editions, filters, labels)):
        yield _csv_text(chunk)


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
            yield list(map(_text_cell, values))

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


def codebook_csv(editions: Editions, filters: Filters = NO_FILTERS) -> Iterator[str]:
    order = {name: i for i, name in enumerate(columns(editions, filters))}
    rows = sorted(codebook_rows(editions, filters), key=lambda r: order[r[0]])
    yield _csv_text([CODEBOOK, *rows])
