"""The database schema: the migrations in surveyapp/store/migrations.py, applied in order
by `init-db` (and `serve`) before any worker starts; a worker only checks, reading, that
nothing is pending."""

from __future__ import annotations

import contextlib

import sqlite_utils

from surveyapp.store.connection import StorageError, is_postgres
from surveyapp.store.migrations import migrations
from surveyapp.store.pg import schema as pg_schema

__all__ = ["check_ready", "init_db", "known", "migrations"]


def known(db: sqlite_utils.Database | None = None) -> list[str]:
    """The names of every migration this code knows (for `db`'s engine), in order."""
    if is_postgres(db):
        return pg_schema.known()
    with contextlib.closing(sqlite_utils.Database(memory=True)) as empty:
        return [m.name for m in migrations.pending(empty)]


def check_ready(db: sqlite_utils.Database) -> None:
    """Refuse (StorageError) a database whose schema is behind or ahead of this code.
    Reads only: no write lock is needed. (Definitions are the versions the database
    holds: a file changed since is published by the next `init-db` or `serve`.)"""
    applied = _applied(db)
    newer = applied - set(known(db))
    if newer:
        raise StorageError(f"the database comes from a newer surveyapp (migrations "
                           f"{sorted(newer)}): upgrade surveyapp")  # fmt: skip
    pending = [name for name in known(db) if name not in applied]
    if pending:
        raise StorageError(f"the database schema is behind ({len(pending)} migration(s) "
                           f"pending: {', '.join(pending)}): run `surveyapp init-db`")  # fmt: skip


def init_db(db: sqlite_utils.Database) -> list[str]:
    """Create or upgrade the schema; return the names of the migrations applied."""
    if is_postgres(db):
        return pg_schema.apply(db)
    pending = [m.name for m in migrations.pending(db)]
    migrations.apply(db)
    return pending


def _applied(db: sqlite_utils.Database) -> set[str]:
    if is_postgres(db):
        return set(pg_schema.applied(db))
    return {m.name for m in migrations.applied(db)}
