"""Cursor paging: an opaque cursor over row ids, which only grow, so a page never repeats
or skips a row however many arrive between two pages. A cursor is `c_` and a row id in
base 36; every text of that shape is a cursor (none is refused for being made up)."""

from __future__ import annotations

import re
from typing import Any

from flask import request

from surveyapp.web.api.problems import fail
from surveyapp.web.api.spec import Param

DEFAULT_LIMIT, MAX_LIMIT = 100, 1000
SHAPE = "^c_[0-9a-z]{1,12}$"  # 36**12 < 2**63: every cursor is a row id SQLite can hold
_SHAPE = re.compile(SHAPE)
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
CURSOR = Param(
    "cursor",
    {"type": "string", "pattern": SHAPE},
    "Where to start: a `next_cursor` from an earlier page (default: the start).",
)
LIMIT = Param(
    "limit",
    {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
    f"Rows per page (default {DEFAULT_LIMIT}).",
)


def encode(row_id: int) -> str:
    digits = ""
    while True:
        row_id, rest = divmod(row_id, 36)
        digits = _DIGITS[rest] + digits
        if not row_id:
            return f"c_{digits}"


def decode(cursor: str) -> int:
    """The row id a cursor stands for; 400 for text of another shape."""
    if not _SHAPE.fullmatch(cursor):
        fail(400, "cursor: not a cursor this API gave out")
    return int(cursor[2:], 36)


def after() -> int:
    cursor = request.args.get("cursor")
    return 0 if cursor is None else decode(cursor)


def page(rows: list[tuple[int, Any]], size: int, start: int) -> dict[str, Any]:
    """The answer for `rows` read from `start` on, at most `size` + 1 of them (one more
    than a page: whether there are more)."""
    shown = rows[:size]
    last = shown[-1][0] if shown else start
    return {
        "data": [row for _id, row in shown],
        "next_cursor": encode(last),
        "more": len(rows) > size,
    }


def limit() -> int:
    text = request.args.get("limit", str(DEFAULT_LIMIT))
    whole = text.isascii() and text.isdigit() and len(text) < 6
    if not whole or not 1 <= int(text) <= MAX_LIMIT:
        fail(400, f"limit: a whole number from 1 to {MAX_LIMIT}")
    return int(text)
