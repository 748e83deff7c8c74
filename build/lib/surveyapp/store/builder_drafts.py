"""The builder's drafts: one per questionnaire, the YAML text being edited in the browser.

Each save bumps the draft's revision; a save that names the revision it started from is
refused when another save came in between (two admins, two tabs), so no edit silently
overwrites another. The text before the last save is kept for one undo.
All SQL for the `builder_drafts` table lives here.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from surveyapp.store.connection import immediate
from surveyapp.store.timestamps import utcnow

COLUMNS = "survey, text, updated_by, updated_at, base_version, revision, previous_text"


class DraftConflict(RuntimeError):
    """The draft changed since the form was shown."""


@dataclass(frozen=True)
class Draft:
    survey: str
    text: str
    updated_by: str
    updated_at: str
    base_version: str | None  # the published version the draft started from
    revision: int
    previous_text: str | None = None


def get(db: sqlite_utils.Database, survey: str) -> Draft | None:
    row = db.execute(
        f"SELECT {COLUMNS} FROM builder_drafts WHERE survey = ?",  # noqa: S608 - names from code
        [survey],
    ).fetchone()
    return Draft(*row) if row else None


def all_drafts(db: sqlite_utils.Database) -> dict[str, Draft]:
    rows = db.execute(f"SELECT {COLUMNS} FROM builder_drafts ORDER BY survey").fetchall()  # noqa: S608
    return {row[0]: Draft(*row) for row in rows}


def save(
    db: sqlite_utils.Database, survey: str, text: str, actor: str,
    revision: int | None = None, base_version: str | None = None, before: str | None = None,
) -> int:  # fmt: skip
    """Store the draft's text; its new revision. `revision` is the one the edit started
    from (0: there was no draft); DraftConflict when the stored one differs.
    `base_version` and `before` (the text an undo goes back to) are recorded when the
    draft is created."""
    with immediate(db):
        current = get(db, survey)
        stored = current.revision if current else 0
        if revision is not None and revision != stored:
            raise DraftConflict(survey)
        if current is None:
            db.execute(
                f"INSERT INTO builder_drafts ({COLUMNS}) VALUES (?, ?, ?, ?, ?, 1, ?)",  # noqa: S608
                [survey, text, actor, utcnow(), base_version, before],
            )
            return 1
        db.execute(
            "UPDATE builder_drafts SET previous_text = text, text = ?, updated_by = ?,"
            " updated_at = ?, revision = revision + 1 WHERE survey = ?",
            [text, actor, utcnow(), survey],
        )
        return stored + 1


def undo(db: sqlite_utils.Database, survey: str, actor: str, revision: int) -> int:
    """Put back the text before the last save (once); the new revision. DraftConflict
    when there is nothing to undo or the draft changed since `revision`."""
    with immediate(db):
        current = get(db, survey)
        if current is None or current.previous_text is None or current.revision != revision:
            raise DraftConflict(survey)
        db.execute(
            "UPDATE builder_drafts SET text = previous_text, previous_text = NULL,"
            " updated_by = ?, updated_at = ?, revision = revision + 1 WHERE survey = ?",
            [actor, utcnow(), survey],
        )
        return revision + 1


def delete(db: sqlite_utils.Database, survey: str, revision: int | None = None) -> bool:
    """Remove a draft (discarded, or published); False when there was none or it changed
    since `revision`."""
    with immediate(db):
        if revision is None:
            cursor = db.execute("DELETE FROM builder_drafts WHERE survey = ?", [survey])
        else:
            cursor = db.execute(
                "DELETE FROM builder_drafts WHERE survey = ? AND revision = ?", [survey, revision]
            )
        return cursor.rowcount > 0
