"""Migrations for questionnaires' own look (their SQL lives in store/logos.py)."""

from __future__ import annotations

import sqlite_utils

from surveyapp.store.migrations import migrations


@migrations()
def m100_brand_logos(db: sqlite_utils.Database) -> None:
    """Organisers' logos, uploaded in the builder and served by the app."""
    from surveyapp.store import logos

    db.executescript(logos.SQL)
