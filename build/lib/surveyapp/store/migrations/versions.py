"""Published definition versions, drafts that remember their version, the builder's
drafts, and weighting targets."""

from __future__ import annotations

import sqlite_utils

from surveyapp.store.migrations import migrations


@migrations()
def m006_defs_versions(db: sqlite_utils.Database) -> None:
    """Definitions become published versions: who published each and when, the order in
    which versions became current (`seq`), and a catalogue generation every worker polls.
    Versions seen before were read from files: their order is the order they were seen."""
    db.executescript(
        """
        ALTER TABLE definitions ADD COLUMN published_by TEXT NOT NULL DEFAULT 'file';
        ALTER TABLE definitions ADD COLUMN published_at TEXT;
        ALTER TABLE definitions ADD COLUMN seq INTEGER;
        UPDATE definitions SET published_at = first_seen, seq = (
            SELECT count(*) FROM definitions AS o
            WHERE o.first_seen < definitions.first_seen
               OR (o.first_seen = definitions.first_seen AND o.rowid <= definitions.rowid)
        );
        CREATE UNIQUE INDEX definitions_by_seq ON definitions (seq);
        CREATE INDEX definitions_by_edition ON definitions (survey, edition, seq);
        CREATE TABLE catalog_generation (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            generation INTEGER NOT NULL
        );
        INSERT INTO catalog_generation (id, generation) VALUES (1, 1);
        """
    )


@migrations()
def m006_defs_draft_version(db: sqlite_utils.Database) -> None:
    """The definition version a draft's pages were answered on (NULL: before versions)."""
    db.execute("ALTER TABLE drafts ADD COLUMN version TEXT")


@migrations()
def m007_builder_drafts(db: sqlite_utils.Database) -> None:
    """The browser builder's drafts: one per questionnaire (see store/builder_drafts.py)."""
    db.executescript(
        """
        CREATE TABLE builder_drafts (
            survey TEXT PRIMARY KEY,
            text TEXT NOT NULL,
            updated_by TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            base_version TEXT,
            revision INTEGER NOT NULL,
            previous_text TEXT
        );
        """
    )


@migrations()
def m010_statfiles_weights(db: sqlite_utils.Database) -> None:
    """Weighting targets: per edition and profile question, each code's share of the
    population (decimal text as entered, a fraction of 1); see surveyapp/store/weights.py."""
    db.executescript(
        """
        CREATE TABLE weight_targets (
            survey TEXT NOT NULL,
            edition INTEGER NOT NULL,
            field TEXT NOT NULL,
            code TEXT NOT NULL,
            position INTEGER NOT NULL,
            share TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            updated_by TEXT NOT NULL,
            PRIMARY KEY (survey, edition, field, code)
        ) WITHOUT ROWID;
        """
    )
