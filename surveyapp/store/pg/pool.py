"""PostgreSQL connections: each process keeps one connection pool per database
(psycopg_pool); a thread holds one connection of it between requests (as it holds one
SQLite connection), and gives back a broken one (a restarted server) for a new one on its
next use."""

from __future__ import annotations

import os
import threading
import time
from typing import Any

import psycopg
from psycopg_pool import ConnectionPool, PoolTimeout
from sqlite_utils.utils import sqlite3

from surveyapp.store.pg.database import Database, configure

POOL_SIZE = 64
WAIT_SECONDS = 10  # for a connection of a busy pool, as a writer waits for its turn
# A failed connection attempt is retried this long before the next request asks again:
# a request during an outage fails in about this time, and one after it connects at once.
RETRY_SECONDS = 1.0
_pools: dict[tuple[int, str], _Pool] = {}
_lock = threading.Lock()


class _Pool(ConnectionPool):
    """A pool that remembers when it last failed to connect: a request waiting for a
    connection gives up then (the server is down or refusing) instead of waiting out
    the whole WAIT_SECONDS, meant for a pool whose connections are all in use."""

    failed_at = 0.0
    failure = ""

    def _connect(self, timeout: float | None = None) -> Any:
        try:
            conn = super()._connect(timeout)
        except psycopg.Error as exc:
            self.failed_at, self.failure = time.monotonic(), str(exc).strip()
            raise
        self.failed_at = 0.0
        return conn


def _pool(url: str) -> _Pool:
    key = (os.getpid(), url)  # a forked worker opens its own
    with _lock:
        if key not in _pools:
            _pools[key] = _Pool(
                url, min_size=0, max_size=POOL_SIZE, kwargs={"autocommit": True},
                configure=configure, check=ConnectionPool.check_connection, open=True,
                name="surveyapp", reconnect_timeout=RETRY_SECONDS,
            )  # fmt: skip
        return _pools[key]


def _getconn(url: str) -> psycopg.Connection:
    """A connection of `url`'s pool: at most WAIT_SECONDS for a busy pool, and no longer
    than one failed attempt to connect while the server is unreachable."""
    pool, began = _pool(url), time.monotonic()
    while True:
        left = began + WAIT_SECONDS - time.monotonic()
        try:
            return pool.getconn(timeout=max(0.01, min(0.1, left)))
        except PoolTimeout as exc:
            if pool.failed_at >= began:
                failure = f"PostgreSQL is unreachable: {pool.failure}"
                raise sqlite3.OperationalError(failure) from exc
            if left <= 0:
                raise sqlite3.OperationalError(f"no PostgreSQL connection free: {exc}") from exc
        except Exception as exc:  # a closed pool, the server refusing a check
            raise sqlite3.OperationalError(f"PostgreSQL is unreachable: {exc}") from exc


def connect(url: str) -> Database:
    """A connection from this process's pool for `url`; close() gives it back."""
    return Database(_getconn(url), url, _pool(url).putconn, reconnect=lambda: _getconn(url))


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
