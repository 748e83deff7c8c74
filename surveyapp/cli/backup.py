"""`backup FILE` and `restore FILE`: the commands around surveyapp.store.backup."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app

from surveyapp.cli import open_store
from surveyapp.store import audit
from surveyapp.store.backup import BackupError, backup, check_restorable, restore


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
    click.echo(f"Backed up {count} response(s) to {file} (integrity_check ok).")


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(file: Path, yes: bool) -> None:
    """Replace the database with a backup FILE after checking it (integrity, schema).
    The current database is first saved next to it as <database>.before-restore-<time>."""
    try:
        count = check_restorable(file)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    database = Path(current_app.config["DATABASE"])
    if not yes:
        click.confirm(f"Replace {database} with {file} ({count} responses)?", abort=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    safety = database.with_name(f"{database.name}.before-restore-{stamp}")
    live = open_store()
    try:
        backup(live, safety)
        restore(live, file)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    # The restored database holds the backup's own audit log; entries written since the
    # backup stay in the safety copy, which this entry names.
    audit.record(live, audit.cli_actor(), "restore", file=str(file), responses=count,
                 previous=str(safety))  # fmt: skip
    click.echo(f"Restored {count} response(s) from {file}; previous database kept in {safety}.")


COMMANDS = [backup_command, restore_command]
