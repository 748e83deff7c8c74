"""The PostgreSQL engine: chosen when the database setting is a postgresql:// URL.

psycopg is imported on first use (pg.pool, pg.database): a process on SQLite never loads
it, which spares every worker and command about a quarter of its start-up imports."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from surveyapp.store.pg.database import Database

SCHEMES = ("postgresql://", "postgres://")


def is_url(database: object) -> bool:
    return isinstance(database, str) and database.startswith(SCHEMES)


def connect(url: str) -> Database:
    """A connection from this process's pool for `url`; close() gives it back."""
    from surveyapp.store.pg import pool

    return pool.connect(url)


def close_pool(url: str) -> None:
    """Close this process's pool for `url` (its connections with it), if it has one."""
    from surveyapp.store.pg import pool

    pool.close_pool(url)


def close_pools() -> None:
    from surveyapp.store.pg import pool

    pool.close_pools()
