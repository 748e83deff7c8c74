"""Reading stored responses: in batches for exports, a page at a time for listings, one by
id, the text answers of some fields, and the emails tied to non-anonymous responses."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import orjson
import sqlite_utils

from surveyapp.store.counts import Segment, segment_exists
from surveyapp.store.filters import NO_FILTERS, Filters

BATCH = 500
# Filters.where() adds only fixed column names to it; every value is a parameter.
SELECT_RESPONSES = (
    "SELECT response_id, submitted_at, edition, version, answers, language FROM responses"
)


def invitation_emails(db: sqlite_utils.Database, survey: str) -> dict[str, str | None]:
    """{response_id: email} for responses tied to an invitation (non-anonymous only:
    anonymous editions never store the link)."""
    rows = db.execute(
        "SELECT response_id, email FROM invitations WHERE survey = ? AND response_id IS NOT NULL",
        [survey],
    )
    return dict(rows.fetchall())


def response_rows(
    db: sqlite_utils.Database, survey: str, filters: Filters = NO_FILTERS, batch: int = BATCH
) -> Iterator[tuple[str, str, int, str, dict[str, Any], str | None]]:
    """(response_id, submitted_at, edition, version, answers, language), oldest first, read
    in batches."""
    where, params = filters.where()
    sql = f"{SELECT_RESPONSES} WHERE survey = ?{where} ORDER BY submitted_at, id"  # noqa: S608
    cursor = db.execute(sql, [survey, *params])
    try:
        while rows := cursor.fetchmany(batch):
            for response_id, submitted_at, edition, version, answers, language in rows:
                yield response_id, submitted_at, edition, version, orjson.loads(answers), language
    finally:
        cursor.close()


def responses_after(
    db: sqlite_utils.Database, survey: str, filters: Filters, answers: Segment | None,
    after: int, limit: int | None = None,
) -> Iterator[tuple[int, dict[str, Any]]]:  # fmt: skip
    """(row id, response) of the responses stored after row `after`, in row-id order: the
    order they were stored in, so paging by row id neither skips nor repeats a response
    while others arrive. `answers` keeps those with every field's value among its codes."""
    where, params = filters.where()
    if answers:  # checked per response, so a page stops reading once it is full
        keep, keep_params = segment_exists(answers)
        where, params = f"{where}{keep}", [*params, *keep_params]
    sql = (f"SELECT id, response_id, submitted_at, edition, version, answers, language"  # noqa: S608
           " FROM responses"
           f" WHERE survey = ? AND id > ?{where} ORDER BY id")  # fmt: skip
    if limit is not None:
        sql, params = f"{sql} LIMIT ?", [*params, limit]
    cursor = db.execute(sql, [survey, after, *params])
    try:
        while rows := cursor.fetchmany(BATCH):
            for row in rows:
                yield row[0], _response(row[1:])
    finally:
        cursor.close()


def list_responses(
    db: sqlite_utils.Database, survey: str, filters: Filters, limit: int, offset: int
) -> list[dict[str, Any]]:
    """A page of responses, newest first."""
    where, params = filters.where()
    order = "ORDER BY submitted_at DESC, id DESC LIMIT ? OFFSET ?"
    sql = f"{SELECT_RESPONSES} WHERE survey = ?{where} {order}"  # noqa: S608
    rows = db.execute(sql, [survey, *params, limit, offset]).fetchall()
    return [_response(row) for row in rows]


def get_response(db: sqlite_utils.Database, survey: str, response_id: str) -> dict | None:
    row = db.execute(
        f"{SELECT_RESPONSES} WHERE survey = ? AND response_id = ?",  # noqa: S608
        [survey, response_id],
    ).fetchone()
    return _response(row) if row else None


def _response(row: tuple) -> dict[str, Any]:
    keys = ("response_id", "submitted_at", "edition", "version")
    return dict(zip(keys, row[:4], strict=True)) | {
        "answers": json.loads(row[4]),
        "language": row[5],
    }


def text_answers_of(
    db: sqlite_utils.Database, wanted: list[tuple[str, int, list[str]]], limit: int = -1
) -> list[list[tuple[str, str]]]:
    """text_answers for each (survey, edition, fields), in order."""
    return [text_answers(db, survey, edition, fields, limit) for survey, edition, fields in wanted]


def text_answers(
    db: sqlite_utils.Database, survey: str, edition: int, fields: list[str], limit: int = -1
) -> list[tuple[str, str]]:
    """(field, text) of the non-empty answers to the given fields, oldest response first:
    every one, or the first `limit`."""
    if not fields:
        return []
    marks = ", ".join("?" * len(fields))
    # PostgreSQL takes no negative LIMIT: every answer is no LIMIT at all
    bound, bound_params = (" LIMIT ?", [limit]) if limit >= 0 else ("", [])
    rows = db.execute(
        "SELECT field, value FROM answers WHERE survey = ? AND edition = ?"  # noqa: S608 - placeholders only
        f" AND field IN ({marks}) AND trim(value) != '' ORDER BY response, field{bound}",
        [survey, edition, *fields, *bound_params],
    )
    return [(field, value) for field, value in rows.fetchall()]
