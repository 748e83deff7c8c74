"""The PostgreSQL engine: chosen when the database setting is a postgresql:// URL.

Each process keeps one connection pool per database (psycopg_pool); a thread holds one
connection of it between requests (as it holds one SQLite connection), and gives back a
broken one (a restarted server) for a new one on its next use."""

from __future__ import annotations

import os
import threading

from psycopg_pool import ConnectionPool
from sqlite_utils.utils import sqlite3

from surveyapp.store.pg.database import Database, configure

SCHEMES = ("postgresql://", "postgres://")
POOL_SIZE = 64
_pools: dict[tuple[int, str], ConnectionPool] = {}
_lock = threading.Lock()


def is_url(database: object) -> bool:
    return isinstance(database, str) and database.startswith(SCHEMES)


def _pool(url: str) -> ConnectionPool:
    key = (os.getpid(), url)  # a forked worker opens its own
    with _lock:
        if key not in _pools:
            _pools[key] = ConnectionPool(
                url, min_size=0, max_size=POOL_SIZE, kwargs={"autocommit": True},
                configure=configure, check=ConnectionPool.check_connection, open=True,
                name="surveyapp",
            )  # fmt: skip
        return _pools[key]


def connect(url: str) -> Database:
    """A connection from this process's pool for `url`; close() gives it back."""
    pool = _pool(url)
    try:
        conn = pool.getconn(timeout=10)
    except Exception as exc:  # PoolTimeout or the server refusing: unreachable
        raise sqlite3.OperationalError(f"PostgreSQL is unreachable: {exc}") from exc
    return Database(conn, url, pool.putconn)


def close_pools() -> None:
    with _lock:
        for pool in _pools.values():
            pool.close()
        _pools.clear()


def close_pool(url: str) -> None:
    """Close this process's pool for `url` (its connections with it)."""
    with _lock:
        pool = _pools.pop((os.getpid(), url), None)
    if pool is not None:
        pool.close()
