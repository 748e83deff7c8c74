"""Exports of stored responses as CSV, JSON Lines and XLSX, plus a codebook.

Every export is a generator reading the responses with fetchmany, so memory stays
flat however many responses there are. Text a spreadsheet would run as a formula
is neutralised in CSV and XLSX (OWASP CSV injection); JSON keeps text exactly.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson
import sqlite_utils

from surveyapp.exchange import layout, statfiles, statvars, xlsx
from surveyapp.exchange.cells import csv_text, xlsx_cell
from surveyapp.exchange.layout import (
    EMAIL,
    EMAIL_TEXT,
    META,
    META_TEXT,
    ORDER_TEXT,
    Editions,
    Weigher,
    chunked,
    columns,
    order_elements,
)  # fmt: skip
from surveyapp.questionnaire import marks
from surveyapp.questionnaire.types import REGISTRY
from surveyapp.store import listing, timestamps
from surveyapp.store.filters import NO_FILTERS, Filters

CODEBOOK = ["column", "question", "item", "type", "code", "label", "sav_name", "dta_name",
            "stat_value"]  # fmt: skip
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "jsonl": "application/x-ndjson; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "sav": "application/x-spss-sav",
    "dta": "application/x-stata-dta",
}
CODEBOOK_WIDTHS = (18, 48, 32, 16, 18, 32, 12, 12, 14)
BINARY = frozenset({"xlsx", "sav", "dta"})
BATCH = 500
_chosen, _tied = layout.chosen, layout.tied


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
    filters: Filters = NO_FILTERS, labels: bool = False, weights: Weigher | None = None,
) -> Iterator[list[Any]]:  # fmt: skip
    """One list per response with a value for every column, in `columns` order (None
    when unanswered; multiple choice stays a list; the weight is a number or None)."""
    tied = _tied(editions, filters)
    fields = layout.fields(editions, filters) + list(order_elements(editions, filters))
    first = len(META) + tied + (weights is not None)
    names = _labels(editions) if labels else {}
    emails = listing.invitation_emails(db, survey) if tied else {}
    for response_id, submitted_at, edition, version, answers, language in listing.response_rows(
        db, survey, filters
    ):
        hidden = marks.not_shown(answers) or None
        values = [response_id, submitted_at, edition, version, marks.status(answers), hidden,
                  language, *map(answers.get, fields)]  # fmt: skip
        if weights is not None:
            values.insert(len(META), weights(edition, answers))
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
    filters: Filters = NO_FILTERS, labels: bool = False, weights: Weigher | None = None,
) -> Iterator[dict[str, Any]]:  # fmt: skip
    """One dict per response with every column (None when unanswered; lists stay lists)."""
    names = columns(editions, filters, weights is not None)
    for values in value_rows(db, survey, editions, filters, labels, weights):
        yield dict(zip(names, values, strict=True))


def csv_stream(
    db: sqlite_utils.Database, survey: str, editions: Editions,
    filters: Filters = NO_FILTERS, labels: bool = False, weights: Weigher | None = None,
) -> Iterator[str]:  # fmt: skip
    """CSV text in chunks: the header first (so a download starts at once), then rows."""
    yield csv_text([columns(editions, filters, weights is not None)])
    for chunk in chunked(value_rows(db, survey, editions, filters, labels, weights), BATCH):
        yield csv_text(chunk)


def jsonl_stream(
    db: sqlite_utils.Database, survey: str, editions: Editions,
    filters: Filters = NO_FILTERS, labels: bool = False, weights: Weigher | None = None,
) -> Iterator[str]:  # fmt: skip
    """One JSON object per line, keys in column order; multiple choice stays a list."""
    for chunk in chunked(records(db, survey, editions, filters, labels, weights), BATCH):
        yield b"".join(orjson.dumps(r) + b"\n" for r in chunk).decode()


def xlsx_stream(
    db: sqlite_utils.Database, survey: str, editions: Editions,
    filters: Filters = NO_FILTERS, labels: bool = False, weights: Weigher | None = None,
) -> Iterator[bytes]:  # fmt: skip
    """An XLSX workbook streamed as the rows are read (surveyapp.exchange.xlsx): a
    responses sheet (frozen, filtered header; submission times as date-times) and a
    codebook sheet. No cell can become a formula; formula-like text is kept, quote-prefixed."""
    header = columns(editions, filters, weights is not None)
    when = header.index("submitted_at")

    def rows() -> Iterator[list[Any]]:
        yield header
        for values in value_rows(db, survey, editions, filters, labels, weights):
            values = list(map(xlsx_cell, values))
            values[when] = timestamps.moment(values[when])
            yield values

    yield from xlsx.stream(
        xlsx.Sheet("responses", rows(), layout.widths(header, editions, filters)),
        xlsx.Sheet("codebook", _codebook_sheet(editions, filters, weights), CODEBOOK_WIDTHS),
    )


def _codebook_sheet(
    editions: Editions, filters: Filters, weights: Weigher | None
) -> Iterator[list[Any]]:
    yield CODEBOOK
    for row in codebook_rows(editions, filters, weights):
        yield list(map(xlsx_cell, row))


# Each takes (db, survey, editions, filters, labels, weights) and yields text or, for the
# BINARY formats, bytes.
STREAMS = {
    "csv": csv_stream,
    "jsonl": jsonl_stream,
    "xlsx": xlsx_stream,
    "sav": statfiles.sav_stream,
    "dta": statfiles.dta_stream,
}


def codebook_rows(
    editions: Editions, filters: Filters = NO_FILTERS, weights: Weigher | None = None
) -> Iterator[list[str]]:
    """CODEBOOK rows in column order: one per code of a choice field or of a randomised
    list's order column, one per other column, then the missing-value codes. Each names its
    SPSS and Stata variable and, for a code, the number standing for it there (1 for a
    multiple-choice option: its 0/1 variable). A field takes its text from the newest
    edition that has it."""
    found = statvars.field_questions(editions, filters)
    orders = order_elements(editions, filters)
    by_column: dict[str, list[statvars.Variable]] = {}
    for variable in statfiles.variables(editions, filters, weights):
        by_column.setdefault(variable.column, []).append(variable)
    for column, chosen in by_column.items():
        if column in orders:
            yield from _order_rows(orders[column], chosen[0])
        elif column in found:
            yield from _field_rows(column, found[column], chosen)
        else:
            text = weights.label if weights is not None and column == layout.WEIGHT else None
            text = text or (EMAIL_TEXT if column == EMAIL else META_TEXT[column])
            yield [column, text, "", "meta", "", "", chosen[0].sav, chosen[0].dta, ""]
    for m in statvars.MISSING:
        yield ["", "Missing-value code", "", "missing", m.state, m.label, "", "",
               f"sav {m.sav:g}, dta .{m.dta}"]  # fmt: skip


def _order_rows(element, variable: statvars.Variable) -> Iterator[list[str]]:
    """Codebook rows of an order column: one per code that can appear in it."""
    for code, label in zip(element.codes, element.labels, strict=True):
        fixed = " (anchored: always in this place)" if code in element.anchored else ""
        yield [element.name, element.text, ORDER_TEXT, "order", code, label + fixed,
               variable.sav, variable.dta, ""]  # fmt: skip


def _field_rows(column: str, found: tuple, chosen: list[statvars.Variable]) -> Iterator[list[str]]:
    q, qtype, options = found
    item = qtype.item_label(q, column)
    if not options:
        yield [column, q.text, item, q.type, "", "", chosen[0].sav, chosen[0].dta, ""]
        return
    flags = {v.code: v for v in chosen if v.kind == statvars.FLAG}
    for option in options:
        variable = flags.get(option.code, chosen[0])
        value = "1" if variable.kind == statvars.FLAG else f"{variable.values[option.code]:g}"
        yield [column, q.text, item, q.type, option.code, option.label, variable.sav,
               variable.dta, value]  # fmt: skip


def codebook_csv(
    editions: Editions, filters: Filters = NO_FILTERS, weights: Weigher | None = None
) -> Iterator[str]:
    yield csv_text([CODEBOOK, *codebook_rows(editions, filters, weights)])
