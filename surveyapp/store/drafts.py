"""Drafts: the answers of an unfinished response, keyed by its submission key, with the
definition version its pages were answered on (the respondent finishes on that version)."""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils

from surveyapp.store.connection import immediate, upsert
from surveyapp.store.timestamps import utcnow


def load_draft(db: sqlite_utils.Database, key: str) -> dict[str, Any]:
    return load_draft_entry(db, key)[0]


def load_draft_entry(db: sqlite_utils.Database, key: str) -> tuple[dict[str, Any], str | None]:
    """(answers, version) of a draft; ({}, None) when there is none."""
    row = db.execute("SELECT answers, version FROM drafts WHERE key = ?", [key]).fetchone()
    return (json.loads(row[0]), row[1]) if row else ({}, None)


def save_draft(
    db: sqlite_utils.Database, key: str, survey: str, answers: dict, version: str | None = None
) -> None:
    row = {"key": key, "survey": survey, "answers": json.dumps(answers, ensure_ascii=False),
           "updated_at": utcnow(), "version": version}  # fmt: skip
    with immediate(db):
        upsert(db, "drafts", row, key=("key",), update=("answers", "updated_at", "version"))
