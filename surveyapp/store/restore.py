"""`restore`: a checked backup replaces the live database's content in one write
transaction that also takes the safety copy, so no write can land between the two.

1. the backup is copied next to the safety copy and migrated to this version's schema;
then, while this process holds the writer queue (store.connection):
2. maintenance.announced: the running server refuses writes at once (503, answers
   kept) instead of queueing behind the restore;
3. BEGIN IMMEDIATE on the live database. A second connection reads the safety copy
   (the write lock is held, so it is exactly what the restore replaces); the responses
   it holds that the backup lacks are noted; every table but `maintenance` is emptied
   and refilled from the staged copy (`definitions` is merged: the running app's
   definition texts stay); maintenance.finish; COMMIT. Any failure rolls all of it back.
4. Those responses are written next to the safety copy (<safety>.discarded.csv);
   `recover` (surveyapp.store.recover) brings any of them back.

On PostgreSQL (store/restore_pg.py) pg_restore replaces the content in one transaction
after a safety dump; it is refused while other sessions use the database.
"""

from __future__ import annotations

import csv
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlite_utils

from surveyapp.store import maintenance, schema
from surveyapp.store.backup import BackupError, _open, backup, check_restorable, integrity_check
from surveyapp.store.connection import is_postgres, writer_turn
from surveyapp.store.files import written_whole
from surveyapp.store.pg.dump import is_dump

KEPT = {"maintenance"}  # server state: never taken from the backup
MERGED = {"definitions"}  # texts of definition versions: the running app's must stay
LISTING_FIELDS = ("response_id", "submission_key", "survey", "edition", "submitted_at")


@dataclass
class Restored:
    responses: int  # in the restored database
    safety: Path  # the database as it was just before, complete
    listing: Path  # <safety>.discarded.csv: responses in `safety` only
    discarded: list[dict[str, Any]] = field(default_factory=list)
    held_seconds: float = 0.0  # how long writers were held out


def restore(live: sqlite_utils.Database, source: Path, safety: Path) -> Restored:
    """Replace the live database's content with the backup `source`, keeping what it
    held before in `safety`; see the module's docstring for the sequence."""
    if is_postgres(live):
        from surveyapp.store.restore_pg import restore_postgres

        return restore_postgres(live, source, safety)
    if is_dump(source):
        raise BackupError(f"{source} is a PostgreSQL backup (pg_dump): this database is SQLite")
    count = check_restorable(source)
    if safety.exists():
        raise BackupError(f"{safety} exists: the safety copy needs a new name")
    staged = safety.with_name(safety.name + ".staged")
    try:
        with _open(source) as db:
            backup(db, staged)
        with _open(staged) as db:
            schema.init_db(db)
        began = time.monotonic()
        discarded = _locked_swap(live, staged, safety)
        held = time.monotonic() - began
    finally:
        staged.unlink(missing_ok=True)
    listing = write_listing(safety.with_name(safety.name + ".discarded.csv"), discarded)
    problems = integrity_check(live)
    if problems != ["ok"]:
        raise BackupError(f"the restored database fails integrity_check: {problems[:5]}")
    return Restored(count, safety, listing, discarded, held)


def _locked_swap(live: sqlite_utils.Database, staged: Path, safety: Path) -> list[dict]:
    with writer_turn(live), maintenance.announced(live):
        return _swap(live, staged, safety)


def _swap(live: sqlite_utils.Database, staged: Path, safety: Path) -> list[dict]:
    path = live.execute("PRAGMA database_list").fetchone()[2]
    live.execute("ATTACH DATABASE ? AS restored", [str(staged)])
    foreign_keys = live.execute("PRAGMA foreign_keys").fetchone()[0]
    live.execute("PRAGMA foreign_keys = OFF")  # lets DELETE empty a whole table at once
    try:
        live.execute("BEGIN IMMEDIATE")
        try:
            with _open(Path(path)) as reader:
                backup(reader, safety)
            discarded = _discarded(live)
            _replace_tables(live)
            _check_foreign_keys(live)
            maintenance.finish(live)
            live.execute("COMMIT")
        except BaseException:
            if live.conn.in_transaction:
                live.execute("ROLLBACK")
            raise
    finally:
        live.execute("DETACH DATABASE restored")
        live.execute(f"PRAGMA foreign_keys = {int(foreign_keys)}")
    return discarded


def _discarded(live: sqlite_utils.Database) -> list[dict]:
    """Responses of the live database the backup does not hold, oldest first."""
    columns = ", ".join(LISTING_FIELDS)
    rows = live.execute(
        f"SELECT {columns} FROM main.responses WHERE response_id NOT IN"  # noqa: S608
        " (SELECT response_id FROM restored.responses) ORDER BY id"
    ).fetchall()
    return [dict(zip(LISTING_FIELDS, row, strict=True)) for row in rows]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _tables(live: sqlite_utils.Database, schema_name: str) -> list[str]:
    return [name for (name,) in live.execute(
        f"SELECT name FROM {schema_name}.sqlite_master WHERE type = 'table'"  # noqa: S608
        " AND name NOT LIKE 'sqlite%' ORDER BY name"
    )]  # fmt: skip


def _columns(live: sqlite_utils.Database, schema_name: str, table: str) -> list[str]:
    return [row[1] for row in live.execute(f"PRAGMA {schema_name}.table_info({_quote(table)})")]


def _replace_tables(live: sqlite_utils.Database) -> None:
    """Every table's rows from the staged copy (in the caller's transaction); triggers
    (the audit log's append-only guard) are set aside meanwhile."""
    triggers = live.execute(
        "SELECT name, sql FROM main.sqlite_master WHERE type = 'trigger'"
    ).fetchall()
    for name, _sql in triggers:
        live.execute(f"DROP TRIGGER main.{_quote(name)}")
    staged = set(_tables(live, "restored"))
    for table in _tables(live, "main"):
        if table in KEPT:
            continue
        if table not in MERGED:
            live.execute(f"DELETE FROM main.{_quote(table)}")  # noqa: S608
        if table in staged:
            theirs = set(_columns(live, "restored", table))
            columns = ", ".join(_quote(c) for c in _columns(live, "main", table) if c in theirs)
            verb = "INSERT OR IGNORE" if table in MERGED else "INSERT"
            live.execute(
                f"{verb} INTO main.{_quote(table)} ({columns})"  # noqa: S608
                f" SELECT {columns} FROM restored.{_quote(table)}"
            )
    for _name, sql in triggers:
        live.execute(sql)


def _check_foreign_keys(live: sqlite_utils.Database) -> None:
    broken = live.execute("PRAGMA main.foreign_key_check").fetchall()
    if broken:
        raise BackupError(f"the restored rows break {len(broken)} foreign key(s), e.g. {broken[0]}")


def write_listing(path: Path, discarded: list[dict]) -> Path:
    """The discarded responses as CSV (LISTING_FIELDS), readable by the owner only."""
    with written_whole(path) as partial, open(partial, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, LISTING_FIELDS)
        writer.writeheader()
        writer.writerows(discarded)
    return path


def read_listing(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))
