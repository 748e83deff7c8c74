"""Reading the responses table's query string: chosen columns, sort, key paging, search and
filters (answers, edition, time, status, language, excluded). Every bad value stops the
request with 400 and a message naming the argument; nothing here reads the database."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from flask import request

from surveyapp.questionnaire.marks import COMPLETED, SCREENED
from surveyapp.questionnaire.model import Definition
from surveyapp.questionnaire.types import REGISTRY
from surveyapp.store.filters import Filters
from surveyapp.store.table import TableQuery
from surveyapp.web.admin.common import refuse

DEFAULT_COLUMNS = 3
MAX_COLUMNS = 40
MAX_ANSWER_FILTERS = 5
MAX_SEARCH = 200
CELL_CHARS = 120
STATUSES = {COMPLETED: "completed", SCREENED: "screened out"}
SHOWS = {"counted": "Counted", "excluded": "Excluded"}


@dataclass(frozen=True)
class Column:
    name: str  # the field
    question: str
    item: str
    options: dict[str, str]  # code: label ({} for free text)

    @property
    def heading(self) -> str:
        return f"{self.question} — {self.item}" if self.item else self.question

    @property
    def short(self) -> str:
        """A column heading: a matrix item alone (its question is in `heading`)."""
        return self.item or self.question


def columns_of(definitions: list[Definition]) -> dict[str, Column]:
    """Every field of the given definitions (newest first wins), in definition order."""
    found: dict[str, Column] = {}
    for definition in definitions:
        for q in definition.questions():
            qtype = REGISTRY[q.type]
            options = dict(qtype.tallied(q))
            for name in qtype.field_names(q):
                labels = {o.code: o.label for o in options.get(name, ())}
                found.setdefault(name, Column(name, q.text, qtype.item_label(q, name), labels))
    return found


def _one(name: str, limit: int = MAX_SEARCH) -> str:
    value = request.args.get(name, "")
    if len(value) > limit:
        refuse(400, f"{name}: longer than {limit} characters")
    return value.strip()


def _chosen(name: str, allowed: dict[str, Any], default: str | None = None) -> str | None:
    value = _one(name) or default
    if value is not None and value not in allowed:
        refuse(400, f"{name}: choose one of {', '.join(allowed)}")
    return value


def chosen_columns(columns: dict[str, Column]) -> list[str]:
    names = [n for n in request.args.getlist("col") if n]
    if len(names) > MAX_COLUMNS:
        refuse(400, f"col: at most {MAX_COLUMNS} columns")
    unknown = [n for n in names if n not in columns]
    if unknown:
        refuse(400, f"col: no field {unknown[0]!r} in this questionnaire")
    return list(dict.fromkeys(names)) or default_columns(columns)


def default_columns(columns: dict[str, Column]) -> list[str]:
    """The first few fields and the first free-text one (what a reader looks for first)."""
    chosen = list(columns)[:DEFAULT_COLUMNS]
    text = [name for name, column in columns.items() if not column.options]
    return chosen + [name for name in text[:1] if name not in chosen]


def answer_filters(columns: dict[str, Column]) -> tuple[tuple[str, str], ...]:
    """`answer=field=value` arguments: responses whose answers to field include value."""
    found = []
    for text in request.args.getlist("answer"):
        if not text:
            continue
        name, sep, value = text.partition("=")
        if not sep or name not in columns:
            refuse(400, f"answer: {text[:60]!r} is not field=value of this questionnaire")
        found.append((name, value))
    if len(found) > MAX_ANSWER_FILTERS:
        refuse(400, f"answer: at most {MAX_ANSWER_FILTERS} answer filters")
    return tuple(dict.fromkeys(found))


def cursor_after() -> tuple[str, int] | None:
    """The `after` key: the sort value and row id of the last row of the previous page."""
    text = request.args.get("after", "")
    if not text:
        return None
    try:
        value, rowid = json.loads(base64.urlsafe_b64decode(text.encode("ascii")))
        if not isinstance(value, str) or type(rowid) is not int or not 0 <= rowid < 2**62:
            raise ValueError
    except (ValueError, TypeError, UnicodeError, binascii.Error):
        refuse(400, "after: not a position in this list (follow the Next link)")
    return value, rowid


def encode_after(row: dict) -> str:
    raw = json.dumps([row["sort_key"], row["id"]], ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode("ascii")


def table_query(
    survey: str, editions: tuple[int, ...], filters: Filters, columns: dict[str, Column],
    languages: list[str], limit: int,
) -> TableQuery:  # fmt: skip
    """The TableQuery the request's arguments describe."""
    sort = _one("sort") or "submitted_at"
    if sort != "submitted_at" and sort not in columns:
        refuse(400, f"sort: no field {sort!r} in this questionnaire")
    language = _chosen("language", dict.fromkeys(languages)) if languages else None
    return TableQuery(
        survey=survey, editions=editions, filters=filters, answers=answer_filters(columns),
        search=_one("q"), status=_chosen("status", STATUSES), language=language,
        excluded=_chosen("show", SHOWS, "counted") == "excluded",
        sort=None if sort == "submitted_at" else sort,
        descending=_chosen("dir", {"desc": 1, "asc": 1}, "desc") == "desc",
        after=cursor_after(), limit=limit,
    )  # fmt: skip


def cell(column: Column, value: Any) -> str:
    """An answer as the table shows it: option labels for codes, the text otherwise, cut
    at CELL_CHARS (the response view shows it whole)."""
    if value is None:
        return ""
    values = value if isinstance(value, list) else [value]
    text = "; ".join(column.options.get(str(v), str(v)) for v in values)
    return text if len(text) <= CELL_CHARS else text[: CELL_CHARS - 1].rstrip() + "…"
