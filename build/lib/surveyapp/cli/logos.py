"""`add-logo`: store an organiser's logo from a file, for a definition written as YAML
(the builder's Settings page uploads one the same way)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app

from surveyapp.cli import open_store
from surveyapp.questionnaire.images import ImageRefused, check_image
from surveyapp.store import audit, logos


@click.command("add-logo")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def add_logo_command(path: Path) -> None:
    """Store the PNG, JPEG or WebP image at PATH as a logo and print its id, to give as
    `branding: logo:` in a definition."""
    limit = current_app.config["LOGO_MAX_BYTES"]
    with path.open("rb") as file:
        data = file.read(limit + 1)
    try:
        image = check_image(data, limit)
    except ImageRefused as exc:
        raise click.ClickException(f"{path.name}: {exc}") from None
    db = open_store()
    name = logos.save(db, data, image.content_type, (image.width, image.height),
                      audit.cli_actor())  # fmt: skip
    click.echo(name)
    click.echo(f"{path.name}: {image.content_type}, {image.width}×{image.height}: use "
               f"`logo: {name}` under `branding:`.", err=True)  # fmt: skip


COMMANDS = [add_logo_command]
