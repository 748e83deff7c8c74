"""Copying a SQLite database into an empty PostgreSQL one (`surveyapp migrate-to-postgres`).

Every table the PostgreSQL schema has is copied from the SQLite table of the same name, in
one transaction on the target (all or nothing) and one read snapshot of the source, a
batch of rows at a time, parents before the tables whose rows refer to them and the kept
day counts after the responses (whose triggers would forget them). Full-text rows go in
through store.search, as the app writes them; identity columns continue past the ids
copied."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlite_utils

from surveyapp.store import search

if TYPE_CHECKING:
    from surveyapp.store.pg.database import Database

BATCH = 2000
SEARCH = "response_search"
# Rows init-db's schema holds before anything is stored: replaced by the source's.
SEEDED = ("catalog_generation", "maintenance", "response_marks")
# Tables that are the engines' own bookkeeping, not the app's data.
OWN = ("_sqlite_migrations", "surveyapp_migrations", "sqlite_sequence", "sqlite_stat1")
# Written last: inserting responses forgets the kept days of their dates.
LAST = ("day_counts", "day_counted")
_FOREIGN_KEYS = """
    SELECT c.conrelid::regclass::text, c.confrelid::regclass::text FROM pg_constraint c
    JOIN pg_namespace n ON n.oid = c.connamespace AND n.nspname = current_schema()
    WHERE c.contype = 'f'
"""


class CopyError(RuntimeError):
    """The copy cannot be made (a target that is not empty, tables that do not match)."""


class Differs(CopyError):
    """The copy does not hold what the source does: `problems`, the first one first."""

    def __init__(self, problems: list[str]):
        super().__init__(problems[0])
        self.problems = problems


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[str, ...]


def _source_tables(src: sqlite_utils.Database) -> set[str]:
    rows = src.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    shadow = f"{SEARCH}_"  # FTS5's own tables behind response_search
    return {name for (name,) in rows if name not in OWN and not name.startswith(shadow)}


def _columns(db: Any, table: str) -> list[str]:
    return [row[1] for row in db.execute(f"PRAGMA table_info({table})").fetchall()]


def _generated(dst: Database) -> set[tuple[str, str]]:
    rows = dst.raw.execute(
        "SELECT table_name, column_name FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND is_generated = 'ALWAYS'"
    )
    return {(table, column) for table, column in rows}


def _ordered(dst: Database, names: set[str]) -> list[str]:
    """`names` with every table after the tables its foreign keys name, LAST at the end."""
    parents: dict[str, set[str]] = {name: set() for name in names}
    for child, parent in dst.raw.execute(_FOREIGN_KEYS):
        if child in parents and parent in parents and parent != child:
            parents[child].add(parent)
    done: list[str] = []
    while len(done) < len(names):
        ready = sorted(n for n in names if n not in done and parents[n] <= set(done))
        if not ready:
            raise CopyError(f"foreign keys form a cycle among {sorted(set(names) - set(done))}")
        done.extend(ready)
    return [n for n in done if n not in LAST] + [n for n in LAST if n in done]


def plan(src: sqlite_utils.Database, dst: Database) -> list[Table]:
    """The tables to copy and their columns; CopyError when the two schemas differ (a
    SQLite table or column without a place in PostgreSQL would be lost)."""
    target = set(dst.table_names()) - set(OWN)
    missing = _source_tables(src) - target
    if missing:
        raise CopyError(f"tables the PostgreSQL schema lacks: {', '.join(sorted(missing))}")
    generated, present = _generated(dst), _source_tables(src)
    tables = []
    for name in _ordered(dst, target & (present | {SEARCH})):
        have = _columns(dst, name)
        if name == SEARCH:
            tables.append(Table(name, ("rowid", "text")))
            continue
        wanted = [c for c in have if (name, c) not in generated]
        given = _columns(src, name)
        if set(given) ^ set(wanted):
            raise CopyError(f"{name}: the columns differ: {sorted(given)} in SQLite,"
                            f" {sorted(wanted)} in PostgreSQL")  # fmt: skip
        tables.append(Table(name, tuple(wanted)))
    return tables


def occupied(dst: Database) -> list[str]:
    """The target's tables holding rows (beyond the rows its schema starts with)."""
    found = []
    for name in sorted(set(dst.table_names()) - set(OWN) - set(SEEDED)):
        if dst.raw.execute(f"SELECT 1 FROM {name} LIMIT 1").fetchone():  # noqa: S608 - catalog names
            found.append(name)
    return found


@contextlib.contextmanager
def snapshot(src: sqlite_utils.Database) -> Iterator[None]:
    """One read transaction on the source: every table read as of one moment, while the
    app may go on writing."""
    src.execute("BEGIN")
    try:
        src.execute("SELECT count(*) FROM sqlite_master").fetchone()  # the snapshot starts here
        yield
    finally:
        src.execute("ROLLBACK")


def _batches(src: sqlite_utils.Database, table: Table, size: int) -> Iterator[list[tuple]]:
    columns = ", ".join(table.columns)
    cursor = src.execute(f"SELECT {columns} FROM {table.name}")  # noqa: S608 - catalog names
    try:
        while rows := cursor.fetchmany(size):
            yield rows
    finally:
        cursor.close()


def _copy_table(src: sqlite_utils.Database, dst: Database, table: Table, size: int) -> int:
    """Copy one table's rows; how many the source holds."""
    if table.name in SEEDED:
        dst.raw.execute(f"DELETE FROM {table.name}")  # noqa: S608 - catalog names
    columns = ", ".join(table.columns)
    marks = ", ".join(["%s"] * len(table.columns))
    insert = f"INSERT INTO {table.name} ({columns}) VALUES ({marks})"  # noqa: S608 - catalog names
    copied = 0
    for rows in _batches(src, table, size):
        if table.name == SEARCH:
            search.index(dst, rows)
        else:
            with dst.raw.cursor() as cursor:
                cursor.executemany(insert, rows)
        copied += len(rows)
    return copied


def _continue_identities(dst: Database) -> None:
    """Each identity column's next value: past the largest id copied."""
    rows = dst.raw.execute(
        "SELECT table_name, column_name FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND is_identity = 'YES'"
    ).fetchall()
    for table, column in rows:
        dst.raw.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, %s), coalesce(max({column}), 0) + 1,"  # noqa: S608 - catalog names
            f" false) FROM {table}",
            [table, column],
        )


def copy(
    src: sqlite_utils.Database, dst: Database, tables: list[Table],
    check: Callable[[dict[str, int]], list[str]], size: int = BATCH,
    progress: Callable[[str, int], None] = lambda _name, _rows: None,
) -> dict[str, int]:  # fmt: skip
    """Copy `tables` (plan's) in one target transaction; {table: rows read from the source}.
    `check(copied)` then looks at the target inside that transaction: any problem it finds
    (Differs), or a target that held rows already (CopyError), and nothing is kept. Call
    it inside snapshot(src)."""
    from surveyapp.store.pg.database import WRITE_LOCK  # psycopg: on first use only

    copied: dict[str, int] = {}
    with dst.raw.transaction():
        dst.raw.execute("SELECT pg_advisory_xact_lock(%s)", [WRITE_LOCK])
        found = occupied(dst)
        if found:
            raise CopyError(f"the PostgreSQL database is not empty: {', '.join(found)} hold rows")
        for table in tables:
            copied[table.name] = _copy_table(src, dst, table, size)
            progress(table.name, copied[table.name])
        _continue_identities(dst)
        problems = check(copied)
        if problems:
            raise Differs(problems)
    return copied


def searchable(src: sqlite_utils.Database) -> int:
    """How many of the source's full-text rows hold a word (store.search indexes no other)."""
    cursor = src.execute(f"SELECT text FROM {SEARCH}")  # noqa: S608 - a fixed name
    return sum(1 for (text,) in cursor if text and search.tokens(text))


def row_count(db: Any, table: str) -> int:
    return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608 - catalog names
