"""Admin commands: `verify-tallies` and `export`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from surveyapp.cli import catalog, open_store
from surveyapp.exchange import export
from surveyapp.figures import tallies, weighted_views
from surveyapp.store import audit, counts
from surveyapp.store.filters import FilterError, parse_filters


@click.command("verify-tallies")
def verify_tallies_command() -> None:
    """Recompute every counter from the stored responses; exit 1 on any difference."""
    problems = tallies.verify_tallies(open_store(), catalog())
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        click.echo(f"{len(problems)} counter(s) differ from the stored responses.", err=True)
        sys.exit(1)
    click.echo("Every counter matches the stored responses.")


@click.command("export")
@click.argument("survey_id")
@click.option("--format", "fmt", type=click.Choice(sorted(export.STREAMS)), default="csv",
              show_default=True)  # fmt: skip
@click.option(
    "--labels",
    is_flag=True,
    help="Write option labels instead of codes (sav and dta always hold both).",
)
@click.option("--codebook", is_flag=True, help="Write the codebook (CSV) instead of responses.")
@click.option("--edition", help="Only this edition.")
@click.option("--since", help="Submitted at or after this date/time (UTC).")
@click.option("--until", help="Submitted before this date/time (UTC).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write (default: standard output).")  # fmt: skip
def export_command(
    survey_id: str, fmt: str, labels: bool, codebook: bool, edition: str | None,
    since: str | None, until: str | None, output: Path | None,
) -> None:  # fmt: skip
    """Export every response of a questionnaire as CSV, JSON Lines, XLSX, SPSS (sav) or
    Stata (dta)."""
    editions = catalog().get(survey_id)
    if not editions:
        raise click.ClickException(f"No questionnaire {survey_id!r}.")
    try:
        filters = parse_filters(edition, since, until)
    except FilterError as exc:
        raise click.ClickException(str(exc)) from None
    if filters.edition is not None and filters.edition not in editions:
        raise click.ClickException(f"No edition {filters.edition} of {survey_id!r}.")
    db = open_store()
    rows = None if codebook else counts.response_count(db, survey_id, filters)
    audit.record_or_log(db, audit.cli_actor(), "export", survey=survey_id,
                        format="codebook" if codebook else fmt, filter=filters.query_args(),
                        rows=rows, labels=labels, output=str(output or "-"))  # fmt: skip
    weights = weighted_views.weigher(db, editions, filters)
    if codebook:
        chunks = export.codebook_csv(editions, filters, weights)
    else:
        chunks = export.STREAMS[fmt](db, survey_id, editions, filters, labels, weights)
    binary = fmt in export.BINARY and not codebook
    if output is None and binary and sys.stdout.isatty():
        raise click.ClickException(f"{fmt.upper()} is binary: give -o FILE or redirect the output.")
    with click.open_file(str(output or "-"), "wb") as handle:
        for chunk in chunks:
            handle.write(chunk if binary else chunk.encode("utf-8"))
    if output is not None:
        click.echo(f"Wrote {output}", err=True)


@click.command("verify-audit")
def verify_audit_command() -> None:
    """Re-walk the audit log's hash chain; exit 1 when any entry was changed or removed."""
    db = open_store()
    problems = audit.verify(db)
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        click.echo(f"The audit log is broken: {len(problems)} problem(s).", err=True)
        sys.exit(1)
    click.echo(f"The audit log's {audit.count(db)} entries chain correctly.")


COMMANDS = [verify_tallies_command, export_command, verify_audit_command]
