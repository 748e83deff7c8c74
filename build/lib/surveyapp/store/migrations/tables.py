"""The first tables: responses, answers, counters, drafts, definitions, accounts,
editions, imports, invitations, throttles and the audit log."""

from __future__ import annotations

import sqlite_utils

from surveyapp.store.migrations import migrations

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


def address_log(table: str) -> str:
    """A log of events per (hashed) client address, pruned by time: the throttles' tables.
    Migrations that use it must keep producing the same statements."""
    return (
        f"CREATE TABLE {table} (address TEXT NOT NULL, at TEXT NOT NULL);"
        f" CREATE INDEX {table}_by_address ON {table} (address, at);"
        f" CREATE INDEX {table}_by_time ON {table} (at);"
    )


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
        """
        + address_log("submission_log")
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
