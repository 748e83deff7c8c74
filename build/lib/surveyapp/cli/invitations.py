"""`invite`: single-use invitation links for an invitation-only edition."""

from __future__ import annotations

import csv
from pathlib import Path

import click
import sqlite_utils
from flask import current_app

from surveyapp.cli import catalog, open_store
from surveyapp.store import editions, invitations

MAX_COUNT = 100_000


@click.command("invite")
@click.argument("survey_id")
@click.option("--count", type=click.IntRange(1, MAX_COUNT), help="How many links (no emails).")
@click.option("--from", "source", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="CSV file with an 'email' column: one link per row.")  # fmt: skip
@click.option("--edition", type=int, help="Edition (default: the open one).")
@click.option("--days", type=click.IntRange(1, 3650), default=30, show_default=True,
              help="Days until the links expire.")  # fmt: skip
@click.option("--base-url", help="Start of the links (default: PUBLIC_URL setting).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write a CSV (link, email, expires_at) instead of printing links.")  # fmt: skip
def invite_command(
    survey_id: str, count: int | None, source: Path | None, edition: int | None, days: int,
    base_url: str | None, output: Path | None,
) -> None:  # fmt: skip
    """Create single-use invitation links for an invitation-only edition."""
    db = open_store()
    definition = _invitation_edition(db, survey_id, edition)
    emails = _emails(count, source)
    if output is not None and output.exists():
        raise click.ClickException(f"{output} exists: nothing written.")
    secret = current_app.config["SECRET_KEY"]
    made = invitations.create(db, secret, survey_id, definition.edition, emails, days)
    start = (base_url or current_app.config["PUBLIC_URL"]).rstrip("/")
    links = [(f"{start}/i/{token}", email, expires) for token, email, expires in made]
    if output is None:
        for link, email, _expires in links:
            click.echo(f"{link},{email}" if email else link)
    else:
        with open(output, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["link", "email", "expires_at"])
            writer.writerows((link, email or "", expires) for link, email, expires in links)
    click.echo(f"{len(links)} invitation(s) to {survey_id} edition {definition.edition}"
               f", expiring in {days} day(s).", err=True)  # fmt: skip


def _invitation_edition(db: sqlite_utils.Database, survey_id: str, edition: int | None):
    """The definition to invite to: EDITION, else the open one; refused unless
    invitation-only."""
    questionnaires = catalog()
    if survey_id not in questionnaires:
        raise click.ClickException(f"No questionnaire {survey_id!r}.")
    if edition is None:
        opened = editions.open_definition(db, questionnaires, survey_id)
        if opened is None:
            raise click.ClickException(f"{survey_id} has no open edition: give --edition.")
        edition = opened.edition
    definition = questionnaires[survey_id].get(edition)
    if definition is None:
        raise click.ClickException(f"{survey_id} has no edition {edition}.")
    if definition.access != "invitation":
        raise click.ClickException(
            f"{definition.source}: edition {edition} is open to anyone; "
            "add 'access: invitation' to its definition first."
        )
    return definition


def _emails(count: int | None, source: Path | None) -> list[str | None]:
    """One entry per link: the CSV's addresses, or COUNT links without one."""
    if (count is None) == (source is None):
        raise click.ClickException("Give either --count N or --from FILE.csv.")
    if source is None:
        return [None] * count
    try:
        return invitations.read_emails(source)
    except invitations.InvitationFileError as exc:
        for error in exc.errors:
            click.echo(error, err=True)
        raise click.ClickException("Nothing written: fix the rows above.") from None


COMMANDS = [invite_command]
