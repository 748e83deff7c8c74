"""Command-line interface: `flask --app surveyapp <command>` or `surveyapp <command>`."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from surveyapp import store
from surveyapp.questionnaire.loader import DefinitionError, definition_files, load_all
from surveyapp.store import schema


def _db():
    return store.thread_connection(current_app.config["DATABASE"])


@click.command("init-db")
def init_db_command() -> None:
    """Create or upgrade the database schema (safe to run again)."""
    applied = schema.init_db(_db())
    click.echo(f"Database ready at {current_app.config['DATABASE']}"
               f" ({len(applied)} migration(s) applied).")  # fmt: skip


@click.command("check-definitions")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
def check_definitions_command(files: tuple[Path, ...]) -> None:
    """Validate questionnaire definitions (default: every loaded folder); exit 1 on any error."""
    paths = list(files) or definition_files(
        *(Path(p) for p in current_app.config["SURVEY_FOLDERS"])
    )
    try:
        catalog = load_all(paths)
    except DefinitionError as exc:
        for error in exc.errors:
            click.echo(error, err=True)
        sys.exit(1)
    for editions in catalog.values():
        for d in editions.values():
            click.echo(f"ok  {d.source}: {d.id} edition {d.edition}, version {d.version}")


def _commands() -> list[click.Command]:
    from surveyapp.cli.accounts import COMMANDS as ACCOUNT_COMMANDS
    from surveyapp.cli.backup import COMMANDS as OPS_COMMANDS
    from surveyapp.cli.editions import COMMANDS as HISTORY_COMMANDS
    from surveyapp.cli.invitations import COMMANDS as INVITE_COMMANDS
    from surveyapp.cli.serve import serve_command
    from surveyapp.cli.transfer import COMMANDS as ADMIN_COMMANDS

    return [init_db_command, check_definitions_command, serve_command, *ACCOUNT_COMMANDS,
            *HISTORY_COMMANDS, *ADMIN_COMMANDS, *OPS_COMMANDS,
            *INVITE_COMMANDS]  # fmt: skip


def init_app(app: Flask) -> None:
    for command in _commands():
        if not getattr(command, "needs_app_context", False):
            command.callback = with_appcontext(command.callback)
            command.needs_app_context = True
        app.cli.add_command(command)


def main() -> None:
    from surveyapp import create_app

    FlaskGroup(create_app=create_app, help="surveyapp: the survey platform's commands.")(
        prog_name="surveyapp"
    )
