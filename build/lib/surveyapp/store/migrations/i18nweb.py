"""Languages: the language a response was answered in, and a draft's."""

from __future__ import annotations

import sqlite_utils

from surveyapp.store.migrations import migrations


@migrations()
def m100_i18nweb_language(db: sqlite_utils.Database) -> None:
    """The language code the respondent was shown (NULL for responses stored before, and
    for imported ones); a draft's, so resuming on another device keeps it."""
    db.execute("ALTER TABLE responses ADD COLUMN language TEXT")
    db.execute("ALTER TABLE drafts ADD COLUMN language TEXT")
