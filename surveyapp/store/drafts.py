"""Drafts: the answers of an unfinished response, keyed by its submission key."""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils

from surveyapp.store.connection import immediate, upsert
from surveyapp.store.timestamps import utcnow


def load_draft(db: sqlite_utils.Database, key: str) -> dict[str, Any]:
    row = db.execute("SELECT answers FROM drafts WHERE key = ?", [key]).fetchone()
    return json.loads(row[0]) if row else {}


def save_draft(db: sqlite_utils.Database, key: str, survey: str, answers: dict) -> None:
    row = {"key": key, "survey": survey, "answers": json.dumps(answers, ensure_ascii=False),
           "updated_at": utcnow()}  # fmt: skip
    with immediate(db):
        upsert(db, "drafts", row, key=("key",), update=("answers", "updated_at"))
