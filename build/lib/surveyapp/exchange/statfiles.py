"""SPSS (.sav) and Stata (.dta) exports: labelled variables (surveyapp.exchange.statvars)
written with pyreadstat, streamed in chunks so memory stays flat.

Both formats state the number of cases before the data, so the count and the rows are read
in one snapshot (store.statfiles.snapshot). pyreadstat writes a whole file from one data
frame; surveyapp.exchange.sav and .dta join its output for each chunk into one file.
R reads either file with haven::read_sav / haven::read_dta.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from surveyapp.exchange import dta, sav
from surveyapp.exchange import statvars as sv
from surveyapp.exchange.layout import (
    EMAIL,
    EMAIL_TEXT,
    META_TEXT,
    ORDER_TEXT,
    WEIGHT,
    Editions,
    Weigher,
    chunked,
    columns,
)
from surveyapp.questionnaire import marks
from surveyapp.store import counts, listing
from surveyapp.store import statfiles as store_statfiles
from surveyapp.store.filters import NO_FILTERS, Filters

# A row: response id, submitted at, edition, version, answers (a field not shown holds
# sv.NOT_SHOWN), email, weight, status, the fields not shown, language.
Row = tuple[str, str, int, str, dict[str, Any], str | None, float | None, str, list[str],
            str | None]  # fmt: skip
_META_AT = {"response_id": 0, "submitted_at": 1, "edition": 2, "version": 3, EMAIL: 5,
            WEIGHT: 6, "status": 7, "not_shown": 8, "language": 9}  # fmt: skip
LANGUAGE_WIDTH = 35  # the longest language code a definition may declare, in bytes


@dataclass
class Plan:
    variables: list[sv.Variable]
    count: int
    rows: Iterator[Row]


def variables(
    editions: Editions, filters: Filters = NO_FILTERS, weights: Weigher | None = None,
    extras: dict[str, list[str]] | None = None, widths: dict[str, int] | None = None,
) -> list[sv.Variable]:  # fmt: skip
    """Every variable of the file, named, in column order."""
    extras, widths = extras or {}, widths or {}
    names = columns(editions, filters)
    found = sv.field_questions(editions, filters)
    result = [_meta(name, widths) for name in names if name not in found]
    if weights is not None:
        result.append(sv.Variable(WEIGHT, weights.label, sv.NUMERIC, meta=True))
    for name in names:
        if name in found:
            q, qtype, options = found[name]
            result += sv.field_variables(q, qtype, name, options, extras.get(name, []),
                                         widths.get(name, 0))  # fmt: skip
    return sv.named(result)


def _meta(name: str, widths: dict[str, int]) -> sv.Variable:
    label = EMAIL_TEXT if name == EMAIL else META_TEXT.get(name, ORDER_TEXT)
    if name == "edition":
        return sv.Variable(name, label, sv.NUMERIC, meta=True)
    return sv.Variable(name, label, sv.STRING, width=widths.get(name, 0), meta=True)


def plan(
    db: sqlite_utils.Database, survey: str, editions: Editions, filters: Filters,
    weights: Weigher | None,
) -> Plan:  # fmt: skip
    """The variables, the number of rows and the rows; call inside a snapshot."""
    found = sv.field_questions(editions, filters)
    coded = [name for name, (_q, _t, options) in found.items() if options]
    texts = [name for name, (_q, qtype, options) in found.items()
             if not options and not qtype.numeric]  # fmt: skip
    widths = store_statfiles.meta_widths(db, survey, filters) | _mark_widths(found)
    widths |= store_statfiles.answer_widths(db, survey, filters, texts)
    extras = store_statfiles.stored_codes(db, survey, filters, coded)
    chosen = variables(editions, filters, weights, extras, widths)
    tied = any(v.column == EMAIL for v in chosen)
    return Plan(chosen, counts.response_count(db, survey, filters),
                _rows(db, survey, filters, tied, weights))  # fmt: skip


def _rows(
    db: sqlite_utils.Database, survey: str, filters: Filters, tied: bool,
    weights: Weigher | None,
) -> Iterator[Row]:  # fmt: skip
    emails = listing.invitation_emails(db, survey) if tied else {}
    for response_id, at, edition, version, answers, language in listing.response_rows(
        db, survey, filters
    ):
        weight = weights(edition, answers) if weights is not None else None
        hidden = marks.not_shown(answers)
        status = marks.status(answers)
        answers = answers | dict.fromkeys(hidden, sv.NOT_SHOWN)
        yield (response_id, at, edition, version, answers, emails.get(response_id), weight,
               status, hidden, language)  # fmt: skip


def _mark_widths(found: dict[str, Any]) -> dict[str, int]:
    """The widths of the status and not_shown columns: the longest status, and every
    field's name joined (the most a response can leave not shown)."""
    every = ";".join(found).encode()
    return {"status": max(len(marks.COMPLETED), len(marks.SCREENED)), "not_shown": len(every),
            "language": LANGUAGE_WIDTH}  # fmt: skip


def _text(value: Any) -> str:
    if value is None or value is sv.NOT_SHOWN:
        return ""
    return ";".join(value) if isinstance(value, list) else str(value)


def extractor(variable: sv.Variable, missing: dict[str, float]) -> Callable[[list[Row]], list]:
    """A function giving the variable's values for a chunk of rows; `missing` holds the
    value written for each missing state (the format's codes, or NaN)."""
    column, blank = variable.column, missing["blank"]
    if variable.column in _META_AT:
        at = _META_AT[column]
        if variable.kind == sv.STRING:
            return lambda rows: [_text(r[at]) for r in rows]
        return lambda rows: [math.nan if r[at] is None else float(r[at]) for r in rows]
    if variable.kind == sv.STRING:
        return lambda rows: [_text(r[4].get(column)) for r in rows]
    if variable.kind == sv.CODED:
        lookup = {**variable.values, **{k: missing[s] for k, s in sv.STORED_STATES.items()}}
        return lambda rows: [lookup.get(r[4].get(column), blank) for r in rows]
    if variable.kind == sv.FLAG:
        code = variable.code
        return lambda rows: [_flag(r[4].get(column), code, missing) for r in rows]
    return lambda rows: [_number(r[4].get(column), missing) for r in rows]


def _flag(value: Any, code: str, missing: dict[str, float]) -> float:
    state = sv.state_of(value)
    if state is not None:
        return missing[state]
    return 1.0 if code in value else 0.0


def _number(value: Any, missing: dict[str, float]) -> float:
    state = sv.state_of(value)
    return missing[state] if state is not None else float(value)


def rows_per_chunk(chosen: list[sv.Variable], budget: int = 4 << 20) -> int:
    """Rows per chunk so that one chunk's values take about `budget` bytes."""
    width = sum(max(v.width, 8) for v in chosen)
    return max(50, min(5000, budget // max(width, 1)))


def sav_stream(
    db: sqlite_utils.Database, survey: str, editions: Editions,
    filters: Filters = NO_FILTERS, labels: bool = False, weights: Weigher | None = None,
) -> Iterator[bytes]:  # fmt: skip
    """An SPSS .sav file (bytecode-compressed), in pieces. `labels` changes nothing: the
    file holds the codes' numbers and their labels."""
    with store_statfiles.snapshot(db):
        chosen = plan(db, survey, editions, filters, weights)
        size = rows_per_chunk(chosen.variables)
        yield from sav.write(chosen.variables, chosen.count, chunked(chosen.rows, size), extractor)


def dta_stream(
    db: sqlite_utils.Database, survey: str, editions: Editions,
    filters: Filters = NO_FILTERS, labels: bool = False, weights: Weigher | None = None,
) -> Iterator[bytes]:  # fmt: skip
    """A Stata .dta file (format 118, Stata 14 and later), in pieces."""
    with store_statfiles.snapshot(db):
        chosen = plan(db, survey, editions, filters, weights)
        size = rows_per_chunk(chosen.variables)
        yield from dta.write(chosen.variables, chosen.count, chunked(chosen.rows, size), extractor)
