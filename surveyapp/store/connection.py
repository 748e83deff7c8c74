"""SQLite connections: the settings every request relies on, one connection per thread,
the write transaction with its queue, and the time budget of a read.

SQLite is reached only through sqlite-utils, which picks up the bundled, current
SQLite of the pysqlite3 wheel.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlite_utils
from sqlite_utils.utils import sqlite3

from surveyapp.store import pg, writer_queue
from surveyapp.store.maintenance import refuse_while_restoring
from surveyapp.store.transaction import transaction

MIN_SQLITE = (3, 51, 3)
BUSY_TIMEOUT_MS = 10_000
# SQLite virtual-machine steps between two looks at the clock during a budgeted read:
# a millisecond or two of work, so the callback (which needs the GIL) stays rare.
PROGRESS_STEPS = 100_000
IntegrityError = sqlite3.IntegrityError
OperationalError = sqlite3.OperationalError
DatabaseError = sqlite3.DatabaseError
_local = threading.local()


class StorageError(RuntimeError):
    """The database is unusable for this app (missing, old SQLite, wrong settings)."""


class ReadBudgetExceeded(RuntimeError):
    """A read ran past its time budget and was stopped; the connection stays usable."""


def is_postgres(db: object) -> bool:
    """Whether `db` is a PostgreSQL connection (store.pg) rather than SQLite."""
    return getattr(db, "engine", None) == "postgresql"


def connect(path: str | Path, *, create: bool = False) -> sqlite_utils.Database:
    """Open a connection with the settings every request relies on: a postgresql:// URL
    takes one from that database's pool (store.pg); anything else is a SQLite file.

    Only `create=True` (init-db, serve, restore's target) may create the file, readable
    by its owner only (SQLite gives its -wal and -shm files the same permissions), and
    switch it to WAL; otherwise a missing file is refused rather than made empty."""
    if pg.is_url(path):
        return pg.connect(str(path))
    if create:
        _create_private(Path(path))
    elif not Path(path).is_file():
        raise StorageError(f"no database at {path}: `surveyapp init-db` creates it")
    uri = f"{Path(path).absolute().as_uri()}?mode={'rwc' if create else 'rw'}"
    conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    db = sqlite_utils.Database(conn, execute_plugins=False)
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    if create and db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        with db.ensure_autocommit_on():
            db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = FULL")
    db.execute("PRAGMA foreign_keys = ON")
    return db


def _create_private(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, 0o600))


def thread_connection(path: str | Path) -> sqlite_utils.Database:
    """One connection per thread and database file, reused across requests."""
    cache = getattr(_local, "connections", None)
    if cache is None:
        cache = _local.connections = {}
    key = str(path)
    if key in cache and getattr(cache[key], "broken", False):  # PostgreSQL restarted
        cache.pop(key).close()
    if key not in cache:
        cache[key] = connect(path)
    return cache[key]


def close_thread_connections() -> None:
    for db in getattr(_local, "connections", {}).values():
        db.close()
    _local.connections = {}


def check_settings(db: sqlite_utils.Database) -> dict[str, Any]:
    """Refuse a connection that would not keep acknowledged responses safe."""
    if is_postgres(db):
        return _check_postgres(db)
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


def _check_postgres(db: Any) -> dict[str, Any]:
    found = {
        name: db.execute(f"SHOW {name}").fetchone()[0]
        for name in ("server_version", "fsync", "synchronous_commit", "full_page_writes")
    }
    problems = [f"{name} is off" for name in ("fsync", "synchronous_commit",
                "full_page_writes") if found[name] == "off"]  # fmt: skip
    if int(found["server_version"].split(".")[0]) < 13:
        problems.append(f"PostgreSQL {found['server_version']} is older than 13")
    if problems:
        raise StorageError("; ".join(problems))
    return found


def _writer_queue(db: sqlite_utils.Database) -> writer_queue.WriterQueue | None:
    if is_postgres(db):  # writers queue on the database's own lock (store.pg)
        return None
    path = db.execute("PRAGMA database_list").fetchone()[2]
    if not path:  # in-memory database: one connection, nothing to queue for
        return None
    return writer_queue.for_path(path)


def writer_turn(db: sqlite_utils.Database) -> contextlib.AbstractContextManager:
    """This thread's turn in `db`'s writer queue (within the busy timeout); nothing to
    wait for where there is no queue (PostgreSQL, an in-memory database)."""
    queue = _writer_queue(db)
    return queue.turn(BUSY_TIMEOUT_MS / 1000) if queue else contextlib.nullcontext()


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
    Writers in this process and its sibling workers queue first (store.writer_queue),
    unless a restore runs: then they are refused at once (maintenance.Maintenance)."""
    if _writer_queue(db):  # PostgreSQL's BEGIN IMMEDIATE checks it (store.pg.database)
        refuse_while_restoring(db)
    with writer_turn(db), transaction(db):
        yield db


@contextlib.contextmanager
def read_budget(db: sqlite_utils.Database, seconds: float) -> Iterator[None]:
    """Stop any statement this connection runs later than `seconds` from now, raising
    ReadBudgetExceeded (SQLite's progress handler). A write transaction is never
    stopped: what it writes was asked for and may already be acknowledged. Not nested."""
    if is_postgres(db):
        with _statement_timeout(db, seconds):
            yield
        return
    deadline = time.monotonic() + seconds
    stopped = False

    def over_budget() -> bool:
        nonlocal stopped
        stopped = time.monotonic() >= deadline and not db.conn.in_transaction
        return stopped

    db.conn.set_progress_handler(over_budget, PROGRESS_STEPS)
    try:
        yield
    except OperationalError as exc:
        if stopped:
            raise ReadBudgetExceeded(f"read stopped after {seconds:g} s") from exc
        raise
    finally:
        db.conn.set_progress_handler(None, 0)


@contextlib.contextmanager
def _statement_timeout(db: Any, seconds: float) -> Iterator[None]:
    """PostgreSQL's read budget: the server cancels a statement past `seconds`."""
    db.execute(f"SET statement_timeout = {max(1, int(seconds * 1000))}")
    try:
        yield
    except OperationalError as exc:
        if "canceling statement due to statement timeout" in str(exc):
            raise ReadBudgetExceeded(f"read stopped after {seconds:g} s") from exc
        raise
    finally:
        if not db.broken:
            db.execute("SET statement_timeout = 0")


def checkpoint(db: sqlite_utils.Database) -> None:
    """Copy the write-ahead log into the database file as far as open reads allow (PASSIVE:
    it never waits and never holds up a writer). Done after a long read, in its own
    process, so that the commit of a respondent does not pay for what the read held back."""
    if is_postgres(db):
        return
    with contextlib.suppress(OperationalError):
        db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
