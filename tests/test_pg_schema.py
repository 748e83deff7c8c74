"""Schema parity: every table and column the SQLite migrations make exists on PostgreSQL
(store/pg/schema.py) with a type of the same kind, so a SQLite migration without its
PostgreSQL twin fails here."""

from __future__ import annotations

import contextlib

import pytest
import sqlite_utils

from surveyapp import store
from surveyapp.store import schema
from surveyapp.store.migrations import migrations
from surveyapp.store.pg import schema as pg_schema

pytestmark = pytest.mark.postgresql_only

# SQLite's declared type (its affinity) -> the PostgreSQL types that hold the same values.
COMPATIBLE = {
    "INTEGER": {"integer", "bigint", "smallint", "boolean"},
    "TEXT": {"text", "character varying", "jsonb"},
    "REAL": {"double precision", "real", "numeric"},
    "BLOB": {"bytea"},
}
# SQLite's own bookkeeping: its migrations table and the FTS5 index's shadow tables (the
# PostgreSQL search table keeps a tsvector column in the table itself).
SQLITE_ONLY = {"_sqlite_migrations"}
SQLITE_ONLY_PREFIX = "response_search_"


def sqlite_columns() -> dict[str, dict[str, str]]:
    with contextlib.closing(sqlite_utils.Database(memory=True)) as db:
        migrations.apply(db)
        tables = [
            row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        ]
        return {
            table: {row[1]: row[2].upper() for row in db.execute(f"PRAGMA table_info('{table}')")}
            for table in tables
            if table not in SQLITE_ONLY and not table.startswith(SQLITE_ONLY_PREFIX)
        }


def postgres_columns(url: str) -> dict[str, dict[str, str]]:
    db = store.connect(url)
    try:
        schema.init_db(db)
        found: dict[str, dict[str, str]] = {}
        for table, column, kind in db.raw.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns"
            " WHERE table_schema = current_schema()"
        ):
            found.setdefault(table, {})[column] = kind
        return found
    finally:
        db.close()


def parity_problems(lite: dict, theirs: dict) -> list[str]:
    problems = []
    for table, columns in sorted(lite.items()):
        for column, declared in columns.items():
            kind = theirs.get(table, {}).get(column)
            if kind is None:
                problems.append(f"{table}.{column} is missing on PostgreSQL")
            elif declared and kind not in COMPATIBLE.get(declared, {kind}):
                problems.append(f"{table}.{column}: {declared} on SQLite, {kind} on PostgreSQL")
    return problems


def test_every_sqlite_table_and_column_exists_on_postgresql_with_a_compatible_type(pg_url):
    problems = parity_problems(sqlite_columns(), postgres_columns(pg_url))
    assert problems == [], "add the PostgreSQL twin in store/pg/schema.py MIGRATIONS"


def test_the_parity_check_reports_a_sqlite_column_or_type_postgresql_lacks(pg_url):
    lite, theirs = sqlite_columns(), postgres_columns(pg_url)
    lite["responses"]["added_later"] = "TEXT"
    lite["new_table"] = {"id": "INTEGER"}
    lite["drafts"]["answers"] = "BLOB"
    assert parity_problems(lite, theirs) == [
        "drafts.answers: BLOB on SQLite, text on PostgreSQL",
        "new_table.id is missing on PostgreSQL",
        "responses.added_later is missing on PostgreSQL",
    ]


def test_postgresql_migrations_are_named_once_and_start_with_the_schema(pg_url):
    names = pg_schema.known()
    assert names[0] == pg_schema.INITIAL and len(set(names)) == len(names)
    db = store.connect(pg_url)
    try:
        assert schema.init_db(db) == names and schema.init_db(db) == []
    finally:
        db.close()
