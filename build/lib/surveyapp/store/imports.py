"""The imports ledger: one row per imported file (its hash, rows and how many were new)."""

from __future__ import annotations

from typing import Any

import sqlite_utils

from surveyapp.store.connection import immediate
from surveyapp.store.timestamps import utcnow


def record_import(
    db: sqlite_utils.Database, survey: str, edition: int, file_hash: str, rows: int, created: int
) -> None:
    with immediate(db):
        db.execute(
            "INSERT INTO imports (survey, edition, file_hash, rows, created, imported_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [survey, edition, file_hash, rows, created, utcnow()],
        )


def imports_of(db: sqlite_utils.Database, survey: str, file_hash: str) -> list[dict[str, Any]]:
    return list(
        db.query(
            "SELECT * FROM imports WHERE survey = ? AND file_hash = ? ORDER BY id",
            [survey, file_hash],
        )
    )
