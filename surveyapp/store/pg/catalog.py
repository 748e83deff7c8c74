"""What the PostgreSQL catalogue says of the app's tables: their names, columns and
primary keys (read once per process and database, the schema changing only by init-db)."""

from __future__ import annotations

from typing import Any

_KEYS = """
    SELECT t.relname, array_agg(a.attname ORDER BY k.ord)
    FROM pg_index i
    JOIN pg_class t ON t.oid = i.indrelid
    JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = current_schema()
    CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
    JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
    WHERE i.indisprimary
    GROUP BY t.relname
"""


def keys(db: Any) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(table, primary key columns) of every table, sorted."""
    return _keys(db.url, db.raw)


def _keys(url: str, raw: Any) -> tuple[tuple[str, tuple[str, ...]], ...]:
    cached = _known.get(url)
    if cached is None:
        rows = raw.execute(_KEYS).fetchall()
        cached = tuple(sorted((table, tuple(columns)) for table, columns in rows))
        if cached:  # an empty database has none yet: ask again once it has tables
            _known[url] = cached
    return cached


_known: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {}


def forget(url: str) -> None:
    """After a schema change (init-db, restore): read the keys again."""
    _known.pop(url, None)


def table_names(db: Any) -> list[str]:
    rows = db.raw.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
        " AND table_type = 'BASE TABLE' ORDER BY table_name"
    ).fetchall()
    return [row[0] for row in rows]


def table_info(db: Any, table: str) -> list[tuple]:
    """PRAGMA table_info's rows: (cid, name, type, notnull, default, pk position)."""
    key = dict(keys(db)).get(table, ())
    rows = db.raw.execute(
        "SELECT column_name, data_type, is_nullable, column_default FROM"
        " information_schema.columns WHERE table_schema = current_schema() AND table_name = %s"
        " ORDER BY ordinal_position",
        [table],
    ).fetchall()
    return [
        (cid, name, kind.upper(), int(nullable == "NO"), default,
         key.index(name) + 1 if name in key else 0)
        for cid, (name, kind, nullable, default) in enumerate(rows)
    ]  # fmt: skip
