"""Migrations for saving and resuming and for scheduled editions."""

from __future__ import annotations

import sqlite_utils

from surveyapp.store.migrations import migrations


@migrations()
def m100_resume_schedules(db: sqlite_utils.Database) -> None:
    """Editions' scheduled opening and closing times (store.schedules)."""
    from surveyapp.store import schedules

    db.executescript(schedules.SQL)
