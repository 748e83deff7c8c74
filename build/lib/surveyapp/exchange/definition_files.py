"""Definition files become published versions: the shipped `surveyapp/surveys/` and the
instance's `surveys/` folder (YAML and XLSForm) are read at start-up, and a file whose
text was never stored is published. Nothing stored is overwritten or removed.

Folders are read in order and a later folder overrides an earlier one: a file in
`instance/surveys/` with the id and edition of a shipped file replaces it, and only the
winning file of each (id, edition) is published. Two files with one id and edition in
the same folder, a broken file, or a file that would change the wording of an edition
with responses are reported (file and key path) and skipped; the rest is served.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from surveyapp.questionnaire.loader import DefinitionError
from surveyapp.questionnaire.model import Definition
from surveyapp.questionnaire.publishing import read_path, source_files
from surveyapp.store import definitions

FILE_ACTOR = definitions.FILE_ACTOR


@dataclass
class FileScan:
    """The winning definition of each (id, edition), and every problem found."""

    chosen: dict[tuple[str, int], Definition] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class FileImport:
    published: list[definitions.PublishResult] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def scan(folders: Iterable[Path]) -> FileScan:
    """Read every definition file of the folders; a later folder overrides an earlier one."""
    found = FileScan()
    for folder in folders:
        origin: dict[tuple[str, int], str] = {}
        for path in source_files(folder):
            try:
                source = read_path(path)
            except DefinitionError as exc:
                found.problems.extend(exc.errors)
                continue
            found.warnings.extend(source.warnings)
            definition = source.definition
            key = (definition.id, definition.edition)
            if key in origin:
                found.problems.append(
                    f"{path.name}: id: {definition.id!r} edition {definition.edition} "
                    f"is already defined in {origin[key]} (same folder): skipped"
                )
                continue
            origin[key] = path.name
            found.chosen[key] = definition
    return found


def import_files(db: sqlite_utils.Database, folders: Iterable[Path]) -> FileImport:
    """Publish each winning file whose version was never stored; report the problems."""
    found = scan(folders)
    result = FileImport(problems=list(found.problems))
    for definition in found.chosen.values():
        if definitions.is_known(db, definition.version):
            continue
        try:
            published = definitions.publish_definition(db, definition, FILE_ACTOR, audited=False)
        except definitions.BreakingChange as exc:
            changes = "; ".join(c.description for c in exc.changes)
            result.problems.append(
                f"{definition.source}: {definition.id} {definition.edition} has responses and"
                f" this file changes what they mean ({changes}): not served; publish it with"
                f" `publish {definition.source} --confirm` to serve it"
            )
            continue
        result.published.append(published)
    return result
