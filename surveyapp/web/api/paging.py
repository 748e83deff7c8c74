"""Cursor paging: an opaque cursor over row ids, which only grow, so a page never repeats
or skips a row however many arrive between two pages."""

from __future__ import annotations

import base64
import binascii
import re

from flask import request

from surveyapp.web.api.problems import fail
from surveyapp.web.api.spec import Param

DEFAULT_LIMIT, MAX_LIMIT = 100, 1000
_ROW = re.compile(r"r([0-9]{1,18})")
CURSOR = Param(
    "cursor",
    {"type": "string", "maxLength": 64},
    "Where to start: a `next_cursor` from an earlier page (default: the start).",
)
LIMIT = Param(
    "limit",
    {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
    f"Rows per page (default {DEFAULT_LIMIT}).",
)


def encode(row_id: int) -> str:
    return base64.urlsafe_b64encode(f"r{row_id}".encode()).decode().rstrip("=")


def decode(cursor: str) -> int:
    """The row id a cursor stands for; 400 for one this API did not make."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, UnicodeError, ValueError):
        text = ""
    found = _ROW.fullmatch(text)
    if not cursor.isascii() or found is None:
        fail(400, "cursor: not a cursor this API gave out")
    return int(found.group(1))


def after() -> int:
    cursor = request.args.get("cursor")
    return 0 if cursor is None else decode(cursor)


def limit() -> int:
    text = request.args.get("limit", str(DEFAULT_LIMIT))
    if not (text.isascii() and text.isdigit() and len(text) < 6) or not 1 <= int(text) <= MAX_LIMIT:
        fail(400, f"limit: a whole number from 1 to {MAX_LIMIT}")
    return int(text)
