"""The SQLite store: connections, schema migrations and the response write path.

SQLite is reached only through sqlite-utils, which picks up the bundled, current
SQLite of the pysqlite3 wheel.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils
from sqlite_utils.utils import sqlite3

MIN_SQLITE = (3, 51, 3)
BUSY_TIMEOUT_MS = 10_000
IntegrityError = sqlite3.IntegrityError
OperationalError = sqlite3.OperationalError
DatabaseError = sqlite3.DatabaseError
_local = threading.local()


class StorageError(RuntimeError):
    """The database is unusable for this app (old SQLite, wrong settings)."""


def utcnow() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


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


@contextlib.contextmanager
def immediate(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """A write transaction that takes the write lock up front (BEGIN IMMEDIATE),
    so a busy database waits for the busy timeout instead of failing at once.
    Writers in this process and its sibling workers queue first (_WriterQueue)."""
    queue = _writer_queue(db)
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


def record_definitions(db: sqlite_utils.Database, definitions: Iterable[Any]) -> None:
    """Keep the text of every definition version that responses may refer to."""
    rows = [(d.version, d.id, d.edition, d.source, d.text, utcnow()) for d in definitions]
    with immediate(db):
        db.conn.executemany(
            "INSERT INTO definitions (version, survey, edition, source, text, first_seen) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (version) DO NOTHING",
            rows,
        )


def answer_rows(answers: dict[str, str | list[str]]) -> Iterator[tuple[str, str]]:
    for field, value in answers.items():
        for one in value if isinstance(value, list) else [value]:
            yield field, one


def counter_deltas(
    answers: dict[str, str | list[str]], counted: Iterable[str]
) -> Iterator[tuple[str, str]]:
    """(field, value) counters one response adds: '*' '*' for the response itself,
    field '*' for an answered field, field code for each picked code."""
    yield "*", "*"
    for field in counted:
        value = answers.get(field)
        if value is None:
            continue
        yield field, "*"
        for one in value if isinstance(value, list) else [value]:
            yield field, one


def insert_response(
    db: sqlite_utils.Database,
    *,
    survey: str,
    edition: int,
    version: str,
    answers: dict[str, str | list[str]],
    counted: Iterable[str],
    submission_key: str | None = None,
    response_id: str | None = None,
    submitted_at: str | None = None,
    claim: Callable[[sqlite_utils.Database, str], None] | None = None,
) -> tuple[str, bool]:
    """Store one response, its answer rows and its counters in one transaction.

    Returns (response_id, created). A submission key or response id seen before
    stores nothing and returns the existing response id with created=False.
    `claim(db, response_id)` runs first inside the same transaction (throttle count,
    invitation use); whatever it raises rolls everything back.
    """
    rows = _rows(survey, edition, version, answers, counted, submission_key, response_id,
                 submitted_at)  # fmt: skip
    with immediate(db):
        if claim is not None:
            claim(db, rows[0][0])
        return _insert(db, rows)


_Rows = tuple[list, list[tuple], list[tuple]]


def _rows(survey, edition, version, answers, counted, key, response_id, submitted_at) -> _Rows:
    """Everything one response writes, computed before the write lock is taken."""
    response_id = response_id or uuid.uuid4().hex
    response = [response_id, key, survey, edition, version, submitted_at or utcnow(),
                json.dumps(answers, ensure_ascii=False)]  # fmt: skip
    answer_params = [(survey, edition, f, v) for f, v in answer_rows(answers)]
    counter_params = [(survey, edition, f, v) for f, v in counter_deltas(answers, counted)]
    return response, answer_params, counter_params


def _insert(db: sqlite_utils.Database, rows: _Rows) -> tuple[str, bool]:
    response, answer_params, counter_params = rows
    response_id, key = response[0], response[1]
    cursor = db.execute(
        "INSERT INTO responses (response_id, submission_key, survey, edition, version,"
        " submitted_at, answers) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        response,
    )
    if cursor.rowcount == 0:
        row = db.execute(
            "SELECT response_id FROM responses WHERE submission_key = ? OR response_id = ?",
            [key, response_id],
        ).fetchone()
        return row[0], False
    rowid = cursor.lastrowid
    db.conn.executemany(
        "INSERT INTO answers (response, survey, edition, field, value) VALUES (?, ?, ?, ?, ?)",
        [(rowid, *params) for params in answer_params],
    )
    db.conn.executemany(
        "INSERT INTO counters (survey, edition, field, value, count) VALUES (?, ?, ?, ?, 1)"
        " ON CONFLICT (survey, edition, field, value) DO UPDATE SET count = count + 1",
        counter_params,
    )
    if key:
        db.execute("DELETE FROM drafts WHERE key = ?", [key])
    return response_id, True


def insert_many(db: sqlite_utils.Database, rows: Iterable[dict[str, Any]]) -> int:
    """Insert many responses (dicts of insert_response's keyword arguments) in one
    transaction: all or none. Returns how many were new.

    The bulk path: a response id or submission key already stored (or seen earlier in
    `rows`) is skipped, the rest go in with executemany, and the counters are added up
    in Python first so each distinct counter costs one UPSERT, not one per response."""
    encode = _JSON.encode
    prepared = [
        ((row.get("response_id") or uuid.uuid4().hex, row.get("submission_key"), row["survey"],
          row["edition"], row["version"], row.get("submitted_at") or utcnow(),
          encode(row["answers"])), row)
        for row in rows
    ]  # fmt: skip
    with immediate(db):
        known_ids, known_keys = _stored(db, [response for response, _ in prepared])
        fresh = []
        for response, row in prepared:
            response_id, key = response[0], response[1]
            if response_id in known_ids or (key and key in known_keys):
                continue
            known_ids.add(response_id)
            if key:
                known_keys.add(key)
            fresh.append((response, row))
        if fresh:
            _insert_fresh(db, fresh)
    return len(fresh)


_JSON = json.JSONEncoder(ensure_ascii=False)
_IN_CHUNK = 500


def _stored(db: sqlite_utils.Database, responses: list[tuple]) -> tuple[set[str], set[str]]:
    """The response ids and submission keys among `responses` that are already stored."""
    found: tuple[set[str], set[str]] = (set(), set())
    for column, index, known in (("response_id", 0, found[0]), ("submission_key", 1, found[1])):
        values = [response[index] for response in responses if response[index]]
        for start in range(0, len(values), _IN_CHUNK):
            chunk = values[start : start + _IN_CHUNK]
            marks = ", ".join("?" * len(chunk))
            sql = f"SELECT {column} FROM responses WHERE {column} IN ({marks})"  # noqa: S608
            known.update(value for (value,) in db.execute(sql, chunk))
    return found


def _insert_fresh(db: sqlite_utils.Database, fresh: list[tuple[tuple, dict]]) -> None:
    """Insert responses known to be new, numbering their rows from the current maximum
    (what SQLite would pick); runs inside the caller's write transaction."""
    first = db.execute("SELECT coalesce(max(id), 0) + 1 FROM responses").fetchone()[0]
    db.conn.executemany(
        "INSERT INTO responses (id, response_id, submission_key, survey, edition, version,"
        " submitted_at, answers) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [(first + n, *response) for n, (response, _row) in enumerate(fresh)],
    )
    answer_params, totals = _answers_and_counters(fresh, first)
    db.conn.executemany(
        "INSERT INTO answers (response, survey, edition, field, value) VALUES (?, ?, ?, ?, ?)",
        answer_params,
    )
    db.conn.executemany(
        "INSERT INTO counters (survey, edition, field, value, count) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (survey, edition, field, value) DO UPDATE SET count = count + excluded.count",
        [(*counter, count) for counter, count in totals.items()],
    )
    keys = [(response[1],) for response, _row in fresh if response[1]]
    if keys:
        db.conn.executemany("DELETE FROM drafts WHERE key = ?", keys)


def _answers_and_counters(
    fresh: list[tuple[tuple, dict]], first: int
) -> tuple[list[tuple], Counter[tuple]]:
    """Answer rows of responses numbered from `first`, and the counters they add up to
    (the same as counter_deltas per response, in one pass)."""
    params: list[tuple] = []
    totals: Counter[tuple] = Counter()
    append = params.append
    for number, (_response, row) in enumerate(fresh, first):
        survey, edition, counted = row["survey"], row["edition"], frozenset(row["counted"])
        totals[survey, edition, "*", "*"] += 1
        for field, value in row["answers"].items():
            values = value if value.__class__ is list else (value,)
            for one in values:
                append((number, survey, edition, field, one))
            if field in counted and value is not None:
                totals[survey, edition, field, "*"] += 1
                for one in values:
                    totals[survey, edition, field, one] += 1
    return params, totals


def response_for_key(db: sqlite_utils.Database, key: str) -> str | None:
    row = db.execute("SELECT response_id FROM responses WHERE submission_key = ?", [key]).fetchone()
    return row[0] if row else None


def load_draft(db: sqlite_utils.Database, key: str) -> dict[str, Any]:
    row = db.execute("SELECT answers FROM drafts WHERE key = ?", [key]).fetchone()
    return json.loads(row[0]) if row else {}


def save_draft(db: sqlite_utils.Database, key: str, survey: str, answers: dict) -> None:
    with immediate(db):
        db.execute(
            "INSERT INTO drafts (key, survey, answers, updated_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (key) DO UPDATE SET answers = excluded.answers,"
            " updated_at = excluded.updated_at",
            [key, survey, json.dumps(answers, ensure_ascii=False), utcnow()],
        )
