"""Drafts: the answers of an unfinished response, keyed by its submission key, with the
definition version its pages were answered on (the respondent finishes on that version).

Drafts expire `keep_days` after their last change: an expired draft is never loaded, and
creating a draft deletes a bounded batch of expired ones (an index on updated_at keeps
that a single probe when there are none). New drafts are counted per client address
(a keyed hash, as for submissions) in draft_log and refused over the limit.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from surveyapp.store.connection import immediate, upsert
from surveyapp.store.timestamps import ago, utcnow

PRUNE_BATCH = 100


class DraftsThrottled(RuntimeError):
    """Too many new drafts from one address within the window."""


@dataclass(frozen=True)
class DraftRules:
    address: str = ""  # a keyed hash of the client address; "" counts nothing
    limit: int = 0  # new drafts per address and window; 0 or less: no limit
    window_seconds: int = 600
    keep_days: int = 30


def load_draft(db: sqlite_utils.Database, key: str, keep_days: int = 30) -> dict[str, Any]:
    return load_draft_entry(db, key, keep_days)[0]


def load_draft_entry(
    db: sqlite_utils.Database, key: str, keep_days: int = 30
) -> tuple[dict[str, Any], str | None]:
    """(answers, version) of a draft; ({}, None) when there is none."""
    answers, version, _language = load_draft_state(db, key, keep_days)
    return answers, version


def load_draft_state(
    db: sqlite_utils.Database, key: str, keep_days: int = 30
) -> tuple[dict[str, Any], str | None, str | None]:
    """(answers, version, language) of a draft; ({}, None, None) when there is none."""
    row = db.execute(
        "SELECT answers, version, language FROM drafts WHERE key = ? AND updated_at >= ?",
        [key, ago(days=keep_days)],
    ).fetchone()
    return (json.loads(row[0]), row[1], row[2]) if row else ({}, None, None)


def save_draft(
    db: sqlite_utils.Database,
    key: str,
    survey: str,
    answers: dict,
    rules: DraftRules | None = None,
    version: str | None = None,
    language: str | None = None,
) -> None:
    """Keep the answers so far, the definition version they answer and the language they
    were shown in; a new draft over the address's limit raises DraftsThrottled."""
    rules = rules or DraftRules()
    row = {"key": key, "survey": survey, "answers": json.dumps(answers, ensure_ascii=False),
           "updated_at": utcnow(), "version": version, "language": language}  # fmt: skip
    with immediate(db):
        if db.execute("SELECT 1 FROM drafts WHERE key = ?", [key]).fetchone() is None:
            _count_new_draft(db, rules)
        upsert(
            db, "drafts", row, key=("key",), update=("answers", "updated_at", "version", "language")
        )


def _count_new_draft(db: sqlite_utils.Database, rules: DraftRules) -> None:
    db.execute(
        "DELETE FROM drafts WHERE key IN (SELECT key FROM drafts WHERE updated_at < ? LIMIT ?)",
        [ago(days=rules.keep_days), PRUNE_BATCH],
    )
    count_for_address(db, rules)


def count_for_address(db: sqlite_utils.Database, rules: DraftRules) -> None:
    """Count one more use by the rules' address in the window (a new draft, a resume link
    e-mailed), or raise DraftsThrottled over the limit. Joins the caller's transaction."""
    if rules.limit <= 0 or not rules.address:
        return
    since = ago(seconds=rules.window_seconds)
    db.execute("DELETE FROM draft_log WHERE at < ?", [since])
    recent = db.execute(
        "SELECT count(*) FROM (SELECT 1 FROM draft_log WHERE address = ? AND at >= ? LIMIT ?)"
        " AS recent",
        [rules.address, since, rules.limit],
    ).fetchone()[0]
    if recent >= rules.limit:
        raise DraftsThrottled(rules.address)
    db.execute("INSERT INTO draft_log (address, at) VALUES (?, ?)", [rules.address, utcnow()])


def count_drafts(db: sqlite_utils.Database) -> int:
    return db.execute("SELECT count(*) FROM drafts").fetchone()[0]
