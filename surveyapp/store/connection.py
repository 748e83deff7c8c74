"""SQLite connections: the settings every request relies on, one connection per thread,
and the write transaction with its queue.

SQLite is reached only through sqlite-utils, which picks up the bundled, current
SQLite of the pysqlite3 wheel.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlite_utils
from sqlite_utils.utils import sqlite3

from surveyapp.store.maintenance import refuse_while_restoring

MIN_SQLITE = (3, 51, 3)
BUSY_TIMEOUT_MS = 10_000
IntegrityError = sqlite3.IntegrityError
OperationalError = sqlite3.OperationalError
DatabaseError = sqlite3.DatabaseError
_local = threading.local()


class StorageError(RuntimeError):
    """The database is unusable for this app (old SQLite, wrong settings)."""


def connect(path: str | Path) -> sqlite_utils.Database:
    """Open a connection with the settings every request relies on."""
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    db = sqlite_utils.Database(conn, execute_plugins=False)
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        with db.ensure_autocommit_on():
            db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = FULL")
    db.execute("PRAGMA foreign_keys = ON")
    return db


def thread_connection(path: str | Path) -> sqlite_utils.Database:
    """One connection per thread and database file, reused across requests."""
    cache = getattr(_local, "connections", None)
    if cache is None:
        cache = _local.connections = {}
    key = str(path)
    if key not in cache:
        cache[key] = connect(path)
    return cache[key]


def close_thread_connections() -> None:
    for db in getattr(_local, "connections", {}).values():
        db.close()
    _local.connections = {}


def check_settings(db: sqlite_utils.Database) -> dict[str, Any]:
    """Refuse a connection that would not keep acknowledged responses safe."""
    version = db.execute("select sqlite_version()").fetchone()[0]
    found = {
        "sqlite_version": version,
        "journal_mode": db.execute("PRAGMA journal_mode").fetchone()[0],
        "synchronous": db.execute("PRAGMA synchronous").fetchone()[0],
        "busy_timeout": db.execute("PRAGMA busy_timeout").fetchone()[0],
    }
    problems = []
    if tuple(int(p) for p in version.split(".")[:3]) < MIN_SQLITE:
        problems.append(f"SQLite {version} is older than 3.51.3 (WAL-reset corruption bug)")
    if found["journal_mode"] != "wal":
        problems.append(f"journal_mode is {found['journal_mode']}, not wal")
    if found["synchronous"] != 2:
        problems.append(f"synchronous is {found['synchronous']}, not FULL (2)")
    if found["busy_timeout"] < 5000:
        problems.append(f"busy_timeout is {found['busy_timeout']} ms, below 5000")
    if problems:
        raise StorageError("; ".join(problems))
    return found


class _WriterQueue:
    """Writers of one database file take turns here before BEGIN IMMEDIATE.

    SQLite's busy handler polls with growing sleeps (1, 2, 5 ... 100 ms), so under
    concurrent submissions a waiting writer often sleeps long after the lock is
    free: that is where the p99 latency went. A thread lock plus an flock on a
    side file (shared by every worker process) hands the turn over at once. The
    busy timeout still covers writers that do not queue here (e.g. other tools).
    """

    def __init__(self, path: str):
        self.path = f"{path}-writer.lock"
        self.thread_lock = threading.RLock()
        self.fd: int | None = None
        self.pid = 0

    @contextlib.contextmanager
    def turn(self) -> Iterator[None]:
        with self.thread_lock:
            if self.pid != os.getpid():  # a forked worker must not share its parent's lock
                self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
                self.pid = os.getpid()
            fcntl.flock(self.fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(self.fd, fcntl.LOCK_UN)


_queues: dict[str, _WriterQueue] = {}
_queues_lock = threading.Lock()


def _writer_queue(db: sqlite_utils.Database) -> _WriterQueue | None:
    path = db.execute("PRAGMA database_list").fetchone()[2]
    if not path:  # in-memory database: one connection, nothing to queue for
        return None
    with _queues_lock:
        if path not in _queues:
            _queues[path] = _WriterQueue(path)
        return _queues[path]


def upsert(
    db: sqlite_utils.Database, table: str, row: dict[str, Any], key: tuple[str, ...],
    update: tuple[str, ...],
) -> None:  # fmt: skip
    """INSERT a row, or UPDATE the `update` columns of the row with the same `key`; table
    and column names come from the code, every value is a parameter."""
    columns = ", ".join(row)
    marks = ", ".join("?" * len(row))
    changes = ", ".join(f"{column} = excluded.{column}" for column in update)
    db.execute(
        f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 - names from code
        f" ON CONFLICT ({', '.join(key)}) DO UPDATE SET {changes}",
        list(row.values()),
    )


@contextlib.contextmanager
def immediate(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """A write transaction that takes the write lock up front (BEGIN IMMEDIATE),
    so a busy database waits for the busy timeout instead of failing at once.
    Writers in this process and its sibling workers queue first (_WriterQueue), unless
    a restore runs: then they are refused at once (maintenance.Maintenance)."""
    queue = _writer_queue(db)
    if queue:
        refuse_while_restoring(db)
    with queue.turn() if queue else contextlib.nullcontext():
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
            # A failed COMMIT (full disk) must not leave this reused connection in a transaction.
            db.execute("COMMIT")
        except BaseException:
            if db.conn.in_transaction:
                db.execute("ROLLBACK")
            raise
