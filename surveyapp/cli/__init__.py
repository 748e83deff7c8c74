"""Command-line interface: `flask --app surveyapp <command>` or `surveyapp <command>`."""

from __future__ import annotations

import os

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from surveyapp import store
from surveyapp.store import accounts, audit, schema
from surveyapp.store.accounts import ROLES, hash_password


def _db():
    return store.thread_connection(current_app.config["DATABASE"])


@click.command("init-db")
def init_db_command() -> None:
    """Create or upgrade the database schema (safe to run again)."""
    applied = schema.init_db(_db())
    click.echo(f"Database ready at {current_app.config['DATABASE']}"
               f" ({len(applied)} migration(s) applied).")  # fmt: skip


@click.command("create-admin")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), default="admin", show_default=True)
def create_admin_command(username: str, role: str) -> None:
    """Create an admin account (or reset its password). The password comes from
    SURVEYAPP_ADMIN_PASSWORD or is prompted for."""
    password = os.environ.get("SURVEYAPP_ADMIN_PASSWORD") or click.prompt(
        "Password", hide_input=True, confirmation_prompt=True
    )
    if len(password) < 8:
        raise click.ClickException("The password must have at least 8 characters.")
    before = accounts.get_admin(_db(), username)
    accounts.create_admin(_db(), username, hash_password(password), role)
    if before is None:
        audit.record(_db(), audit.cli_actor(), "user_create", username=username, role=role)
    else:
        audit.record(_db(), audit.cli_actor(), "role_change", username=username,
                     old=before["role"], new=role, password_reset=True)  # fmt: skip
    click.echo(f"Admin {username!r} ({role}) saved.")


def _commands() -> list[click.Command]:
    from surveyapp.cli.backup import COMMANDS as OPS_COMMANDS
    from surveyapp.cli.definitions_io import COMMANDS as IO_COMMANDS
    from surveyapp.cli.editions import COMMANDS as HISTORY_COMMANDS
    from surveyapp.cli.invitations import COMMANDS as INVITE_COMMANDS
    from surveyapp.cli.publishing import COMMANDS as PUBLISH_COMMANDS
    from surveyapp.cli.serve import serve_command
    from surveyapp.cli.transfer import COMMANDS as ADMIN_COMMANDS

    return [init_db_command, create_admin_command, serve_command,
            *HISTORY_COMMANDS, *ADMIN_COMMANDS, *OPS_COMMANDS,
            *INVITE_COMMANDS, *IO_COMMANDS, *PUBLISH_COMMANDS]  # fmt: skip


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
