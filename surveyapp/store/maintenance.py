"""The maintenance row (migration m005): which process is restoring the database, if any,
and how many restores it has seen.

Every write through `immediate()` reads it first: while a restore runs, the write is
refused at once with `Maintenance` (a database error, so respondents get the 503 page
with their answers kept) instead of queueing behind the restore's write lock. Nothing
relies on it for correctness: the restore holds the write lock throughout, and a writer
that misses the row just waits for it. The row counts only while the restoring process
holds an flock on `<database>-restore.lock`, which the kernel drops if it dies, so a
killed restore leaves no maintenance behind (on PostgreSQL: a session advisory lock,
which the server drops with the session; nothing on any host's disk). The row is server
state, not data: a restore never copies it from the backup, and bumps `generation` so
anything cached from the database can tell it is stale."""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from datetime import UTC, datetime

import sqlite_utils
from sqlite_utils.utils import sqlite3

from surveyapp.store.transaction import transaction


class Maintenance(sqlite3.OperationalError):
    """A write refused because a restore is replacing the database."""


RESTORE_LOCK = 0x5375_7278  # PostgreSQL's advisory lock of a running restore
_HOLDERS = (
    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = 0"
    " AND objid = ? AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
)


def _postgres(db: sqlite_utils.Database) -> bool:
    return getattr(db, "engine", None) == "postgresql"


def _lock_path(db: sqlite_utils.Database) -> str:
    return db.execute("PRAGMA database_list").fetchone()[2] + "-restore.lock"


def _restore_held(db: sqlite_utils.Database) -> bool:
    if _postgres(db):
        return db.execute(_HOLDERS, [RESTORE_LOCK]).fetchone()[0] > 0
    return _held(_lock_path(db))


def _held(path: str) -> bool:
    """Whether a live process holds the restore lock."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        return False
    except OSError:  # cannot tell: believe the row
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def restoring(db: sqlite_utils.Database) -> int | None:
    """The id of the process restoring this database; None when no restore runs."""
    try:
        row = db.conn.execute(
            "SELECT restoring_pid FROM maintenance WHERE restoring_pid IS NOT NULL"
        ).fetchone()
    except sqlite3.OperationalError:  # a database from before migration m005
        return None
    if row is None or not _restore_held(db):
        return None
    return row[0]


def refuse_while_restoring(db: sqlite_utils.Database) -> None:
    pid = restoring(db)
    if pid is not None:
        raise Maintenance(f"the database is being restored (process {pid}); try again shortly")


def generation(db: sqlite_utils.Database) -> int:
    """How many restores this database has seen."""
    return db.execute("SELECT generation FROM maintenance").fetchone()[0]


def _commit(db: sqlite_utils.Database, sql: str, params: list) -> None:
    """One write transaction for a caller that already holds the writer queue (on
    PostgreSQL a plain one: BEGIN IMMEDIATE there would refuse the restore's own write)."""
    if _postgres(db):
        with db.raw.transaction():
            db.execute(sql, params)
        return
    with transaction(db):
        db.execute(sql, params)


@contextlib.contextmanager
def announced(db: sqlite_utils.Database) -> Iterator[None]:
    """Tell every worker that this process restores the database, until the block ends:
    `finish` inside the restore's transaction, or here when the block fails."""
    with _restore_lock(db):
        since = datetime.now(UTC).isoformat()
        _commit(db, "UPDATE maintenance SET restoring_pid = ?, since = ?", [os.getpid(), since])
        try:
            yield
        except BaseException:
            _commit(db, "UPDATE maintenance SET restoring_pid = NULL, since = NULL", [])
            raise


@contextlib.contextmanager
def _restore_lock(db: sqlite_utils.Database) -> Iterator[None]:
    """Held while this process restores: an flock beside the SQLite file, an advisory
    lock of this session on PostgreSQL (one restore at a time)."""
    if _postgres(db):
        if not db.execute("SELECT pg_try_advisory_lock(?)", [RESTORE_LOCK]).fetchone()[0]:
            raise Maintenance("another restore of this database is running")
        try:
            yield
        finally:
            db.execute("SELECT pg_advisory_unlock(?)", [RESTORE_LOCK])
        return
    fd = os.open(_lock_path(db), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def finish(db: sqlite_utils.Database) -> None:
    """End the restore inside its own transaction, one generation later."""
    db.execute(
        "UPDATE maintenance SET restoring_pid = NULL, since = NULL, generation = generation + 1"
    )
