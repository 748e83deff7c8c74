"""Publishing definitions: `publish FILE` (YAML or XLSForm) and `definitions ID` (the
version history, `--diff A B` between two versions)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import click

from surveyapp.cli import open_store
from surveyapp.questionnaire import diff
from surveyapp.questionnaire.loader import DefinitionError
from surveyapp.questionnaire.model import Definition
from surveyapp.questionnaire.publishing import parse, read_path
from surveyapp.store import audit, definitions


def _fail(lines: list[str], summary: str) -> NoReturn:
    for line in lines:
        click.echo(line, err=True)
    click.echo(summary, err=True)
    sys.exit(1)


def _echo_changes(changes: list[diff.Change]) -> None:
    for change in changes:
        click.echo(f"  {'!' if change.breaking else '-'} {change.description}")


@click.command("publish")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--draft", is_flag=True, help="Check and show the changes; store nothing.")
@click.option("--confirm", is_flag=True,
              help="Publish changes that alter what stored answers mean (wording, scales, "
                   "deleted items) on an edition with responses.")  # fmt: skip
@click.option("--edition", type=int, help="Edition of an XLSForm whose version is not a year.")
def publish_command(file: Path, draft: bool, confirm: bool, edition: int | None) -> None:
    """Publish FILE (YAML or XLSForm .xlsx) as the current version of its questionnaire's
    edition; every worker serves it within a second. Nothing stored is overwritten."""
    try:
        source = read_path(file, edition)
    except DefinitionError as exc:
        _fail(exc.errors, f"{len(exc.errors)} problem(s): nothing published.")
    for warning in source.warnings:
        click.echo(f"warning: {warning}", err=True)
    if draft:
        _preview(source.definition)
        return
    try:
        result = definitions.publish_definition(
            open_store(), source.definition, audit.cli_actor(), confirm
        )
    except definitions.BreakingChange as exc:
        lines = [f"  ! {c.description}" for c in exc.changes]
        _fail([str(exc).splitlines()[0], *lines], "Nothing published: add --confirm.")
    _report(result)


def _preview(definition: Definition) -> None:
    current, changes, needs_confirmation = definitions.pending_changes(open_store(), definition)
    name = f"{definition.id} {definition.edition}"
    if current == definition.version:
        click.echo(f"{name}: version {definition.version} is already current; nothing to do.")
        return
    what = "a new edition" if current is None else f"replacing version {current}"
    click.echo(f"{name}: would publish version {definition.version}, {what}.")
    _echo_changes(changes)
    if needs_confirmation:
        click.echo("The edition has responses: publishing these changes needs --confirm.")
    click.echo("Draft only: nothing stored.")


def _report(result: definitions.PublishResult) -> None:
    d = result.definition
    name = f"{d.id} {d.edition}"
    if not result.changed:
        click.echo(f"{name}: version {result.version} is already current; nothing changed.")
        return
    kind = "new version" if result.new else "earlier version, current again"
    replaced = f", replacing {result.current_before}" if result.current_before else ""
    click.echo(f"Published {name}: {kind} {result.version}{replaced}.")
    _echo_changes(result.changes)


@click.command("definitions")
@click.argument("survey_id")
@click.option("--diff", "versions", nargs=2, metavar="A B", help="Compare two versions.")
def definitions_command(survey_id: str, versions: tuple[str, str] | None) -> None:
    """List the versions of SURVEY_ID, newest first; with --diff A B, what changed from
    version A to version B, then the unified diff of their texts."""
    if versions:
        _diff(*versions)
        return
    rows = definitions.versions(open_store(), survey_id)
    if not rows:
        raise click.ClickException(f"there is no questionnaire called {survey_id!r}")
    for row in rows:
        mark = "current" if row["current"] else ""
        click.echo(f"{row['version']}  {row['edition']}  {row['published_at']}  "
                   f"{row['published_by']}  {row['source']}  {mark}".rstrip())  # fmt: skip


def _stored(version: str) -> tuple[str, Definition]:
    found = definitions.version_source(open_store(), version)
    if found is None:
        raise click.ClickException(f"there is no stored version {version!r}")
    text, source = found
    try:
        return text, parse(text, source)
    except DefinitionError as exc:
        raise click.ClickException(f"version {version} no longer parses: {exc}") from None


def _diff(old: str, new: str) -> None:
    (old_text, before), (new_text, after) = _stored(old), _stored(new)
    changes = diff.changes(before, after)
    click.echo(f"From {old} to {new}: {len(changes)} change(s)"
               f"{', breaking ones marked !' if diff.breaking(changes) else ''}")  # fmt: skip
    _echo_changes(changes)
    click.echo(diff.text_diff(old_text, new_text, old, new), nl=False)


COMMANDS = [publish_command, definitions_command]
