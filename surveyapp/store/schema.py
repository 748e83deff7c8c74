"""The database schema as sqlite-utils migrations, applied in order by `init-db`."""

from __future__ import annotations

import sqlite_utils
from sqlite_utils.migrations import Migrations

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
def m008_logic_status(db: sqlite_utils.Database) -> None:
    """Whether a response completed the questionnaire or a screen_out rule ended it; the
    marks in its answers say the same (surveyapp.questionnaire.marks)."""
    db.execute(
        "ALTER TABLE responses ADD COLUMN status TEXT NOT NULL DEFAULT 'completed'"
        " CHECK (status IN ('completed', 'screened_out'))"
    )


@migrations()
def m008_logic_not_shown(db: sqlite_utils.Database) -> None:
    """The fields a completed response was not shown (not asked), one row each: what the
    not-shown counters are recounted from, as answered fields are from `answers`."""
    db.executescript(
        """
        CREATE TABLE not_shown (
            response INTEGER NOT NULL REFERENCES responses(id) ON DELETE CASCADE,
            survey TEXT NOT NULL,
            edition INTEGER NOT NULL,
            field TEXT NOT NULL
        );
        CREATE INDEX not_shown_by_field ON not_shown (survey, edition, field);
        CREATE INDEX not_shown_by_response ON not_shown (response);
        """
    )


def init_db(db: sqlite_utils.Database) -> list[str]:
    """Create or upgrade the schema; return the names of the migrations applied."""
    pending = [m.name for m in migrations.pending(db)]
    migrations.apply(db)
    return pending
