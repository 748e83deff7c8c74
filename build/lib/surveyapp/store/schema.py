"""The database schema: the migrations in surveyapp/store/migrations.py, applied in order
by `init-db` (and `serve`) before any worker starts; a worker only checks, reading, that
nothing is pending."""

from __future__ import annotations

import contextlib

import sqlite_utils

from surveyapp.store.connection import StorageError
from surveyapp.store.migrations import migrations

__all__ = ["check_ready", "init_db", "known", "migrations"]


def known() -> list[str]:
    """The names of every migration this code knows, in order."""
    with contextlib.closing(sqlite_utils.Database(memory=True)) as empty:
        return [m.name for m in migrations.pending(empty)]


def check_ready(db: sqlite_utils.Database) -> None:
    """Refuse (StorageError) a database whose schema is behind or ahead of this code.
    Reads only: no write lock is needed. (Definitions are the versions the database
    holds: a file changed since is published by the next `init-db` or `serve`.)"""
    applied = {m.name for m in migrations.applied(db)}
    newer = applied - set(known())
    if newer:
        raise StorageError(f"the database comes from a newer surveyapp (migrations "
                           f"{sorted(newer)}): upgrade surveyapp")  # fmt: skip
    pending = [m.name for m in migrations.pending(db)]
    if pending:
        raise StorageError(f"the database schema is behind ({len(pending)} migration(s) "
                           f"pending: {', '.join(pending)}): run `surveyapp init-db`")  # fmt: skip


def init_db(db: sqlite_utils.Database) -> list[str]:
    """Create or upgrade the schema; return the names of the migrations applied."""
    pending = [m.name for m in migrations.pending(db)]
    migrations.apply(db)
    return pending
