"""Invitation attempt windows, anonymous editions to the day, restore maintenance, and
revocable sessions with bounded log-in failures and a keyed audit chain."""

from __future__ import annotations

import sqlite_utils

from surveyapp.store import audit
from surveyapp.store.migrations import migrations
from surveyapp.store.migrations.tables import address_log


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
""" + address_log("draft_log")


@migrations()
def m005_auth_sessions(db: sqlite_utils.Database) -> None:
    """Account session generations and disabling; log-in failures counted per account and
    address with their delays (store/logins.py); expiring, throttled drafts; the switch of
    the audit log to its keyed chain (store/audit.py)."""
    db.executescript(M005_SQL)
    audit.switch_over(db)  # the log so far is a plain SHA-256 chain: anchor it with the key
