"""Definitions in and out: `check-definitions` (YAML and XLSForm files) and
`export-definition` (YAML or XLSForm)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app

from surveyapp.cli import catalog
from surveyapp.exchange.definition_files import scan
from surveyapp.questionnaire.loader import DefinitionError, load_file
from surveyapp.questionnaire.model import Definition
from surveyapp.questionnaire.translations import missing_messages

FORMATS = ("yaml", "xlsform")


@click.command("check-definitions")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--edition", type=int,
              help="Edition of an XLSForm whose settings version is not a year "
                   "(default: this year).")  # fmt: skip
def check_definitions_command(files: tuple[Path, ...], edition: int | None) -> None:
    """Validate questionnaire definitions, YAML or XLSForm (.xlsx) (default: every file of
    the served folders, a later folder overriding an earlier one as when serving); print
    every error, exit 1 on any. A missing translation is a warning: the respondent sees
    the default language's text there."""
    if files:
        definitions, errors, warnings = _check_files(files, edition)
    else:
        found = scan(Path(p) for p in current_app.config["SURVEY_FOLDERS"])
        definitions, errors, warnings = list(found.chosen.values()), found.problems, found.warnings
    warnings = [*warnings, *(m for d in definitions for m in missing_messages(d))]
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)
    for error in errors:
        click.echo(error, err=True)
    if errors:
        sys.exit(1)
    for d in definitions:
        click.echo(f"ok  {d.source}: {d.id} edition {d.edition}, version {d.version}")


def _check_files(
    files: tuple[Path, ...], edition: int | None
) -> tuple[list[Definition], list[str], list[str]]:
    definitions, errors, warnings = [], [], []
    for path in files:
        try:
            definitions.append(_load(path, edition, warnings))
        except DefinitionError as exc:
            errors.extend(exc.errors)
    return definitions, errors + _duplicates(definitions), warnings


def _load(path: Path, edition: int | None, warnings: list[str]) -> Definition:
    if path.suffix.lower() != ".xlsx":
        return load_file(path)
    from surveyapp.questionnaire.xlsform import read_xlsform

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DefinitionError([f"{path.name}: cannot read: {exc}"]) from None
    imported = read_xlsform(data, path.name, edition)
    warnings.extend(imported.warnings)
    return imported.definition


def _duplicates(definitions: list[Definition]) -> list[str]:
    origin: dict[tuple[str, int], str] = {}
    errors = []
    for d in definitions:
        key = (d.id, d.edition)
        if key in origin:
            errors.append(f"{d.source}: id: {d.id!r} edition {d.edition} "
                          f"is already defined in {origin[key]}")  # fmt: skip
        origin.setdefault(key, d.source)
    return errors


@click.command("export-definition")
@click.argument("survey_id")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="yaml", show_default=True)
@click.option("--edition", type=int, help="This edition (default: the newest).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write (default: standard output).")  # fmt: skip
def export_definition_command(
    survey_id: str, fmt: str, edition: int | None, output: Path | None
) -> None:
    """Write a questionnaire's definition as its YAML text or as an XLSForm (.xlsx)."""
    known = catalog()
    definition = known.latest(survey_id) if edition is None else known.edition(survey_id, edition)
    if definition is None:
        which = "" if edition is None else f" edition {edition}"
        raise click.ClickException(f"No questionnaire {survey_id!r}{which}.")
    data = definition.text.encode("utf-8") if fmt == "yaml" else _xlsform(definition)
    if output is None and fmt == "xlsform" and sys.stdout.isatty():
        raise click.ClickException("An XLSForm is binary: give -o FILE or redirect the output.")
    try:
        with click.open_file(str(output or "-"), "wb") as handle:
            handle.write(data)
    except OSError as exc:
        raise click.ClickException(f"Cannot write {output}: {exc.strerror}") from None
    if output is not None:
        click.echo(f"Wrote {output}", err=True)


def _xlsform(definition: Definition) -> bytes:
    from surveyapp.questionnaire.xlsform import ExportError, definition_to_xlsform

    try:
        return definition_to_xlsform(definition)
    except ExportError as exc:
        raise click.ClickException(str(exc)) from None


COMMANDS = [check_definitions_command, export_definition_command]
