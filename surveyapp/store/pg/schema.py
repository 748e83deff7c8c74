"""The PostgreSQL schema and its migrations, applied by `init-db` once, under a lock, and
checked (read only) by every worker: the SQLite migrations' PostgreSQL counterpart. A
new SQLite migration gets its PostgreSQL statements here, under the same name."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from surveyapp.store.pg import catalog

if TYPE_CHECKING:
    from surveyapp.store.pg.database import Database

INITIAL = "pg_initial"
# (name, SQL) in order; names of later migrations are those of their SQLite twins.
MIGRATIONS: list[tuple[str, str]] = [
    (INITIAL, (Path(__file__).parent / "schema.sql").read_text(encoding="utf-8")),
]
_TABLE = (
    "CREATE TABLE IF NOT EXISTS surveyapp_migrations"
    " (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL DEFAULT (now()::text))"
)
MIGRATE_LOCK = 0x5375_7277


def known() -> list[str]:
    return [name for name, _sql in MIGRATIONS]


def applied(db: Database) -> list[str]:
    if "surveyapp_migrations" not in db.table_names():
        return []
    return [row[0] for row in db.raw.execute("SELECT name FROM surveyapp_migrations")]


def apply(db: Database) -> list[str]:
    """Apply what is pending, in one transaction that no other host's init-db can
    enter at the same time; return the names applied."""
    with db.raw.transaction():
        db.raw.execute("SELECT pg_advisory_xact_lock(%s)", [MIGRATE_LOCK])
        db.raw.execute(_TABLE)
        done = set(applied(db))
        pending = [(name, sql) for name, sql in MIGRATIONS if name not in done]
        for name, sql in pending:
            db.raw.execute(sql)
            db.raw.execute("INSERT INTO surveyapp_migrations (name) VALUES (%s)", [name])
    catalog.forget(db.url)
    return [name for name, _sql in pending]
