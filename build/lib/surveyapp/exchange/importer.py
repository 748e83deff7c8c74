"""Import past responses from CSV or JSON Lines in the export's own layout.

Columns: `response_id` and `submitted_at` (optional), `edition` (optional, checked),
`version` (optional, ignored), `status` (optional, checked against the rules), `not_shown`
(optional: fields not asked of that row), then one column per HTML field name; multiple
choice codes joined by ";". Every row is checked with the same rules as the web form
(answers.check_response); any bad row means nothing is written, and every bad row is
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
from surveyapp.questionnaire import marks
from surveyapp.questionnaire.answers import check_response, counted_fields
from surveyapp.questionnaire.catalog import Catalog
from surveyapp.questionnaire.loader import field_names
from surveyapp.questionnaire.model import Definition
from surveyapp.questionnaire.randomize import ORDER_SEPARATOR, check_orders, elements
from surveyapp.questionnaire.types import REGISTRY
from surveyapp.store import imports, timestamps

META = ("response_id", "submitted_at", "edition", "version", "status", "not_shown", "language")
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


def check_file(
    catalog: Catalog, survey: str, edition: int, data: bytes, fmt: str, name: str
) -> tuple[list[dict[str, Any]], list[str], str]:
    """Parse and check a whole file; return (rows for db.insert_many, errors, file hash).

    A field whose column the whole file lacks was not asked: its rows are stored with it
    not shown, never a required-answer error; so is a field a row's `not_shown` cell
    lists. A column that is present meets every rule, relevance included."""
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
    fields = field_names(definition)
    columns = set(META) | set(IGNORED) | set(fields) | {e.name for e in elements(definition)}
    raw_rows = list(getattr(reader, fmt)(text, columns))
    present = {column for _number, raw in raw_rows for column in raw}
    absent = _absent(definition, present)
    splitters = _splitters(definition)
    rows: list[dict[str, Any]] = []
    first_row_of: dict[str, int] = {}
    for number, raw in raw_rows:
        row = _row(definition, edition, reader, (number, raw), (absent, splitters))
        row["response_id"] = row["response_id"] or f"{survey}-{edition}-{file_hash[:16]}-r{number}"
        if row["response_id"] in first_row_of:
            earlier = first_row_of[row["response_id"]]
            reader.error(
                number, f"response_id: {row['response_id']!r} already used on row {earlier}"
            )
        first_row_of.setdefault(row["response_id"], number)
        rows.append(row)
    if not rows and not errors:
        reader.error(None, "no data rows")
    return rows, errors, file_hash


def _row(
    definition: Definition, edition: int, reader: Rows, numbered: tuple[int, dict[str, Any]],
    per_file: tuple[frozenset[str], dict[str, Callable[[str], list[str]]]],
) -> dict[str, Any]:  # fmt: skip
    """One row of an import into `edition` checked: its answers by the definition's rules
    (`per_file`: the fields the file lacks, how each cell splits), then its meta columns."""
    (number, raw), (absent, splitters) = numbered, per_file
    asked = _listed(reader, number, raw.get("not_shown"), definition)
    getlist = _getter(raw, splitters)
    checked = check_response(definition, getlist, absent | asked, strict=True)
    orders, order_problems = check_orders(definition, getlist)
    for field_name, message in (checked.errors | order_problems).items():
        reader.error(number, f"{field_name}: {message}")
    stated = str(raw.get("status") or "").strip()
    derived = marks.status(checked.answers)
    if stated and stated != derived:
        reader.error(
            number, f"status: {stated!r}, but by the questionnaire's rules it is {derived}"
        )
    _check_meta(reader, number, raw, edition)
    moment = str(raw.get("submitted_at") or "").strip()
    return {"survey": definition.id, "edition": edition, "version": definition.version,
            "answers": checked.answers | orders, "counted": counted_fields(definition),
            "response_id": str(raw.get("response_id") or "").strip(),
            "submitted_at": timestamps.parse(moment) if moment else None,
            "language": str(raw.get("language") or "").strip() or None}  # fmt: skip


def _absent(definition: Definition, present: set[str]) -> frozenset[str]:
    """The fields the file does not give: not asked, unless the file gives the question
    they depend on (then a missing "please specify" column is blank)."""
    found = set()
    for q in definition.questions():
        qtype, names = REGISTRY[q.type], REGISTRY[q.type].field_names(q)
        given = any(name in present for name in names)
        found.update(n for n in names
                     if n not in present and not (given and qtype.dependent(q, n)))  # fmt: skip
    return frozenset(found)


def _listed(reader: Rows, number: int, cell: Any, definition: Definition) -> frozenset[str]:
    """The fields a row's `not_shown` cell names (";"-separated, or a JSON list)."""
    if not cell:
        return frozenset()
    names = cell if isinstance(cell, list) else str(cell).split(";")
    listed = frozenset(str(n).strip() for n in names if str(n).strip())
    unknown = sorted(listed - set(field_names(definition)))
    if unknown:
        reader.error(number, f"not_shown: {unknown[0]!r} is not a field of this questionnaire")
    return listed


def _check_meta(reader: Rows, number: int, raw: dict[str, Any], edition: int) -> None:
    stated = str(raw.get("edition") or "").strip()
    if stated and stated != str(edition):
        reader.error(number, f"edition: {stated!r} is not the edition imported ({edition})")
    moment = str(raw.get("submitted_at") or "").strip()
    if moment and timestamps.parse(moment) is None:
        reader.error(
            number,
            f"submitted_at: {moment!r} is not an ISO 8601 date and time"
            " (e.g. 2011-05-03T14:20:00Z)",
        )


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
