"""One write transaction on a connection: BEGIN IMMEDIATE, COMMIT, and a ROLLBACK on any
error, so a reused connection is never left inside a transaction (a failed COMMIT on a
full disk included). Queueing for the write lock is the caller's business."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import sqlite_utils


@contextlib.contextmanager
def transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
        db.execute("COMMIT")
    except BaseException:
        if db.conn.in_transaction:
            db.execute("ROLLBACK")
        raise
