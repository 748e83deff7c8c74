"""Command-line interface: `surveyapp <command>` (or `flask --app surveyapp <command>`).

Every command reaches the database through `open_store()` and the questionnaires through
`catalog()`; only `init-db` and `serve` create or upgrade the database (`init_database`).
"""

from __future__ import annotations

import click
import sqlite_utils
from flask import Flask, current_app
from flask.cli import FlaskGroup, ScriptInfo, with_appcontext

from surveyapp import store
from surveyapp.questionnaire.catalog import Catalog


def loading_for_a_command() -> bool:
    """True while a command line (`surveyapp ...`, `flask --app surveyapp ...`) builds the
    app: then the command, not the app, decides what the database must be."""
    context = click.get_current_context(silent=True)
    return context is not None and context.find_object(ScriptInfo) is not None


def open_store() -> sqlite_utils.Database:
    """The database, checked as a worker checks it, the catalogue read from its stored
    versions; a clear error when it is not ready."""
    from surveyapp import check_store

    try:
        return check_store(current_app)
    except store.StorageError as exc:
        raise click.ClickException(_about_the_database(exc)) from None


def catalog() -> Catalog:
    """The questionnaires as the database holds them now."""
    open_store()
    return current_app.extensions["surveys"]


def init_database() -> list[str]:
    """Create or upgrade the database of the current app; a clear error when impossible."""
    from surveyapp import init_store

    try:
        return init_store(current_app)
    except (store.StorageError, store.DatabaseError, OSError) as exc:
        raise click.ClickException(_about_the_database(exc)) from None


def _about_the_database(error: Exception) -> str:
    path = current_app.config["DATABASE"]
    return str(error) if path in str(error) else f"{path}: {error}"


@click.command("init-db")
def init_db_command() -> None:
    """Create or upgrade the database schema and record the definitions (safe to run
    again); run it after upgrading surveyapp or changing a definition."""
    applied = init_database()
    click.echo(f"Database ready at {current_app.config['DATABASE']}"
               f" ({len(applied)} migration(s) applied).")  # fmt: skip


def _commands() -> list[click.Command]:
    from surveyapp.cli.accounts import COMMANDS as ACCOUNT_COMMANDS
    from surveyapp.cli.backup import COMMANDS as OPS_COMMANDS
    from surveyapp.cli.definitions_io import COMMANDS as IO_COMMANDS
    from surveyapp.cli.editions import COMMANDS as HISTORY_COMMANDS
    from surveyapp.cli.invitations import COMMANDS as INVITE_COMMANDS
    from surveyapp.cli.logos import COMMANDS as LOGO_COMMANDS
    from surveyapp.cli.migrate import COMMANDS as MIGRATE_COMMANDS
    from surveyapp.cli.publishing import COMMANDS as PUBLISH_COMMANDS
    from surveyapp.cli.serve import serve_command
    from surveyapp.cli.tokens import COMMANDS as TOKEN_COMMANDS
    from surveyapp.cli.transfer import COMMANDS as ADMIN_COMMANDS
    from surveyapp.cli.webhooks import COMMANDS as WEBHOOK_COMMANDS

    return [init_db_command, serve_command, *ACCOUNT_COMMANDS,
            *HISTORY_COMMANDS, *ADMIN_COMMANDS, *OPS_COMMANDS,
            *INVITE_COMMANDS, *IO_COMMANDS, *PUBLISH_COMMANDS, *TOKEN_COMMANDS,
            *WEBHOOK_COMMANDS, *LOGO_COMMANDS, *MIGRATE_COMMANDS]  # fmt: skip


def init_app(app: Flask) -> None:
    for command in _commands():
        if not getattr(command, "needs_app_context", False):
            command.callback = with_appcontext(command.callback)
            command.needs_app_context = True
        app.cli.add_command(command)


def _create_app() -> Flask:
    from surveyapp import create_app

    return create_app()


group = FlaskGroup(create_app=_create_app, help="surveyapp: the survey platform's commands.")


def main() -> None:
    group(prog_name="surveyapp")
