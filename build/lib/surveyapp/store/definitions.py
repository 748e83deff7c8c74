"""Definitions as immutable published versions, and the catalogue generation.

A version is a definition's text, keyed by its content hash, with who published it and
when. Each (survey, edition) serves its current version: the one published last (`seq`,
the order in which versions became current). Publishing a version seen before makes it
current again without storing anything new. Every publish and every edition opened or
closed bumps the catalogue generation, which each worker compares to the one its
catalogue was built from. The parsed form is not stored: the text is parsed again when a
catalogue is built (parsing is deterministic, and the text is what the hash covers).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlite_utils

from surveyapp.questionnaire import diff
from surveyapp.questionnaire.loader import DefinitionError
from surveyapp.questionnaire.model import Definition
from surveyapp.questionnaire.publishing import parse
from surveyapp.store import audit
from surveyapp.store.connection import immediate
from surveyapp.store.timestamps import utcnow

FILE_ACTOR = "file"


class BreakingChange(ValueError):
    """A breaking change to an edition with stored responses, not confirmed."""

    def __init__(self, definition: Definition, changes: list[diff.Change]):
        self.definition, self.changes = definition, changes
        lines = "\n".join(f"  {c.description}" for c in changes)
        super().__init__(
            f"{definition.id} {definition.edition} has responses; these changes alter what"
            f" stored answers mean:\n{lines}\nconfirm to publish them as a new version"
        )


@dataclass(frozen=True)
class PublishResult:
    version: str
    new: bool  # a version never stored before
    definition: Definition
    changes: list[diff.Change] = field(default_factory=list)  # from the previous current one
    current_before: str | None = None  # the version it replaced (None: a new edition)

    @property
    def changed(self) -> bool:
        """Whether the edition serves another version than before."""
        return self.current_before != self.version


def publish(
    db: sqlite_utils.Database, text: str, source: str, actor: str, confirm: bool = False
) -> PublishResult:
    """Parse `text` and make it the current version of its (survey, edition), with an
    audit entry (`publish`) by `actor` in the same transaction. Raises DefinitionError
    (every problem; nothing stored) or BreakingChange (not confirmed; nothing stored)."""
    return publish_definition(db, parse(text, source), actor, confirm)


def publish_definition(
    db: sqlite_utils.Database, definition: Definition, actor: str, confirm: bool = False,
    audited: bool = True,
) -> PublishResult:  # fmt: skip
    """publish() for a parsed definition; `audited=False` for files read at start-up,
    which the version history records as published by `file`."""
    found_version = definition.version
    with immediate(db):
        current, found, needs_confirmation = pending_changes(db, definition)
        if current == found_version:
            return PublishResult(found_version, False, definition, [], current)
        if needs_confirmation and not confirm:
            raise BreakingChange(definition, diff.breaking(found))
        known = is_known(db, found_version)
        seq = db.execute("SELECT coalesce(max(seq), 0) + 1 FROM definitions").fetchone()[0]
        if known:
            db.execute("UPDATE definitions SET seq = ? WHERE version = ?", [seq, found_version])
        else:
            _insert(db, definition, actor, seq)
        bump_generation(db)
        result = PublishResult(found_version, not known, definition, found, current)
        if audited:
            audit.record(db, actor, "publish", **_details(result))
    return result


def _details(result: PublishResult) -> dict:
    """The audit entry of a publish: ids and change descriptions, never answers."""
    d = result.definition
    return {"survey": d.id, "edition": d.edition, "version": result.version,
            "source": d.source, "new": result.new, "replaced": result.current_before,
            "breaking": [c.description for c in result.changes if c.breaking]}  # fmt: skip


def _insert(db: sqlite_utils.Database, definition: Definition, actor: str, seq: int) -> None:
    now = utcnow()
    db.execute(
        "INSERT INTO definitions (version, survey, edition, source, text, first_seen,"
        " published_by, published_at, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [definition.version, definition.id, definition.edition, definition.source,
         definition.text, now, actor, now, seq],
    )  # fmt: skip


def pending_changes(
    db: sqlite_utils.Database, definition: Definition
) -> tuple[str | None, list[diff.Change], bool]:
    """What publishing `definition` would do, storing nothing: (the version it would
    replace, the changes from it, whether publishing needs confirmation)."""
    current = current_version(db, definition.id, definition.edition)
    found = _changes(db, current, definition)
    return current, found, bool(diff.breaking(found)) and _has_responses(db, definition)


def _changes(db: sqlite_utils.Database, current: str | None, new: Definition) -> list[diff.Change]:
    if current is None or current == new.version:
        return []
    row = db.execute("SELECT text, source FROM definitions WHERE version = ?", [current])
    text, source = row.fetchone()
    try:
        return diff.changes(parse(text, source), new)
    except DefinitionError:  # stored under an older, more lenient loader: nothing to compare
        return []


def _has_responses(db: sqlite_utils.Database, definition: Definition) -> bool:
    row = db.execute(
        "SELECT 1 FROM responses WHERE survey = ? AND edition = ? LIMIT 1",
        [definition.id, definition.edition],
    ).fetchone()
    return row is not None


def current_version(db: sqlite_utils.Database, survey: str, edition: int) -> str | None:
    row = db.execute(
        "SELECT version FROM definitions WHERE survey = ? AND edition = ?"
        " ORDER BY seq DESC LIMIT 1",
        [survey, edition],
    ).fetchone()
    return row[0] if row else None


def is_known(db: sqlite_utils.Database, version: str) -> bool:
    return version_text(db, version) is not None


def versions(db: sqlite_utils.Database, survey_id: str) -> list[dict]:
    """Every stored version of a questionnaire, the one made current last first; `current`
    says whether it is its edition's current version."""
    rows = db.execute(
        "SELECT version, edition, published_by, published_at, source, seq = ("
        "  SELECT max(seq) FROM definitions AS o"
        "  WHERE o.survey = d.survey AND o.edition = d.edition) AS current"
        " FROM definitions AS d WHERE survey = ? ORDER BY seq DESC",
        [survey_id],
    )
    names = ("version", "edition", "published_by", "published_at", "source", "current")
    return [dict(zip(names, row, strict=True)) | {"current": bool(row[5])} for row in rows]


def version_text(db: sqlite_utils.Database, version: str) -> str | None:
    row = db.execute("SELECT text FROM definitions WHERE version = ?", [version]).fetchone()
    return row[0] if row else None


def version_source(db: sqlite_utils.Database, version: str) -> tuple[str, str] | None:
    """(text, source) of a stored version."""
    row = db.execute("SELECT text, source FROM definitions WHERE version = ?", [version])
    found = row.fetchone()
    return (found[0], found[1]) if found else None


def current_texts(db: sqlite_utils.Database) -> list[tuple[str, str]]:
    """(text, source) of the current version of every (survey, edition)."""
    return [(text, source) for _version, text, source, current in catalog_rows(db) if current]


def catalog_rows(db: sqlite_utils.Database) -> list[tuple[str, str, str, bool]]:
    """(version, text, source, current) of every stored version, oldest first."""
    rows = db.execute(
        "SELECT version, text, source, seq = ("
        "  SELECT max(seq) FROM definitions AS o"
        "  WHERE o.survey = d.survey AND o.edition = d.edition)"
        " FROM definitions AS d ORDER BY seq"
    )
    return [(version, text, source, bool(current)) for version, text, source, current in rows]


def generation(db: sqlite_utils.Database) -> int:
    """The catalogue generation: changes on every publish and edition open or close."""
    return db.execute("SELECT generation FROM catalog_generation WHERE id = 1").fetchone()[0]


def catalogue_mark(db: sqlite_utils.Database) -> tuple[int, int]:
    """What a served catalogue is checked against, in one indexed read: the catalogue
    generation and the restore generation (a restore brings back the backup's catalogue
    generation, which may equal the one a worker cached)."""
    return db.execute(
        "SELECT generation, (SELECT generation FROM maintenance WHERE id = 1)"
        " FROM catalog_generation WHERE id = 1"
    ).fetchone()


def bump_generation(db: sqlite_utils.Database) -> None:
    """Call inside the write transaction that changes what the catalogue serves."""
    db.execute("UPDATE catalog_generation SET generation = generation + 1 WHERE id = 1")
