"""Turning a source (YAML text or an XLSForm workbook) into a definition to publish.
Pure: the store records what this returns (surveyapp.store.definitions)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from surveyapp.questionnaire.loader import DefinitionError, parse_definition
from surveyapp.questionnaire.model import Definition

SOURCE_SUFFIXES = (".yaml", ".xlsx")


@dataclass(frozen=True)
class Source:
    """What a file or upload holds: the YAML text stored as the version, its definition,
    and warnings (an XLSForm's columns that were ignored...)."""

    text: str
    definition: Definition
    warnings: list[str] = field(default_factory=list)


def parse(text: str, source: str) -> Definition:
    """Parse one definition's YAML text; DefinitionError lists every problem."""
    return parse_definition(text, source)


def read_source(data: bytes, filename: str, edition: int | None = None) -> Source:
    """A YAML or XLSForm (.xlsx) file's definition; `edition` is for an XLSForm whose
    settings version is not a year. DefinitionError lists every problem."""
    if filename.lower().endswith(".xlsx"):
        from surveyapp.questionnaire.xlsform import read_xlsform

        imported = read_xlsform(data, filename, edition)
        return Source(imported.text, imported.definition, list(imported.warnings))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DefinitionError([f"{filename}: not UTF-8 text: {exc.reason}"]) from None
    return Source(text, parse(text, filename))


def read_path(path: Path, edition: int | None = None) -> Source:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DefinitionError([f"{path.name}: cannot read: {exc.strerror}"]) from None
    return read_source(data, path.name, edition)


def source_files(*folders: Path) -> list[Path]:
    """Every definition file (YAML, XLSForm) of the folders, folder by folder, by name."""
    return [
        p
        for folder in folders
        if folder.is_dir()
        for p in sorted(folder.iterdir())
        if p.suffix.lower() in SOURCE_SUFFIXES and p.is_file() and not p.name.startswith((".", "~"))
    ]
