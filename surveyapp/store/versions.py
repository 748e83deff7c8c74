"""Reading the recorded definition versions of a questionnaire (table `definitions`)."""

from __future__ import annotations

from typing import Any

import sqlite_utils


def versions(db: sqlite_utils.Database, survey: str) -> list[dict[str, Any]]:
    """Every recorded version of a questionnaire, newest edition first, then newest seen."""
    return list(db.query(
        "SELECT version, edition, source, first_seen FROM definitions WHERE survey = ?"
        " ORDER BY edition DESC, first_seen DESC",
        [survey],
    ))  # fmt: skip


def version_text(db: sqlite_utils.Database, survey: str, version: str) -> tuple[str, str] | None:
    """(YAML text, source file) of one recorded version of the questionnaire."""
    row = db.execute(
        "SELECT text, source FROM definitions WHERE survey = ? AND version = ?", [survey, version]
    ).fetchone()
    return (row[0], row[1]) if row else None
