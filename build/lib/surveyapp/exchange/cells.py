"""Cells of CSV and XLSX exports. In CSV, text a spreadsheet would run as a formula gets a
leading "'" (OWASP CSV injection); in XLSX, where a text cell is never a formula, such text
stays exact and is marked quotePrefix. JSON Lines keeps text exactly and does not use this."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from typing import Any

from surveyapp.exchange.xlsx import Quoted

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\0")
_FORMULA_FIRST = frozenset(FORMULA_START)
PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")
# A spreadsheet may split a CSV cell again at its own list separator (";" in many
# locales, a tab, "|"), and then no longer sees the quotes around a cell, so a line break
# inside it starts a row, and a doubled quote after a separator reads as an empty quoted
# text: every part that would then start a formula, spaces and quotes trimmed, gets its
# own "'", since a "'" before the whole cell does not reach it.
SEPARATED_PART = re.compile(r'([,;\t|\r\n][\s"]*)([=+\-@])')
_TRIMMED = ' \t\r\n"'  # what a spreadsheet may drop before a formula's first character
_TRIGGERS = ("=", "+", "-", "@")


def neutralise(text: str) -> str:
    """Prefix "'" to text a spreadsheet would run as a formula; a plain negative number
    such as "-3" is data, not a formula, and stays as it is."""
    if text.startswith(FORMULA_START) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def text_cell(value: Any) -> Any:
    """The start of a CSV cell: lists joined with ";", text neutralised, None and numbers
    as they are."""
    if value.__class__ is str:
        return value if value[:1] not in _FORMULA_FIRST else neutralise(value)
    if value.__class__ is list:
        return neutralise(";".join(value))
    return value


def xlsx_cell(value: Any) -> Any:
    """An XLSX cell's value: lists joined with ";", formula-like text `Quoted` (kept
    exactly), None and numbers as they are."""
    if value.__class__ is list:
        value = ";".join(value)
    if value.__class__ is str and value[:1] in _FORMULA_FIRST and not PLAIN_NUMBER.fullmatch(value):
        return Quoted(value)
    return value


def csv_text(rows: Iterable[list[Any]]) -> str:
    """Rows as CSV text, every cell neutralised as `csv_cell` does."""
    buffer = io.StringIO()
    first = _FORMULA_FIRST
    # Most cells are codes (identifiers: letters, digits, "_") or text without a trigger:
    # they skip the regular expressions.
    csv.writer(buffer).writerows(
        [
            c
            if c.__class__ is str
            and (
                c.isidentifier()
                or c[:1] not in first
                and "=" not in c
                and "+" not in c
                and "-" not in c
                and "@" not in c
            )
            else csv_cell(c)
            for c in row
        ]
        for row in rows
    )
    return buffer.getvalue()


def csv_cell(value: Any) -> str:
    """A CSV cell: as an XLSX one, then every part after a separator or a line break that
    would start a formula, spaces and quotes trimmed, neutralised. Only a whole cell that is a plain
    number stays as it is: split out of a line, "-5" would run on into the next cell."""
    if value is None:
        return ""
    text = str(text_cell(value))
    inside, leading = SEPARATED_PART.search(text), text.lstrip(_TRIMMED).startswith(_TRIGGERS)
    if not (inside or leading) or PLAIN_NUMBER.fullmatch(text.strip()):
        return text
    text = SEPARATED_PART.sub(r"\1'\2", text) if inside else text
    return "'" + text if leading else text
