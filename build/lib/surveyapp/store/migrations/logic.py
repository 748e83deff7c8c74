"""Skip logic: a response's status (completed or screened out) and the fields a completed
response was not shown."""

from __future__ import annotations

import sqlite_utils

from surveyapp.store.migrations import migrations


@migrations()
def m008_logic_status(db: sqlite_utils.Database) -> None:
    """Whether a response completed the questionnaire or a screen_out rule ended it; the
    marks in its answers say the same (surveyapp.questionnaire.marks)."""
    db.execute(
        "ALTER TABLE responses ADD COLUMN status TEXT NOT NULL DEFAULT 'completed'"
        " CHECK (status IN ('completed', 'screened_out'))"
    )


@migrations()
def m008_logic_not_shown(db: sqlite_utils.Database) -> None:
    """The fields a completed response was not shown (not asked), one row each: what the
    not-shown counters are recounted from, as answered fields are from `answers`."""
    db.executescript(
        """
        CREATE TABLE not_shown (
            response INTEGER NOT NULL REFERENCES responses(id) ON DELETE CASCADE,
            survey TEXT NOT NULL,
            edition INTEGER NOT NULL,
            field TEXT NOT NULL
        );
        CREATE INDEX not_shown_by_field ON not_shown (survey, edition, field);
        CREATE INDEX not_shown_by_response ON not_shown (response);
        """
    )
