"""Test databases used again: a copy of a template database costs the server a fifth of
a second (every block written through its log and synced), a test's worth of rows a few
milliseconds to put back. After a test, its database is put back to its template's rows
and sequences, renamed (so no per-process cache keyed on a database's URL can take it
for the one before) and handed to the next test, unless anything but rows changed
(tables, columns, triggers, functions, constraints, database settings): then it is
dropped."""

from __future__ import annotations

from dataclasses import dataclass

import psycopg
from psycopg import sql

# What a test must not have changed for its database to be used again.
FINGERPRINT = """
    SELECT
      (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
          AND n.nspname NOT LIKE 'pg_toast%'),
      (SELECT count(*) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND a.attnum > 0 AND NOT a.attisdropped),
      (SELECT count(*) FROM pg_trigger),
      (SELECT count(*) FROM pg_constraint),
      (SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')),
      (SELECT count(*) FROM pg_namespace),
      (SELECT count(*) FROM pg_extension),
      (SELECT count(*) FROM pg_db_role_setting),
      (SELECT datallowconn::text || datconnlimit FROM pg_database
        WHERE datname = current_database())
"""
TABLES = (
    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
    " AND table_type = 'BASE TABLE' ORDER BY table_name"
)
SEQUENCES = "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'"


@dataclass(frozen=True)
class Snapshot:
    """A template database's shape and rows."""

    fingerprint: tuple
    rows: dict[str, tuple[list[str], list[tuple]]]
    sequences: list[tuple[str, int | None]]


def snapshot(url: str) -> Snapshot:
    with psycopg.connect(url, autocommit=True) as conn:
        fingerprint = conn.execute(FINGERPRINT).fetchone()
        rows = {}
        for (table,) in conn.execute(TABLES).fetchall():
            cursor = conn.execute(sql.SQL("SELECT * FROM {}").format(sql.Identifier(table)))
            rows[table] = ([c.name for c in cursor.description], cursor.fetchall())
        sequences = conn.execute(SEQUENCES).fetchall()
    return Snapshot(fingerprint, rows, sequences)


def put_back(url: str, template: Snapshot) -> bool:
    """Put the template's rows back in the database at `url`; False (nothing changed)
    when more than rows differ from the template."""
    with psycopg.connect(url) as conn:
        if conn.execute(FINGERPRINT).fetchone() != template.fingerprint:
            return False
        conn.execute("SET LOCAL session_replication_role = replica")  # no triggers
        for table, (columns, rows) in template.rows.items():
            name = sql.Identifier(table)
            conn.execute(sql.SQL("DELETE FROM {}").format(name))
            if rows:
                names = sql.SQL(", ").join(map(sql.Identifier, columns))
                copy = sql.SQL("COPY {} ({}) FROM STDIN").format(name, names)
                with conn.cursor().copy(copy) as writer:
                    for row in rows:
                        writer.write_row(row)
        for sequence, last in template.sequences:
            conn.execute(
                "SELECT setval(%s, %s, %s)", [sequence, last or 1, last is not None]
            )  # fmt: skip
    return True
