"""Account commands: create-admin, unlock, disable-account, enable-account."""

from __future__ import annotations

import os

import click

from surveyapp.cli import open_store
from surveyapp.store import accounts, audit, logins, passwords


def _new_password(generate: bool) -> str:
    """A generated password, or SURVEYAPP_ADMIN_PASSWORD, or one typed at the prompt;
    refused (ClickException) unless it meets the password policy."""
    if generate:
        return passwords.generate()
    password = os.environ.get("SURVEYAPP_ADMIN_PASSWORD") or click.prompt(
        "Password", hide_input=True, confirmation_prompt=True
    )
    refused = passwords.problem(password)
    if refused:
        raise click.ClickException(refused)
    return password


@click.command("create-admin")
@click.argument("username")
@click.option("--role", type=click.Choice(accounts.ROLES), default="admin", show_default=True)
@click.option("--generate", is_flag=True, help="Generate a password and print it once.")
def create_admin_command(username: str, role: str, generate: bool) -> None:
    """Create an account, or set an existing one's password and role (ending its
    sessions). The password comes from SURVEYAPP_ADMIN_PASSWORD, the prompt or --generate;
    at least 12 characters and not a common password."""
    password = _new_password(generate)
    db = open_store()
    try:
        old = accounts.create_admin(db, username, passwords.hash_password(password), role)
    except accounts.LastAdmin as exc:
        raise click.ClickException(f"Not changed: {exc}.") from None
    if old is None:
        audit.record(db, audit.cli_actor(), "user_create", username=username, role=role)
    else:
        audit.record(db, audit.cli_actor(), "role_change", username=username,
                     old=old, new=role, password_reset=True)  # fmt: skip
    click.echo(f"Admin {username!r} ({role}) saved.")
    if generate:
        click.echo(f"Password (shown once): {password}")


@click.command("unlock")
@click.argument("username", required=False)
@click.option("--address", help="Also (or only) clear the failures counted for this address.")
def unlock_command(username: str | None, address: str | None) -> None:
    """Clear the failed log-ins of USERNAME (from every address) and/or of --address."""
    if not username and not address:
        raise click.UsageError("Give a USERNAME, an --address or both.")
    db = open_store()
    cleared = logins.unlock(db, username=username, address=address)
    audit.record(db, audit.cli_actor(), "unlock", username=username, address=address,
                 counters=cleared)  # fmt: skip
    click.echo(f"Cleared {cleared} failure counter(s).")


def _set_enabled(username: str, enabled: bool) -> None:
    db = open_store()
    try:
        was_enabled = accounts.set_enabled(db, username, enabled)
    except accounts.LastAdmin as exc:
        raise click.ClickException(f"Not changed: {exc}.") from None
    if was_enabled is None:
        raise click.ClickException(f"No account {username!r}.")
    if was_enabled != enabled:
        action = "account_enable" if enabled else "account_disable"
        audit.record(db, audit.cli_actor(), action, username=username)
    state = "enabled" if enabled else "disabled (its sessions have ended)"
    click.echo(f"Account {username!r} {state}.")


@click.command("disable-account")
@click.argument("username")
def disable_account_command(username: str) -> None:
    """Disable an account: it can no longer log in and its sessions end."""
    _set_enabled(username, False)


@click.command("enable-account")
@click.argument("username")
def enable_account_command(username: str) -> None:
    """Enable a disabled account again."""
    _set_enabled(username, True)


COMMANDS = [create_admin_command, unlock_command, disable_account_command, enable_account_command]
