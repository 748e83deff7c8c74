"""Commands for editions, imported history and trends."""

from __future__ import annotations

import functools
import json
import re
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from surveyapp.cli import catalog, open_store
from surveyapp.exchange.importer import import_file
from surveyapp.figures.trends import format_table, trends
from surveyapp.questionnaire.catalog import Catalog
from surveyapp.store import audit, editions

EDITION_LINE = re.compile(r"^edition:[^\n]*$", re.MULTILINE)


def new_edition_file(catalog: Catalog, survey: str, edition: int, folder: Path) -> Path:
    """Copy the latest definition of `survey` to folder/<survey>-<edition>.yaml, edition changed."""
    if survey not in catalog:
        raise editions.EditionError(f"there is no questionnaire called {survey!r}")
    if edition in catalog[survey]:
        raise editions.EditionError(f"{survey} edition {edition} is already defined")
    latest = catalog.latest(survey)
    text, count = EDITION_LINE.subn(f"edition: {edition}", latest.text, count=1)
    if count != 1:
        raise editions.EditionError(f"{latest.source}: no top-level 'edition:' line to change")
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{survey}-{edition}.yaml"
    try:
        with open(target, "x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        raise editions.EditionError(f"{target} already exists: edit or delete it") from None
    return target


def _edition_command(name: str):
    """A `NAME SURVEY EDITION` command; an EditionError becomes a clean CLI error."""

    def decorate(func):
        @functools.wraps(func)
        def run(survey: str, edition: int) -> None:
            try:
                func(survey, edition)
            except editions.EditionError as exc:
                raise click.ClickException(str(exc)) from None

        run = click.argument("edition", type=int)(run)
        run = click.argument("survey")(run)
        return click.command(name)(with_appcontext(run))

    return decorate


@_edition_command("open-edition")
def open_edition_command(survey: str, edition: int) -> None:
    """Open EDITION of SURVEY to respondents (any other open edition is closed)."""
    db = open_store()
    closed = editions.open_only(db, catalog(), survey, edition)
    audit.record(db, audit.cli_actor(), "edition_open", survey=survey, edition=edition,
                 closed=closed)  # fmt: skip
    also = f" (closed {', '.join(map(str, closed))})" if closed else ""
    click.echo(f"{survey} {edition} is open{also}.")


@_edition_command("close-edition")
def close_edition_command(survey: str, edition: int) -> None:
    """Close EDITION of SURVEY: it refuses new responses and keeps its data."""
    db = open_store()
    editions.close(db, catalog(), survey, edition)
    audit.record(db, audit.cli_actor(), "edition_close", survey=survey, edition=edition)
    click.echo(f"{survey} {edition} is closed.")


@_edition_command("new-edition")
def new_edition_command(survey: str, edition: int) -> None:
    """Copy the latest definition of SURVEY to instance/surveys/SURVEY-EDITION.yaml, to
    edit and publish."""
    folder = Path(current_app.instance_path) / "surveys"
    path = new_edition_file(catalog(), survey, edition, folder)
    click.echo(
        f"Wrote {path}: edit it, then `surveyapp publish {path}` (or `init-db` or `serve`):"
        f" every worker serves it within a second. As the latest edition it is open unless"
        f" closed: `close-edition {survey} {edition}` keeps it closed."
    )


@click.command("import")
@with_appcontext
@click.argument("survey")
@click.option("--edition", type=int, required=True, help="The edition the rows belong to.")
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "jsonl"]), help="Default: from the extension."
)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def import_command(survey: str, edition: int, fmt: str | None, file: Path) -> None:
    """Import past responses of SURVEY from FILE (CSV or JSON Lines, the export's layout).

    Columns: response_id and submitted_at (optional), edition (optional, must match),
    version (ignored), then one column per field; multiple choice codes joined by ';'.
    Every row is checked; if any row is bad, every problem is listed and nothing is
    written. Rows are numbered as in a spreadsheet: the header is row 1, the first data
    row is row 2 (JSON Lines: the line number). Importing the same file again adds nothing.
    """
    db = open_store()
    result = import_file(db, catalog(), survey, edition, file, fmt)
    audit.record(db, audit.cli_actor(), "import", **audit.import_details(
        survey, edition, file.name, result))  # fmt: skip
    if result.errors:
        for error in result.errors:
            click.echo(error, err=True)
        click.echo(f"{len(result.errors)} problem(s): nothing imported.", err=True)
        sys.exit(1)
    again = " (this file was imported before)" if result.seen_before else ""
    click.echo(f"Imported {result.created} response(s) into {survey} {edition}; "
               f"{result.skipped} already present{again}.")  # fmt: skip


@click.command("trends")
@with_appcontext
@click.argument("survey")
@click.option("--segment", multiple=True, metavar="FIELD=CODE", help="Keep only these answers.")
@click.option("--json", "as_json", is_flag=True, help="Print the trends.json document.")
def trends_command(survey: str, segment: tuple[str, ...], as_json: bool) -> None:
    """Print top-box and top-2-box shares per edition, with intervals and changes."""
    if survey not in catalog():
        raise click.ClickException(f"there is no questionnaire called {survey!r}")
    chosen: dict[str, list[str]] = {}
    for pair in segment:
        field, _, code = pair.partition("=")
        if not code:
            raise click.ClickException(f"--segment {pair!r}: write FIELD=CODE")
        chosen.setdefault(field, []).append(code)
    try:
        document = trends(open_store(), catalog(), survey, chosen or None)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(json.dumps(document, indent=1, ensure_ascii=False))
        return
    kept = ", ".join(f"{e}: {n}" for e, n in document["respondents"].items())
    click.echo(f"{survey}: respondents {kept}")
    click.echo(format_table(document))


COMMANDS = [
    open_edition_command,
    close_edition_command,
    new_edition_command,
    import_command,
    trends_command,
]
