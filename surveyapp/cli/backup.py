"""`backup FILE`, `restore FILE` and `recover FILE`: the commands around
surveyapp.store.backup, .restore and .recover."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
from flask import current_app

from surveyapp import store
from surveyapp.cli import catalog, open_store
from surveyapp.questionnaire.answers import counted_fields
from surveyapp.store import audit, recover
from surveyapp.store.backup import BackupError, backup, check_restorable
from surveyapp.store.connection import is_postgres
from surveyapp.store.restore import Restored, restore


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite FILE if it exists.")
def backup_command(file: Path, force: bool) -> None:
    """Copy the database to FILE while the site keeps running (SQLite backup API)."""
    if file.exists() and not force:
        raise click.ClickException(f"{file} exists: choose another name or pass --force")
    live = open_store()
    try:
        count = backup(live, file)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    audit.record(live, audit.cli_actor(), "backup", file=str(file), responses=count)
    checked = "pg_dump custom format" if is_postgres(live) else "integrity_check ok"
    click.echo(f"Backed up {count} response(s) to {file} ({checked}).")


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(file: Path, yes: bool) -> None:
    """Replace the database's content with a backup FILE after checking it (integrity,
    schema, foreign keys), also while the site runs: writes wait or are refused with
    "try again" from the safety copy of the current database
    (<database>.before-restore-<time>) to the end. Prints every response only the
    safety copy holds (also in <safety copy>.discarded.csv); `recover` brings them back."""
    try:
        count = check_restorable(file)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    live = open_store()
    database, safety = _safety_copy(live)
    if not yes:
        click.confirm(f"Replace {database} with {file} ({count} responses)?", abort=True)
    try:
        result = restore(live, file, safety)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    # The restored database holds the backup's own audit log; entries written since the
    # backup stay in the safety copy, which this entry names.
    audit.record(live, audit.cli_actor(), "restore", file=str(file), responses=count,
                 previous=str(safety), discarded=len(result.discarded))  # fmt: skip
    click.echo(f"Restored {count} response(s) from {file}; previous database kept in {safety}.")
    click.echo(f"Writes were held out for {result.held_seconds:.1f} s.")
    _report(result)


def _safety_copy(live: Any) -> tuple[str, Path]:
    """(the database as shown, where the restore keeps what it held): beside a SQLite
    file; in the instance folder for PostgreSQL (a dump; the URL's password not shown)."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    if is_postgres(live):
        shown = "PostgreSQL database " + live.url.rsplit("@", 1)[-1]
        return shown, Path(current_app.instance_path) / f"before-restore-{stamp}.dump"
    database = Path(current_app.config["DATABASE"])
    return str(database), database.with_name(f"{database.name}.before-restore-{stamp}")


def _report(result: Restored) -> None:
    if not result.discarded:
        click.echo("Discarded: none (the restored database holds every previous response).")
        return
    click.echo(
        f"Discarded: {len(result.discarded)} response(s) of the previous database are not in"
        f" the restored one. They are kept in {result.safety}, listed in {result.listing}:"
    )
    _print_rows(result.discarded)
    if result.safety.suffix == ".dump":
        click.echo("Bring them back by restoring the safety dump into a scratch database"
                   " (pg_restore -d URL) and exporting them from there.")  # fmt: skip
        return
    click.echo(f"Bring them back with: surveyapp recover {result.safety} --all (or name ids).")


def _print_rows(rows: list[dict[str, Any]]) -> None:
    for row in rows:
        click.echo(
            f"  {row['response_id']}  {row['survey']} {row['edition']}  {row['submitted_at']}"
        )


@click.command("recover")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("response_ids", nargs=-1)
@click.option("--all", "everything", is_flag=True, help="Re-import every one of them.")
def recover_command(file: Path, response_ids: tuple[str, ...], everything: bool) -> None:
    """List the responses FILE (a restore's safety copy, or any backup) holds that the
    database lacks; with RESPONSE_IDS or --all, re-import those (counters included)."""
    if response_ids and everything:
        raise click.UsageError("Name response ids or pass --all, not both.")
    try:
        if not (response_ids or everything):
            rows = recover.missing(open_store(), file)
            click.echo(f"{len(rows)} response(s) in {file} are not in the database:")
            _print_rows(rows)
            return
        rows = recover.fetch(open_store(), file, None if everything else list(response_ids))
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    unknown = sorted(set(response_ids) - {row["response_id"] for row in rows})
    if unknown:
        raise click.ClickException(f"not in {file}, or already in the database:"
                                   f" {', '.join(unknown)}; nothing recovered")  # fmt: skip
    created = store.insert_many(open_store(), _counted(rows))
    audit.record(open_store(), audit.cli_actor(), "recover", file=str(file), responses=created)
    click.echo(f"Recovered {created} response(s) from {file}.")


def _counted(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each row with the fields its questionnaire edition tallies, as a submission has."""
    known = catalog()
    unknown = sorted({(r["survey"], r["edition"]) for r in rows
                      if r["edition"] not in known.get(r["survey"], {})})  # fmt: skip
    if unknown:
        names = ", ".join(f"{survey} edition {edition}" for survey, edition in unknown)
        raise click.ClickException(f"no definition loaded for {names}; nothing recovered")
    return [row | {"counted": counted_fields(known[row["survey"]][row["edition"]])}
            for row in rows]  # fmt: skip


COMMANDS = [backup_command, restore_command, recover_command]
