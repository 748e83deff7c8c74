"""Answer counts of whole days (surveyapp.store.daycounts): a day's counts, kept once
counted, and which (questionnaire, day, segment) they stand for. Triggers forget a day as
soon as any response or not-shown row of that day is inserted, changed or deleted, or an
answer row changed or deleted, by whatever code path, so a kept day is never stale. Answer
rows are inserted only with their response row, in its transaction, whose trigger has
forgotten the day already: a trigger per inserted answer would only slow every submission."""

from __future__ import annotations

import sqlite_utils

from surveyapp.store.migrations import migrations

TABLES = (
    """CREATE TABLE day_counts (
        survey TEXT NOT NULL, day TEXT NOT NULL, segment TEXT NOT NULL,
        edition INTEGER NOT NULL, field TEXT NOT NULL, value TEXT NOT NULL,
        count INTEGER NOT NULL,
        PRIMARY KEY (survey, day, segment, edition, field, value)
    ) WITHOUT ROWID""",
    """CREATE TABLE day_counted (
        survey TEXT NOT NULL, day TEXT NOT NULL, segment TEXT NOT NULL,
        state TEXT NOT NULL,  -- 'done', or the token of a count under way
        PRIMARY KEY (survey, day, segment)
    ) WITHOUT ROWID""",
)
FORGET = (
    "DELETE FROM day_counted WHERE survey = {row}.survey"
    " AND day = substr({row}.submitted_at, 1, 10);"
)
FORGET_OF_RESPONSE = (
    "DELETE FROM day_counted WHERE (survey, day) IN"
    " (SELECT survey, substr(submitted_at, 1, 10) FROM responses WHERE id = {row}.response);"
)


def _trigger(name: str, event: str, table: str, body: str) -> str:
    return f"CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN {body} END;"


def triggers() -> list[str]:
    """Every trigger that forgets a changed day."""
    found = [
        _trigger("day_counts_response_insert", "INSERT", "responses", FORGET.format(row="NEW")),
        _trigger("day_counts_response_delete", "DELETE", "responses", FORGET.format(row="OLD")),
        _trigger(
            "day_counts_response_update",
            "UPDATE",
            "responses",
            FORGET.format(row="OLD") + FORGET.format(row="NEW"),
        ),
    ]
    found.append(
        _trigger(
            "day_counts_not_shown_insert",
            "INSERT",
            "not_shown",
            FORGET_OF_RESPONSE.format(row="NEW"),
        )  # fmt: skip
    )
    for table in ("answers", "not_shown"):
        found += [
            _trigger(
                f"day_counts_{table}_delete", "DELETE", table, FORGET_OF_RESPONSE.format(row="OLD")
            ),
            _trigger(
                f"day_counts_{table}_update",
                "UPDATE",
                table,
                FORGET_OF_RESPONSE.format(row="OLD") + FORGET_OF_RESPONSE.format(row="NEW"),
            ),
        ]
    return found


@migrations()
def m100_adminperf_day_counts(db: sqlite_utils.Database) -> None:
    for statement in [*TABLES, *triggers()]:
        db.execute(statement)
