"""One write transaction on a connection: BEGIN IMMEDIATE, COMMIT, and a ROLLBACK on any
error, so a reused connection is never left inside a transaction (a failed COMMIT on a
full disk included). Queueing for the write lock is the caller's business.

A transaction inside another is refused (SQLite refuses the second BEGIN; PostgreSQL
would only warn, and the inner COMMIT would end the outer transaction early)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import sqlite_utils
from sqlite_utils.utils import sqlite3


@contextlib.contextmanager
def transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    if db.conn.in_transaction:
        raise sqlite3.OperationalError("cannot start a transaction within a transaction")
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
        db.execute("COMMIT")
    except BaseException:
        if db.conn.in_transaction:
            db.execute("ROLLBACK")
        raise
