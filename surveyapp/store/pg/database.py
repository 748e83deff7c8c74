"""A PostgreSQL connection that the store uses as it uses a sqlite-utils Database:
execute / query / executemany, `conn.in_transaction`, the PRAGMAs the store reads, and
SQLite's exception classes, so that store modules and their callers hold one code path.

Parameters travel as text of unknown type, as literals would: PostgreSQL gives each the
type its place asks for (SQLite's loose typing, which the store's SQL was written for).
Numbers come back as int when whole, as SQLite gives them."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, Sequence
from typing import Any

import psycopg
from psycopg import adapt, pq
from sqlite_utils.utils import sqlite3

from surveyapp.store import maintenance
from surveyapp.store.errors import StorageBusy
from surveyapp.store.pg import catalog
from surveyapp.store.pg.dialect import translate

# The one advisory lock every writer of the database takes, on every host.
WRITE_LOCK = 0x5375_7276  # "Surv"
LOCK_TIMEOUT = "10s"
Params = Sequence[Any] | dict[str, Any] | None
_RESTORING = "SELECT restoring_pid FROM maintenance WHERE restoring_pid IS NOT NULL"
_READS = re.compile(r"\s*(SELECT|SHOW|BEGIN)\b", re.I)


class _Unknown(adapt.Dumper):
    oid = 0  # unknown: typed by its place in the statement, as a literal is

    def dump(self, obj: Any) -> bytes:
        return str(int(obj) if isinstance(obj, bool) else obj).encode()


class _Number(adapt.Loader):
    def load(self, data: Any) -> int | float:
        text = bytes(data).decode()
        return float(text) if any(c in text for c in ".eEN") else int(text)


class _Text(adapt.Dumper):
    """PostgreSQL text cannot hold NUL: it becomes U+FFFD in plain text columns (a free-text
    answer's row, its search words). A response's JSON keeps it exactly (as \\u0000)."""

    oid = 0

    def dump(self, obj: str) -> bytes:
        return obj.replace("\0", "\ufffd").encode()


def configure(conn: psycopg.Connection) -> None:
    for kind in (int, float, bool):
        conn.adapters.register_dumper(kind, _Unknown)
    conn.adapters.register_dumper(str, _Text)
    conn.adapters.register_loader("numeric", _Number)


def _sqlite_error(exc: psycopg.Error) -> sqlite3.Error:
    if isinstance(exc, psycopg.IntegrityError):
        return sqlite3.IntegrityError(str(exc))
    if isinstance(exc, psycopg.OperationalError | psycopg.ProgrammingError):
        return sqlite3.OperationalError(str(exc))
    return sqlite3.DatabaseError(str(exc))


@contextlib.contextmanager
def _errors() -> Iterator[None]:
    try:
        yield
    except psycopg.Error as exc:
        raise _sqlite_error(exc) from exc


class Cursor:
    """What the store reads of a sqlite3 cursor."""

    def __init__(self, cursor: psycopg.Cursor, returns_id: bool):
        self._cursor, self._returns_id, self._id = cursor, returns_id, None

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        if self._returns_id:  # read once: an ignored INSERT returns no row, so no id
            self._returns_id = False
            with _errors():
                row = self._cursor.fetchone()
            self._id = row[0] if row else None
        return self._id

    @property
    def description(self) -> Any:
        return self._cursor.description

    def fetchone(self) -> tuple | None:
        with _errors():
            return self._cursor.fetchone() if self._cursor.description else None

    def fetchall(self) -> list[tuple]:
        with _errors():
            return self._cursor.fetchall() if self._cursor.description else []

    def fetchmany(self, size: int) -> list[tuple]:
        with _errors():
            return self._cursor.fetchmany(size) if self._cursor.description else []

    def __iter__(self) -> Iterator[tuple]:
        while rows := self.fetchmany(500):
            yield from rows

    def close(self) -> None:
        self._cursor.close()


class Database:
    """One PostgreSQL connection (from the process's pool), in autocommit: a transaction
    is what the store's BEGIN ... COMMIT makes it."""

    engine = "postgresql"

    def __init__(self, conn: psycopg.Connection, url: str, give_back: Any = None,
                 reconnect: Any = None):  # fmt: skip
        self.raw, self.url, self._give_back = conn, url, give_back
        self._reconnect = reconnect  # a new connection in place of a broken one
        self.conn = self  # the store reads db.conn.in_transaction and db.conn.executemany

    @property
    def in_transaction(self) -> bool:
        # a broken connection has no transaction left (nothing to roll back)
        return not self.broken and self.raw.info.transaction_status != pq.TransactionStatus.IDLE

    def commit(self) -> None:
        """As sqlite3's commit: end the open transaction, if there is one."""
        if self.in_transaction:
            with _errors():
                self.raw.execute("COMMIT")

    @property
    def broken(self) -> bool:
        return self.raw.closed or self.raw.broken

    def execute(self, sql: str, params: Params = None) -> Cursor:
        special = _pragma(self, sql) if sql.lstrip()[:6].upper() == "PRAGMA" else None
        if special is not None:
            return special
        if sql.strip().upper() == "BEGIN IMMEDIATE":
            return self._again(self._begin_writing, True)
        text, returns_id = translate(sql, catalog.keys(self))

        def run() -> Cursor:
            with _errors():
                return Cursor(self.raw.execute(text, _params(params)), returns_id)

        return self._again(run, _READS.match(sql) is not None)

    def _again(self, run: Any, harmless: bool) -> Any:
        """Run; if the connection turns out broken (a restarted server, a killed session)
        and nothing was under way on it, run once more on a new connection: a read or the
        start of a transaction, which the lost connection cannot have done."""
        harmless = harmless and not self.in_transaction and self._reconnect is not None
        try:
            return run()
        except sqlite3.OperationalError:
            if not (harmless and self.broken):
                raise
        self._replace()
        return run()

    def _replace(self) -> None:
        broken, self.raw = self.raw, self._reconnect()
        if self._give_back is not None:
            self._give_back(broken)  # the pool drops a broken connection

    def executemany(self, sql: str, rows: Sequence[Params]) -> None:
        text, _ = translate(sql, catalog.keys(self))
        with _errors(), self.raw.cursor() as cursor:
            cursor.executemany(text, [_params(row) for row in rows])

    def executescript(self, sql: str) -> None:
        with _errors():
            self.raw.execute(sql)

    def query(self, sql: str, params: Params = None) -> Iterator[dict[str, Any]]:
        cursor = self.execute(sql, params)
        names = [column.name for column in cursor.description or []]
        for row in cursor:
            yield dict(zip(names, row, strict=True))

    def table_names(self) -> list[str]:
        return catalog.table_names(self)

    def _begin_writing(self) -> Cursor:
        """BEGIN, then wait (at most LOCK_TIMEOUT) for the database's write lock: writers
        take turns as SQLite's do, on every host at once; refused (Maintenance) while a
        restore runs. One round trip to the server, unless the maintenance row is set."""
        try:
            cursor = self.raw.execute(
                f"BEGIN; SET LOCAL lock_timeout = '{LOCK_TIMEOUT}';"
                f" SELECT pg_advisory_xact_lock({WRITE_LOCK}); {_RESTORING}"
            )
            while cursor.nextset():  # to the last statement's rows
                pass
            if cursor.fetchone() is not None:  # perhaps a restore: maintenance tells
                maintenance.refuse_while_restoring(self)
        except maintenance.Maintenance:
            self.raw.execute("ROLLBACK")
            raise
        except psycopg.Error as exc:
            # no transaction for the caller to roll back: leave the connection usable
            if not self.broken:
                with contextlib.suppress(psycopg.Error):
                    self.raw.execute("ROLLBACK")
            if isinstance(exc, psycopg.errors.LockNotAvailable):
                busy = f"the database is busy: no write turn within {LOCK_TIMEOUT}"
                raise StorageBusy(busy) from exc
            raise _sqlite_error(exc) from exc
        return Cursor(cursor, False)

    def close(self) -> None:
        if self._give_back is not None:
            self._give_back(self.raw)
            self._give_back = None
        else:
            self.raw.close()


def _params(params: Params) -> Any:
    if params is None:
        return []  # so that psycopg reads %% as % (see dialect._placeholders)
    return params if isinstance(params, dict) else list(params)


class _Rows(Cursor):
    """A cursor over rows computed here (an emulated PRAGMA)."""

    def __init__(self, rows: list[tuple]):
        self._rows = rows
        self._id = None

    rowcount = property(lambda self: len(self._rows))
    description = property(lambda self: [])

    def fetchone(self) -> tuple | None:
        return self._rows.pop(0) if self._rows else None

    def fetchall(self) -> list[tuple]:
        rows, self._rows = self._rows, []
        return rows

    def fetchmany(self, size: int) -> list[tuple]:
        rows, self._rows = self._rows[:size], self._rows[size:]
        return rows

    def close(self) -> None:
        self._rows = []


def _pragma(db: Database, sql: str) -> _Rows | None:
    """The PRAGMAs the store asks of any engine: where the database is, a table's columns;
    settings that are SQLite's own are accepted and change nothing."""
    words = sql.strip().rstrip(";").split(None, 1)[1].strip()
    name = words.split("(")[0].split("=")[0].strip().lower().split(".")[-1]
    if name == "database_list":
        return _Rows([(0, "main", db.url)])
    if name == "table_info":
        table = words.split("(", 1)[1].rstrip(")").strip().strip("'\"")
        return _Rows(catalog.table_info(db, table))
    if name in {"foreign_keys", "busy_timeout", "synchronous", "journal_mode"} and "=" in words:
        return _Rows([])
    return None
