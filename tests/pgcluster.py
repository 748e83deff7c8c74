"""A throw-away PostgreSQL server for the tests that run on both engines.

SURVEYAPP_TEST_POSTGRES chooses: `required` (scripts/test, CI) runs the PostgreSQL half and
fails when no server can be started; `no` leaves it out; unset runs it when PostgreSQL's
binaries are on this machine. A URL (postgresql://user@host:port) uses that server
instead of starting one. The server started here lives in a temporary folder, as an
unprivileged user when the tests run as root, listens on 127.0.0.1 only, and is stopped
when the test process ends. Each test gets a database of its own, copied from a
template database that init-db filled once per set of questionnaires."""

from __future__ import annotations

import atexit
import contextlib
import itertools
import os
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor

import psycopg

from bench.postgres import Postgres, bindir
from surveyapp.store import pg
from tests import pgrecycle

SETTING = "SURVEYAPP_TEST_POSTGRES"
_server: dict[str, str] = {}
_numbers = itertools.count()


class NoPostgres(RuntimeError):
    """PostgreSQL was required and could not be started."""


def wanted() -> bool:
    choice = os.environ.get(SETTING, "")
    if choice in ("no", "0"):
        return False
    return choice != "" or bindir() is not None


def server() -> str:
    """The URL (without a database) of the server the tests use, started on first use."""
    if "url" not in _server:
        choice = os.environ.get(SETTING, "")
        _server["url"] = choice if pg.is_url(choice) else _start()
    return _server["url"]


def _start() -> str:
    """A throw-away cluster (bench.postgres) for this test process, stopped at its exit."""
    if bindir() is None:
        raise NoPostgres(f"{SETTING} asks for PostgreSQL, but initdb is not installed")
    cluster = Postgres(sync_initdb=False).start()
    atexit.register(cluster.__exit__)
    return cluster.url


def _admin(sql: str) -> None:
    with psycopg.connect(f"{server()}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def new_database(template: str | None = None) -> str:
    """The URL of a new, empty database (a copy of `template`'s database if given)."""
    if template is None:
        return _create(None)
    return _spares.take(template)


def _create(template: str | None) -> str:
    name = f"t{os.getpid()}_{next(_numbers)}"
    copy = f" TEMPLATE {template.rsplit('/', 1)[1]}" if template else ""
    _admin(f"CREATE DATABASE {name}{copy}")
    return f"{server()}/{name}"


class _Spares:
    """Databases for tests, ready before they are asked for: copies of each template
    made ahead by one background thread while tests run (CREATE DATABASE writes every
    block through the server's log and syncs it), and databases of finished tests put
    back to their template's rows there (tests.pgrecycle), or dropped."""

    def __init__(self) -> None:
        self.work = ThreadPoolExecutor(1, thread_name_prefix="pg-spares")
        self.ahead: dict[str, deque[Future]] = {}
        self.ready: dict[str, deque[str]] = {}
        self.snapshots: dict[str, pgrecycle.Snapshot] = {}
        self.origin: dict[str, str] = {}

    def take(self, template: str) -> str:
        ready = self.ready.setdefault(template, deque())
        ahead = self.ahead.setdefault(template, deque())
        if ready:
            url = ready.popleft()
        else:
            url = (ahead.popleft() if ahead else self.work.submit(_create, template)).result()
        if not ahead and not ready:
            ahead.append(self.work.submit(_create, template))
        self.origin[url] = template
        return url

    def give_back(self, url: str) -> None:
        self.work.submit(self._recycle, url, self.origin.pop(url, None))

    def _recycle(self, url: str, template: str | None) -> None:
        try:
            if template is None:
                raise LookupError(url)
            if template not in self.snapshots:
                self.snapshots[template] = pgrecycle.snapshot(template)
            _admin(_TERMINATE.format(name=url.rsplit("/", 1)[1]))
            if not pgrecycle.put_back(url, self.snapshots[template]):
                raise LookupError(url)
            renamed = f"t{os.getpid()}_{next(_numbers)}"
            _admin(f"ALTER DATABASE {url.rsplit('/', 1)[1]} RENAME TO {renamed}")
            self.ready.setdefault(template, deque()).append(f"{server()}/{renamed}")
        except (LookupError, psycopg.Error):
            _drop(url)


_TERMINATE = (
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
    " WHERE datname = '{name}' AND pid <> pg_backend_pid()"
)
_spares = _Spares()


def drop(url: str) -> None:
    """Close this process's connections to `url`; its database is put back to its
    template's rows for another test, or dropped, in the background."""
    pg.close_pool(url)
    _spares.give_back(url)


def _drop(url: str) -> None:
    with contextlib.suppress(psycopg.Error):
        _admin(f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]} WITH (FORCE)")


def settle_template(url: str) -> None:
    """A database becomes a template once nobody is connected to it."""
    pg.close_pool(url)
