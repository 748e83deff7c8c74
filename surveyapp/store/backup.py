"""Keeping data: an online backup (SQLite's backup API, safe while respondents submit), the
checks a file passes before `restore` (store/restore.py) may use it, and the checks
bench/ relies on: integrity_check and duplicate submission keys (counters:
tallies.verify_tallies)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import sqlite_utils
from sqlite_utils.utils import sqlite3

from surveyapp import store
from surveyapp.store import schema
from surveyapp.store.connection import is_postgres
from surveyapp.store.files import written_whole
from surveyapp.store.pg import dump as pg_dump
from surveyapp.store.pg import schema as pg_schema

# Tables and columns a surveyapp database has from its first migration on.
REQUIRED_COLUMNS = {
    "responses": {"id", "response_id", "submission_key", "survey", "edition", "version",
                  "submitted_at", "answers"},
    "answers": {"response", "survey", "edition", "field", "value"},
    "counters": {"survey", "edition", "field", "value", "count"},
    "drafts": {"key", "survey", "answers", "updated_at"},
    "definitions": {"version", "survey", "edition", "source", "text", "first_seen"},
    "admins": {"id", "username", "password_hash", "role", "created_at"},
}  # fmt: skip


def integrity_check(db: sqlite_utils.Database) -> list[str]:
    """PRAGMA integrity_check's findings: ['ok'] for a sound file."""
    return [row[0] for row in db.execute("PRAGMA integrity_check").fetchall()]


def duplicate_submission_keys(db: sqlite_utils.Database) -> list[str]:
    return [row[0] for row in db.execute(
        "SELECT submission_key FROM responses WHERE submission_key IS NOT NULL"
        " GROUP BY submission_key HAVING count(*) > 1"
    ).fetchall()]  # fmt: skip


class BackupError(Exception):
    """A file that must not be restored (or a backup that could not be made)."""


@contextlib.contextmanager
def _open(path: Path) -> Iterator[sqlite_utils.Database]:
    db = sqlite_utils.Database(sqlite3.connect(str(path)), execute_plugins=False)
    try:
        yield db
    finally:
        db.close()


def backup(source: sqlite_utils.Database, target: Path) -> int:
    """Copy the database behind `source` to `target` in one backup step, i.e. one read
    snapshot: everything committed before it starts, nothing half-written. Writers go on
    meanwhile (WAL). The copy is a single file (rollback journal). Returns its responses.
    On PostgreSQL: pg_dump's custom format, also one snapshot (store.pg.dump)."""
    if is_postgres(source):
        try:
            return pg_dump.dump(source.url, target)
        except pg_dump.DumpError as exc:
            raise BackupError(str(exc)) from exc
    with written_whole(target) as partial:
        with _open(partial) as copy:
            source.conn.backup(copy.conn)
            copy.execute("PRAGMA journal_mode = DELETE")
            problems = integrity_check(copy)
            count = copy.execute("SELECT count(*) FROM responses").fetchone()[0]
        if problems != ["ok"]:
            raise BackupError(f"the copy failed integrity_check: {'; '.join(problems[:5])}")
    return count


def check_restorable(path: Path) -> int:
    """Refuse anything but a sound surveyapp database this version understands; return
    its number of responses. A pg_dump archive (PostgreSQL's backups) is read by pg_restore."""
    if not path.is_file():
        raise BackupError(f"{path} is not a file")
    if pg_dump.is_dump(path):
        try:
            return pg_dump.check(path, pg_schema.known())
        except pg_dump.DumpError as exc:
            raise BackupError(str(exc)) from exc
    try:
        with _open(path) as db:
            _check_sound(db, path)
            _check_surveyapp_schema(db, path)
            return db.execute("SELECT count(*) FROM responses").fetchone()[0]
    except store.DatabaseError as exc:
        raise BackupError(f"{path} is not a usable SQLite database: {exc}") from exc


def _check_sound(db: sqlite_utils.Database, path: Path) -> None:
    problems = integrity_check(db)
    if problems != ["ok"]:
        raise BackupError(f"{path} fails integrity_check: {'; '.join(problems[:5])}")
    broken = db.execute("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise BackupError(f"{path} has {len(broken)} row(s) breaking a foreign key")


def _check_surveyapp_schema(db: sqlite_utils.Database, path: Path) -> None:
    """The tables and columns surveyapp needs, and no migration this version lacks."""
    tables = set(db.table_names())
    for table, columns in REQUIRED_COLUMNS.items():
        found = set(db[table].columns_dict) if table in tables else set()
        if not columns <= found:
            raise BackupError(f"{path} is not a surveyapp database (table {table!r})")
    with contextlib.closing(sqlite_utils.Database(memory=True)) as empty:
        known = {m.name for m in schema.migrations.pending(empty)}
    applied = {m.name for m in schema.migrations.applied(db)}
    if "m001_initial" not in applied:
        raise BackupError(f"{path} is not a surveyapp database (no migrations)")
    if applied - known:
        raise BackupError(
            f"{path} comes from a newer surveyapp (migrations {sorted(applied - known)})"
        )
