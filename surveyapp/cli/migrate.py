"""`surveyapp migrate-to-postgres`: copy a SQLite database into an empty PostgreSQL one, then
check the copy: every table's rows, every counter against the answers, the audit chain."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app

from surveyapp import store
from surveyapp.figures import tallies
from surveyapp.store import audit, schema, to_postgres
from surveyapp.store.catalogue import LiveCatalog
from surveyapp.store.connection import is_postgres


def _places(first: str | None, second: str | None) -> tuple[str, str]:
    """(SQLite file, PostgreSQL URL) from the arguments, else from the configuration."""
    given = [a for a in (first, second) if a]
    target = next((a for a in given if store.pg.is_url(a)), None)
    source = next((a for a in given if not store.pg.is_url(a)), None)
    if len(given) == 2 and (target is None or source is None):
        raise click.UsageError("give one SQLite file and one postgresql:// URL")
    configured = current_app.config["DATABASE"]
    source = source or (None if store.pg.is_url(configured) else configured)
    target = target or current_app.config["DATABASE_URL"] or None
    if source is None:
        raise click.UsageError("the configured database is PostgreSQL: give the SQLite file")
    if target is None or not store.pg.is_url(target):
        raise click.UsageError("give the postgresql:// URL (or set SURVEYAPP_DATABASE_URL)")
    return source, target


def _audit_key() -> bytes:
    """The key the SQLite database's audit chain was written with: AUDIT_KEY, else the
    instance folder's key file (read, never made here)."""
    key = current_app.config["AUDIT_KEY"]
    path = Path(current_app.instance_path) / "audit_key"
    if not key and path.is_file():
        key = path.read_text(encoding="utf-8").strip()
    if not key:
        raise click.ClickException("no AUDIT_KEY set and no instance audit_key file")
    return key.encode("utf-8")


def _prepare(target: str) -> store.pg.Database:
    """The target, with init-db's schema applied if it has none; refused when it holds
    anything (nothing is changed then)."""
    dst = store.connect(target)
    if not is_postgres(dst):
        raise click.ClickException(f"{target} is not a PostgreSQL database")
    tables = dst.table_names()
    if tables and "surveyapp_migrations" not in tables:
        names = ", ".join(tables[:5])
        raise click.ClickException(f"{target} is not empty: it holds tables surveyapp did not"
                                   f" make ({names})")  # fmt: skip
    found = to_postgres.occupied(dst) if tables else []
    if found:
        raise click.ClickException(f"{target} is not empty: {', '.join(found)} hold rows;"
                                   " give an empty database (init-db not run on it)")  # fmt: skip
    schema.init_db(dst)
    return dst


def _copy(src, dst, batch: int, key: bytes) -> dict[str, int]:
    """{table: rows copied}, from one snapshot of the source, checked before it commits."""
    tables = to_postgres.plan(src, dst)
    show = lambda name, rows: click.echo(f"  {name}: {rows} row(s)")  # noqa: E731
    with to_postgres.snapshot(src):
        searchable = to_postgres.searchable(src)
        check = lambda copied: _differences(dst, copied | {to_postgres.SEARCH: searchable}, key)  # noqa: E731
        return to_postgres.copy(src, dst, tables, check, batch, show)


def _differences(dst, expected: dict[str, int], key: bytes) -> list[str]:
    """What differs between the copy and what it should hold, first difference first."""
    found = [
        f"{name}: {have} row(s) in PostgreSQL, {want} in SQLite"
        for name, want in expected.items()
        if (have := to_postgres.row_count(dst, name)) != want
    ]
    found += tallies.verify_tallies(dst, LiveCatalog().current(dst))
    return found + [f"audit: {problem}" for problem in audit.verify(dst, key)]


def _open_source(source: str, key: bytes):
    """The SQLite database, refused unless its schema is this code's and its audit chain
    verifies with `key` (the copy could not verify otherwise)."""
    src = store.connect(source)
    try:
        schema.check_ready(src)
    except store.StorageError as exc:
        raise click.ClickException(f"{source}: {exc}") from None
    broken = audit.verify(src, key)
    if broken:
        raise click.ClickException(f"{source}: its audit chain does not verify with this"
                                   f" AUDIT_KEY ({broken[0]}); nothing was copied")  # fmt: skip
    return src


@click.command("migrate-to-postgres")
@click.argument("first", required=False, metavar="[SQLITE_FILE]")
@click.argument("second", required=False, metavar="[POSTGRESQL_URL]")
@click.option("--batch", default=to_postgres.BATCH, show_default=True, type=click.IntRange(1),
              help="Rows read and written at a time.")  # fmt: skip
def migrate_to_postgres_command(first: str | None, second: str | None, batch: int) -> None:
    """Copy a SQLite database (default: the configured DATABASE) into an empty PostgreSQL
    database (default: SURVEYAPP_DATABASE_URL) in one transaction, then verify it: row
    counts, counters against the answers, the audit chain with the same AUDIT_KEY."""
    source, target = _places(first, second)
    key = _audit_key()
    src = _open_source(source, key)
    dst = _prepare(target)
    click.echo(f"Copying {source} into {target.split('@')[-1]}:")
    try:
        copied = _copy(src, dst, batch, key)
    except to_postgres.Differs as exc:
        click.echo(f"The copy differs, so nothing was kept: {exc.problems[0]}", err=True)
        sys.exit(1)
    except to_postgres.CopyError as exc:
        raise click.ClickException(str(exc)) from None
    counters = to_postgres.row_count(dst, "counters")
    click.echo(f"Copied {sum(copied.values())} rows of {len(copied)} tables. Verified: every"
               f" table's rows, {counters} counters recomputed from the answers,"
               f" {audit.count(dst)} audit entries chained with AUDIT_KEY.")  # fmt: skip
    click.echo("Run the app on it with SURVEYAPP_DATABASE_URL and the same SURVEYAPP_AUDIT_KEY.")


COMMANDS = [migrate_to_postgres_command]
