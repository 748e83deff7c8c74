"""Import past responses from CSV or JSON Lines in the export's own layout.

Columns: `response_id` and `submitted_at` (optional), `edition` (optional, checked),
`version` (optional, ignored), then one column per HTML field name; multiple choice
codes joined by ";". Every row is checked with the same rules as the web form
(forms.check_pages); any bad row means nothing is written, and every bad row is
reported. Rows are numbered as a spreadsheet numbers them: the header is row 1, the
first data row is row 2 (JSON Lines: the line number).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlite_utils

from surveyapp import store
from surveyapp.exchange.rows import Rows
from surveyapp.questionnaire.answers import check_pages, counted_fields
from surveyapp.questionnaire.catalog import Catalog
from surveyapp.questionnaire.loader import field_names
from surveyapp.questionnaire.model import Definition
from surveyapp.questionnaire.randomize import ORDER_SEPARATOR, check_orders, elements
from surveyapp.questionnaire.types import REGISTRY
from surveyapp.store import imports, timestamps

META = ("response_id", "submitted_at", "edition", "version")
# Read and dropped: an export's weights are recomputed from the targets, never imported.
IGNORED = ("weight",)
FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl"}


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)
    file_hash: str = ""
    seen_before: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


def _decode(data: bytes, rows: Rows) -> str | None:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        rows.error(line, f"not valid UTF-8 (byte 0x{data[exc.start]:02x}): save the file as UTF-8")
        return None
    if not text.strip():
        rows.error(None, "the file is empty")
        return None
    return text


def _getter(
    row: dict[str, Any], splitters: dict[str, Callable[[str], list[str]]]
) -> Callable[[str], list[str]]:
    def getlist(name: str) -> list[str]:
        value = row.get(name)
        if value is None or value == "":
            return []
        if isinstance(value, list):
            return [str(v) for v in value]
        text = value if isinstance(value, str) else json.dumps(value)
        return splitters[name](text) if name in splitters else [text]

    return getlist


def _splitters(definition: Definition) -> dict[str, Callable[[str], list[str]]]:
    """Per field, how its question type splits one imported cell into raw values; an
    order column is codes joined by ";"."""
    fields = {name: REGISTRY[q.type].cell_splitter(q, name) for q in definition.questions()
              for name in REGISTRY[q.type].field_names(q)}  # fmt: skip
    return fields | {e.name: _split_order for e in elements(definition)}


def _split_order(text: str) -> list[str]:
    return text.split(ORDER_SEPARATOR)


def _checked(
    definition: Definition, pages: list, getlist: Callable[[str], list[str]]
) -> tuple[dict[str, Any], dict[str, str]]:
    """(answers with the order columns, {column: problem}) of one row."""
    answers, problems = check_pages(pages, getlist)
    orders, order_problems = check_orders(definition, getlist)
    return answers | orders, problems | order_problems


def check_file(
    catalog: Catalog, survey: str, edition: int, data: bytes, fmt: str, name: str
) -> tuple[list[dict[str, Any]], list[str], str]:
    """Parse and check a whole file; return (rows for db.insert_many, errors, file hash)."""
    errors: list[str] = []
    reader = Rows(name, errors)
    file_hash = hashlib.sha256(data).hexdigest()
    definition = catalog.for_edition(survey, edition)
    if definition is None:
        reader.error(None, f"there is no questionnaire called {survey!r}")
        return [], errors, file_hash
    text = _decode(data, reader)
    if text is None:
        return [], errors, file_hash
    fields = field_names(definition) + [e.name for e in elements(definition)]
    splitters = _splitters(definition)
    pages, counted = list(definition.pages), counted_fields(definition)
    rows: list[dict[str, Any]] = []
    first_row_of: dict[str, int] = {}
    for number, raw in getattr(reader, fmt)(text, set(META) | set(IGNORED) | set(fields)):
        answers, problems = _checked(definition, pages, _getter(raw, splitters))
        for field_name, message in problems.items():
            reader.error(number, f"{field_name}: {message}")
        response_id = str(raw.get("response_id") or "").strip()
        response_id = response_id or f"{survey}-{edition}-{file_hash[:16]}-r{number}"
        if response_id in first_row_of:
            earlier = first_row_of[response_id]
            reader.error(number, f"response_id: {response_id!r} already used on row {earlier}")
        first_row_of.setdefault(response_id, number)
        stated = str(raw.get("edition") or "").strip()
        if stated and stated != str(edition):
            reader.error(number, f"edition: {stated!r} is not the edition imported ({edition})")
        moment = str(raw.get("submitted_at") or "").strip()
        submitted_at = timestamps.parse(moment) if moment else None
        if moment and submitted_at is None:
            reader.error(
                number,
                f"submitted_at: {moment!r} is not an ISO 8601 date and time"
                " (e.g. 2011-05-03T14:20:00Z)",
            )
        rows.append(
            {"survey": survey, "edition": edition, "version": definition.version,
             "answers": answers, "counted": counted, "response_id": response_id,
             "submitted_at": submitted_at}
        )  # fmt: skip
    if not rows and not errors:
        reader.error(None, "no data rows")
    return rows, errors, file_hash


def file_format(name: str, fmt: str | None) -> str | None:
    if fmt:
        return fmt if fmt in FORMATS.values() else None
    return FORMATS.get(Path(name).suffix.lower())


def import_file(
    db: sqlite_utils.Database,
    catalog: Catalog,
    survey: str,
    edition: int,
    source: str | Path | bytes,
    fmt: str | None = None,
    name: str | None = None,
) -> ImportResult:
    """Check and import one file (a path, or the bytes of an upload called `name`):
    all rows in one transaction, or nothing when any row is bad."""
    name = name or ("upload" if isinstance(source, bytes) else str(source))
    result = ImportResult()
    chosen = file_format(name, fmt)
    if chosen is None:
        result.errors.append(f"{name}: cannot tell the format: name it .csv or .jsonl")
        return result
    if isinstance(source, bytes):
        data = source
    else:
        try:
            data = Path(source).read_bytes()
        except OSError as exc:
            result.errors.append(f"{name}: cannot read: {exc.strerror or exc}")
            return result
    rows, result.errors, result.file_hash = check_file(catalog, survey, edition, data, chosen, name)
    if result.errors:
        return result
    result.seen_before = bool(imports.imports_of(db, survey, result.file_hash))
    result.rows = len(rows)
    result.created = store.insert_many(db, rows)
    result.skipped = result.rows - result.created
    imports.record_import(db, survey, edition, result.file_hash, result.rows, result.created)
    return result
