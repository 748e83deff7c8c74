"""The responses workspace: full-text search in text answers, responses set aside as
excluded (test or invalid, restorable) and the row-id floor kept across removals."""

from __future__ import annotations

import sqlite_utils

from surveyapp.store.migrations import migrations


@migrations()
def m100_responses_search(db: sqlite_utils.Database) -> None:
    """The FTS5 table of text answers, filled from the responses already stored."""
    from surveyapp.store import search

    db.executescript(search.SQL)
    for rows in search.backfill_rows(db):
        search.index(db, rows)


@migrations()
def m100_responses_excluded(db: sqlite_utils.Database) -> None:
    """Excluded responses (out of every count, restorable) and the removal marks."""
    from surveyapp.store import removal

    db.executescript(removal.SQL)
