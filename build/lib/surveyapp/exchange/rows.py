"""Raw rows of an import file, CSV or JSON Lines: (row number, {column: value}), every
problem reported as "FILE:row N: column: what is wrong" and never raised, whatever the
bytes: a cell over the csv module's limit, JSON nested too deep to parse, text that is
no Unicode. The rows are checked against a definition in surveyapp.exchange.importer."""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
from collections.abc import Iterator
from typing import Any

# JSON nested deeper than this is refused before parsing: a cell holds text, a number or
# a list, and Python's parser raises RecursionError near 1,000 levels.
MAX_DEPTH = 100
TOO_DEEP = f"nested over {MAX_DEPTH} levels deep; a cell holds text, a number or a list of codes"
LONE_SURROGATE = (
    "holds a \\ud800-\\udfff escape that is no character (half of a UTF-16 pair); "
    "save the text as valid Unicode"
)
JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}:]')


class Rows:
    """Raw rows of one file: (row number, {column: value}); problems go to `errors`."""

    def __init__(self, name: str, errors: list[str]):
        self.name = name
        self.errors = errors
        self.header: list[str] = []

    def error(self, row: int | None, message: str) -> None:
        where = f"{self.name}:row {row}" if row else self.name
        self.errors.append(f"{where}: {message}")

    def csv(self, text: str, known: set[str]) -> Iterator[tuple[int, dict[str, Any]]]:
        records = self._records(text)
        header = [cell.strip() for cell in next(records, (1, []))[1]]
        if not any(header):
            self.error(1, "missing header: row 1 must name the columns")
            return
        if not set(header) & known:
            hint = ": separate columns with commas" if ";" in header[0] else ""
            self.error(1, f"missing header: no known column in row 1 ({header[0]!r}, ...){hint}")
            return
        self._check_columns(header, known, 1)
        self.header = header
        for number, record in records:
            if not any(cell.strip() for cell in record):
                continue
            if len(record) != len(header):
                self.error(number, f"{len(record)} cells, but the header has {len(header)}")
                continue
            yield number, dict(zip(header, record, strict=True))

    def _records(self, text: str) -> Iterator[tuple[int, list[str]]]:
        """(row number, cells); a cell over the csv module's limit ends the file with an
        error naming its row and column (everything before it is still checked)."""
        lines = _Lines(text)
        reader = csv.reader(lines)
        for number in itertools.count(1):
            try:
                record = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                self.error(number, _csv_problem(exc, text[lines.start :], self.header))
                return
            lines.start = lines.end
            yield number, record

    def jsonl(self, text: str, known: set[str]) -> Iterator[tuple[int, dict[str, Any]]]:
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            row, problem = _parse_json(line)
            if problem:
                self.error(number, problem)
                continue
            if not isinstance(row, dict):
                self.error(number, "must be a JSON object of column: value")
                continue
            broken = next((c for c, v in row.items() if not _encodable([c, v])), None)
            if broken is not None:
                self.error(number, f"{_shown(broken)}: {LONE_SURROGATE}")
            elif self._check_columns(list(row), known, number):
                yield number, row

    def _check_columns(self, columns: list[str], known: set[str], row: int) -> bool:
        before = len(self.errors)
        seen: set[str] = set()
        for column in columns:
            if column in seen:
                self.error(row, f"{column}: column appears twice")
            elif column not in known:
                self.error(row, f"{column}: unknown column")
            seen.add(column)
        return len(self.errors) == before


class _Lines:
    """The lines of a text for csv.reader, with where the record being read starts."""

    def __init__(self, text: str):
        self._lines = iter(io.StringIO(text, newline=""))
        self.start = self.end = 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.end += len(line)
        return line


def _csv_problem(exc: csv.Error, record: str, header: list[str]) -> str:
    """The error for a record the csv module refused; `record` is the text it starts."""
    limit = csv.field_size_limit()
    if "field larger than field limit" not in str(exc):
        return f"not readable as CSV: {exc}"
    index = _long_cell(record, limit)
    column = header[index] if index < len(header) else f"column {index + 1}"
    return f"{column}: a cell over {limit:,} characters, longer than any answer may be"


def _long_cell(record: str, limit: int) -> int:
    """Which cell of `record` (the standard dialect: "," separates, '"' quotes) is the
    first longer than `limit`, counting from 0."""
    column = length = 0
    quoted = False
    for char in record:
        if char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            column, length = column + 1, 0
        else:
            length += 1
            if length > limit:
                break
    return column


def _parse_json(line: str) -> tuple[Any, str]:
    """(value, "") or (None, what is wrong), refusing deep nesting before parsing."""
    if line.count("[") + line.count("{") > MAX_DEPTH:
        column, depth = _deepest(line)
        if depth > MAX_DEPTH:
            return None, f"{_shown(column)}: {TOO_DEEP}" if column else TOO_DEEP
    try:
        return json.loads(line), ""
    except ValueError as exc:
        return None, f"not valid JSON: {exc}"


def _deepest(line: str) -> tuple[str, int]:
    """(the top-level key whose value nests deepest, that depth) in a JSON line; the key
    is "" when the line is not an object."""
    depth = deepest = 0
    key = column = last = ""
    for part in JSON_TOKEN.findall(line):
        if part in ("[", "{"):
            depth += 1
            if depth > deepest:
                deepest, column = depth, key
        elif part in ("]", "}"):
            depth -= 1
        elif part == ":" and depth == 1:
            key = json.loads(last)
        else:
            last = part
    return column, deepest


def _encodable(value: Any) -> bool:
    """False when some text in `value` holds a lone surrogate (JSON lets "\\ud800" in)."""
    try:
        json.dumps(value, ensure_ascii=False).encode()
    except UnicodeEncodeError:
        return False
    return True


def _shown(name: str) -> str:
    """A column name as an error message may show it."""
    return name if _encodable(name) and name.isprintable() else ascii(name)
