"""Organisers' logos, stored in the database so every host serves them: one row per
image, named by a hash of its bytes (the same upload twice is one row, and a name always
means the same bytes, so a logo may be cached for good). All SQL for `logos` lives here."""

from __future__ import annotations

import hashlib

import sqlite_utils

from surveyapp.store.connection import immediate
from surveyapp.store.timestamps import utcnow

SQL = """
CREATE TABLE IF NOT EXISTS logos (
    id TEXT PRIMARY KEY,
    content_type TEXT NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    data BLOB NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at TEXT NOT NULL
);
"""


def logo_id(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:20]


def save(
    db: sqlite_utils.Database, data: bytes, content_type: str, size: tuple[int, int], actor: str
) -> str:
    """Store a checked image (surveyapp.questionnaire.images); its id."""
    name = logo_id(data)
    with immediate(db):
        db.execute(
            "INSERT OR IGNORE INTO logos (id, content_type, width, height, data, uploaded_by,"
            " uploaded_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [name, content_type, *size, data, actor, utcnow()],
        )
    return name


def get(db: sqlite_utils.Database, name: str) -> tuple[str, bytes] | None:
    """(content type, bytes) of a stored logo, or None."""
    row = db.execute("SELECT content_type, data FROM logos WHERE id = ?", [name]).fetchone()
    return (row[0], bytes(row[1])) if row else None
