"""The maintenance row (migration m005): which process is restoring the database, if any,
and how many restores it has seen.

Every write through `immediate()` reads it first: while a restore runs, the write is
refused at once with `Maintenance` (a database error, so respondents get the 503 page
with their answers kept) instead of queueing behind the restore's write lock. The row
is server state, not data: a restore never copies it from the backup, and bumps
`generation` so anything cached from the database can tell it is stale."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import sqlite_utils
from sqlite_utils.utils import sqlite3


class Maintenance(sqlite3.OperationalError):
    """A write refused because a restore is replacing the database."""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, run by another user
        return True
    return True


def restoring(db: sqlite_utils.Database) -> int | None:
    """The id of the process restoring this database; None when no restore runs (or the
    one that set the row died: a killed restore leaves no maintenance behind)."""
    try:
        row = db.conn.execute(
            "SELECT restoring_pid FROM maintenance WHERE restoring_pid IS NOT NULL"
        ).fetchone()
    except sqlite3.OperationalError:  # a database from before migration m005
        return None
    if row is None or not _alive(row[0]):
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
    """One write transaction for a caller that already holds the writer queue."""
    db.execute("BEGIN IMMEDIATE")
    try:
        db.execute(sql, params)
        db.execute("COMMIT")
    except BaseException:
        if db.conn.in_transaction:
            db.execute("ROLLBACK")
        raise


def begin(db: sqlite_utils.Database) -> None:
    """Announce this process's restore to every worker (committed at once)."""
    _commit(
        db,
        "UPDATE maintenance SET restoring_pid = ?, since = ?",
        [os.getpid(), datetime.now(UTC).isoformat()],
    )


def finish(db: sqlite_utils.Database) -> None:
    """End the restore inside its own transaction, one generation later."""
    db.execute(
        "UPDATE maintenance SET restoring_pid = NULL, since = NULL, generation = generation + 1"
    )


def clear(db: sqlite_utils.Database) -> None:
    """After a failed restore: writes are welcome again, generation unchanged."""
    _commit(db, "UPDATE maintenance SET restoring_pid = NULL, since = NULL"
                " WHERE restoring_pid = ?", [os.getpid()])  # fmt: skip
