"""`restore` on PostgreSQL: the archive (pg_dump -Fc) replaces the database's content in
pg_restore's one transaction, after a safety dump of what it held; refused while any other
session uses the database (the app hosts must be stopped: a restore does not hold their
writers out, as SQLite's does). Responses only the safety dump holds are listed, as on
SQLite; the definitions the running app published stay."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from surveyapp.store import maintenance, pg, schema
from surveyapp.store.backup import BackupError, check_restorable
from surveyapp.store.pg import catalog
from surveyapp.store.pg import dump as pg_dump
from surveyapp.store.restore import LISTING_FIELDS, Restored, write_listing

DEFINITION_COLUMNS = ("version", "survey", "edition", "source", "text", "first_seen",
                      "published_by", "published_at", "seq")  # fmt: skip


def restore_postgres(live: Any, source: Path, safety: Path) -> Restored:
    if not pg_dump.is_dump(source):
        raise BackupError(f"{source} is not a PostgreSQL backup (pg_dump -Fc); a SQLite"
                          " database is copied by `surveyapp migrate-to-postgres`")  # fmt: skip
    count = check_restorable(source)
    if safety.exists():
        raise BackupError(f"{safety} exists: the safety copy needs a new name")
    pg.close_pool(live.url)  # this process's idle connections are not other sessions
    try:
        with maintenance.announced(live):
            _refuse_others(live)
            began = time.monotonic()
            before = _listing(live)
            generation = maintenance.generation(live)
            definitions = [tuple(row) for row in live.execute(_select_definitions())]
            pg_dump.dump(live.url, safety)
            pg_dump.load(live.url, source)
            catalog.forget(live.url)
            schema.init_db(live)
            _after(live, definitions, generation)
            held = time.monotonic() - began
    except pg_dump.DumpError as exc:
        raise BackupError(str(exc)) from exc
    kept = {row[0] for row in live.execute("SELECT response_id FROM responses")}
    discarded = [row for row in before if row["response_id"] not in kept]
    listing = write_listing(safety.with_name(safety.name + ".discarded.csv"), discarded)
    return Restored(count, safety, listing, discarded, held)


def _refuse_others(live: Any) -> None:
    busy = pg_dump.others(live)
    if busy:
        raise BackupError(
            f"{busy} other session(s) use this database (app hosts, workers): stop them and"
            f" restore again, or restore by hand: {pg_dump.MANUAL}"
        )


def _select_definitions() -> str:
    return f"SELECT {', '.join(DEFINITION_COLUMNS)} FROM definitions"  # noqa: S608


def _listing(live: Any) -> list[dict[str, Any]]:
    columns = ", ".join(LISTING_FIELDS)
    return list(live.query(f"SELECT {columns} FROM responses ORDER BY id"))  # noqa: S608


def _after(live: Any, definitions: list[tuple], generation: int) -> None:
    """Keep the running app's definitions, and count a generation past both databases'."""
    marks = ", ".join("?" * len(DEFINITION_COLUMNS))
    with live.raw.transaction():
        for row in definitions:
            live.execute(
                f"INSERT OR IGNORE INTO definitions ({', '.join(DEFINITION_COLUMNS)})"  # noqa: S608
                f" VALUES ({marks})",
                row,
            )
        live.execute(
            "UPDATE maintenance SET restoring_pid = NULL, since = NULL,"
            " generation = max(generation, ?) + 1",
            [generation],
        )
