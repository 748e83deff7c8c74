"""The database schema as sqlite-utils migrations, applied in order by `init-db` (and
`serve`) before any worker starts; a worker only checks, reading, that nothing is pending."""

from __future__ import annotations

import contextlib

import sqlite_utils
from sqlite_utils.migrations import Migrations

from surveyapp.store import audit
from surveyapp.store.connection import StorageError

migrations = Migrations("surveyapp")


INITIAL = """
    CREATE TABLE responses (
        id INTEGER PRIMARY KEY,
        response_id TEXT NOT NULL UNIQUE,
        submission_key TEXT UNIQUE,
        survey TEXT NOT NULL,
        edition INTEGER NOT NULL,
        version TEXT NOT NULL,
        submitted_at TEXT NOT NULL,
        answers TEXT NOT NULL
    );
    CREATE INDEX responses_by_time ON responses (survey, edition, submitted_at);
    CREATE INDEX responses_by_survey_time ON responses (survey, submitted_at);
    CREATE TABLE answers (
        response INTEGER NOT NULL REFERENCES responses(id) ON DELETE CASCADE,
        survey TEXT NOT NULL,
        edition INTEGER NOT NULL,
        field TEXT NOT NULL,
        value TEXT NOT NULL
    );
    CREATE INDEX answers_by_field ON answers (survey, edition, field, value);
    CREATE INDEX answers_by_response ON answers (response);
    CREATE TABLE counters (
        survey TEXT NOT NULL,
        edition INTEGER NOT NULL,
        field TEXT NOT NULL,
        value TEXT NOT NULL,
        count INTEGER NOT NULL,
        PRIMARY KEY (survey, edition, field, value)
    ) WITHOUT ROWID;
    CREATE TABLE drafts (
        key TEXT PRIMARY KEY,
        survey TEXT NOT NULL,
        answers TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE definitions (
        version TEXT PRIMARY KEY,
        survey TEXT NOT NULL,
        edition INTEGER NOT NULL,
        source TEXT NOT NULL,
        text TEXT NOT NULL,
        first_seen TEXT NOT NULL
    );
    CREATE TABLE admins (
        id INTEGER PRIMARY KEY,
        username TEXT NOT NULL UNIQUE,
        password_hash TEXT NOT NULL,
        role TEXT NOT NULL DEFAULT 'admin',
        created_at TEXT NOT NULL
    );
    CREATE TABLE login_failures (
        id INTEGER PRIMARY KEY,
        subject TEXT NOT NULL,
        at TEXT NOT NULL
    );
    CREATE INDEX login_failures_by_subject ON login_failures (subject, at);
"""


@migrations()
def m001_initial(db: sqlite_utils.Database) -> None:
    db.executescript(INITIAL)


@migrations()
def m002_editions_imports(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        CREATE TABLE editions (
            survey TEXT NOT NULL,
            edition INTEGER NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
            changed_at TEXT NOT NULL,
            PRIMARY KEY (survey, edition)
        ) WITHOUT ROWID;
        CREATE TABLE imports (
            id INTEGER PRIMARY KEY,
            survey TEXT NOT NULL,
            edition INTEGER NOT NULL,
            file_hash TEXT NOT NULL,
            rows INTEGER NOT NULL,
            created INTEGER NOT NULL,
            imported_at TEXT NOT NULL
        );
        CREATE INDEX imports_by_hash ON imports (survey, edition, file_hash);
        """
    )


@migrations()
def m003_invitations_throttle(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        CREATE TABLE invitations (
            id INTEGER PRIMARY KEY,
            survey TEXT NOT NULL,
            edition INTEGER NOT NULL,
            token_id TEXT NOT NULL UNIQUE,
            email TEXT,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            used_at TEXT,
            response_id TEXT,
            attempts INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX invitations_by_survey ON invitations (survey, edition);
        CREATE INDEX invitations_by_response ON invitations (response_id);
        CREATE TABLE submission_log (
            address TEXT NOT NULL,
            at TEXT NOT NULL
        );
        CREATE INDEX submission_log_by_address ON submission_log (address, at);
        CREATE INDEX submission_log_by_time ON submission_log (at);
        """
    )


@migrations()
def m004_audit(db: sqlite_utils.Database) -> None:
    """The append-only audit log: rows are only ever inserted (see surveyapp/audit.py)."""
    db.executescript(
        """
        CREATE TABLE audit (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            details TEXT NOT NULL,
            prev_hash TEXT NOT NULL UNIQUE,
            hash TEXT NOT NULL UNIQUE
        );
        CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
        CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
        """
    )


@migrations()
def m005_privacy_invitation_attempt_window(db: sqlite_utils.Database) -> None:
    """When the current window of final-submit attempts with an invitation started."""
    db.execute("ALTER TABLE invitations ADD COLUMN attempts_since TEXT")


@migrations()
def m005_privacy_anonymous_days(db: sqlite_utils.Database) -> None:
    """What anonymous invitation editions stored before: invitations lose their day of use
    and responses keep their day only (see surveyapp.store.invitations)."""
    from surveyapp.questionnaire.loader import DefinitionError, parse_definition

    # Only an anonymous use was recorded without a response and to the day (10 characters).
    db.execute(
        "UPDATE invitations SET used_at = 'anonymous'"
        " WHERE used_at IS NOT NULL AND response_id IS NULL AND length(used_at) = 10"
    )
    for version, source, text in db.execute(
        "SELECT version, source, text FROM definitions"
    ).fetchall():
        try:
            definition = parse_definition(text, source)
        except DefinitionError:
            continue
        if definition.access == "invitation" and definition.anonymous:
            db.execute(
                "UPDATE responses SET submitted_at = substr(submitted_at, 1, 10)"
                " || 'T00:00:00.000000Z' WHERE version = ?",
                [version],
            )


@migrations()
def m005_restore_maintenance(db: sqlite_utils.Database) -> None:
    """One row the running server reads before each write: which process is restoring
    (NULL: none) and how many restores there have been. A restore never copies it."""
    db.executescript(
        """
        CREATE TABLE maintenance (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            restoring_pid INTEGER,
            since TEXT,
            generation INTEGER NOT NULL DEFAULT 0
        );
        INSERT INTO maintenance (id) VALUES (1);
        """
    )


M005_SQL = """
ALTER TABLE admins ADD COLUMN session_generation INTEGER NOT NULL DEFAULT 0;
ALTER TABLE admins ADD COLUMN disabled_at TEXT;
DROP TABLE login_failures;
CREATE TABLE login_failures (
    kind TEXT NOT NULL CHECK (kind IN ('pair', 'address', 'account')),
    username TEXT NOT NULL,
    address TEXT NOT NULL,
    failures INTEGER NOT NULL,
    unreported INTEGER NOT NULL,
    last_at TEXT NOT NULL,
    blocked_until TEXT NOT NULL,
    PRIMARY KEY (kind, username, address)
) WITHOUT ROWID;
CREATE INDEX login_failures_by_time ON login_failures (last_at);
CREATE TABLE login_known (
    username TEXT NOT NULL,
    address TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (username, address)
) WITHOUT ROWID;
CREATE TABLE login_window (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    started TEXT NOT NULL,
    entries INTEGER NOT NULL
);
CREATE INDEX drafts_by_time ON drafts (updated_at);
CREATE TABLE draft_log (
    address TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX draft_log_by_address ON draft_log (address, at);
CREATE INDEX draft_log_by_time ON draft_log (at);
"""


@migrations()
def m005_auth_sessions(db: sqlite_utils.Database) -> None:
    """Account session generations and disabling; log-in failures counted per account and
    address with their delays (store/logins.py); expiring, throttled drafts; the switch of
    the audit log to its keyed chain (store/audit.py)."""
    db.executescript(M005_SQL)
    audit.switch_over(db)  # the log so far is a plain SHA-256 chain: anchor it with the key


def known() -> list[str]:
    """The names of every migration this code knows, in order."""
    with contextlib.closing(sqlite_utils.Database(memory=True)) as empty:
        return [m.name for m in migrations.pending(empty)]


def check_ready(db: sqlite_utils.Database) -> None:
    """Refuse (StorageError) a database whose schema is behind or ahead of this code.
    Reads only: no write lock is needed. (Definitions are the versions the database
    holds: a file changed since is published by the next `init-db` or `serve`.)"""
    applied = {m.name for m in migrations.applied(db)}
    newer = applied - set(known())
    if newer:
        raise StorageError(f"the database comes from a newer surveyapp (migrations "
                           f"{sorted(newer)}): upgrade surveyapp")  # fmt: skip
    pending = [m.name for m in migrations.pending(db)]
    if pending:
        raise StorageError(f"the database schema is behind ({len(pending)} migration(s) "
                           f"pending: {', '.join(pending)}): run `surveyapp init-db`")  # fmt: skip


def init_db(db: sqlite_utils.Database) -> list[str]:
    """Create or upgrade the schema; return the names of the migrations applied."""
    pending = [m.name for m in migrations.pending(db)]
    migrations.apply(db)
    return pending


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
