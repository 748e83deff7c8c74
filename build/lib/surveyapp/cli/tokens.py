"""`token create|list|revoke`: API tokens from the command line (the admin page is
/admin/tokens). A new token is printed once; only its hash is stored."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from surveyapp.cli import open_store
from surveyapp.store import audit, tokens


@click.group("token")
def token_group() -> None:
    """API tokens: create, list, revoke."""


@token_group.command("create")
@with_appcontext
@click.argument("username")
@click.option("--scope", type=click.Choice(tokens.SCOPES), default="read", show_default=True,
              help="read: read only; write: also writes (within the role).")  # fmt: skip
@click.option("--name", default="", help="What the token is for.")
def create_command(username: str, scope: str, name: str) -> None:
    """Make an API token for USERNAME and print it (once)."""
    db = open_store()
    try:
        token_id, token = tokens.create(db, username, scope, name)
    except tokens.TokenError as exc:
        raise click.ClickException(str(exc)) from None
    audit.record(db, audit.cli_actor(), "token_create", token=token_id, account=username,
                 scope=scope)  # fmt: skip
    click.echo(token)
    click.echo(f"Token #{token_id} ({scope}) for {username}: shown once, keep it safe.", err=True)


@token_group.command("list")
@with_appcontext
@click.argument("username", required=False)
def list_command(username: str | None) -> None:
    """List tokens (of USERNAME, or every account's): never the tokens themselves."""
    for row in tokens.listing(open_store(), username):
        state = f"revoked {row['revoked_at']}" if row["revoked_at"] else "live"
        used = row["last_used_at"] or "never used"
        click.echo(f"#{row['id']}\t{row['username']}\t{row['scope']}\t{row['hint']}…\t"
                   f"{row['name']}\t{row['created_at']}\t{used}\t{state}")  # fmt: skip


@token_group.command("revoke")
@with_appcontext
@click.argument("token_id", type=int)
def revoke_command(token_id: int) -> None:
    """Revoke token ID at once."""
    db = open_store()
    found = tokens.get(db, token_id)
    if found is None:
        raise click.ClickException(f"no token #{token_id}")
    if not tokens.revoke(db, token_id):
        raise click.ClickException(f"token #{token_id} was revoked already")
    audit.record(db, audit.cli_actor(), "token_revoke", token=token_id, account=found["username"])
    click.echo(f"Token #{token_id} of {found['username']} revoked.")


COMMANDS = [token_group]
