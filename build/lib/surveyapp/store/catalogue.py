"""The catalogue a process serves, built from the stored versions and rebuilt when the
catalogue generation moves (a publish, an edition opened or closed, in any process)."""

from __future__ import annotations

import logging
import threading

import sqlite_utils

from surveyapp.questionnaire.catalog import Catalog
from surveyapp.questionnaire.loader import DefinitionError
from surveyapp.questionnaire.model import Definition
from surveyapp.questionnaire.publishing import parse
from surveyapp.store import definitions

log = logging.getLogger(__name__)


class LiveCatalog:
    """One per process: `current(db)` costs one indexed SELECT unless the generation
    (or a restore) moved, then builds a new Catalog (threads keep reading the old one meanwhile).
    Parsed versions are kept, since a version's text never changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._generation: tuple[int, int] | None = None
        self._catalog = Catalog()
        self._parsed: dict[str, Definition | None] = {}

    def current(self, db: sqlite_utils.Database) -> Catalog:
        if definitions.catalogue_mark(db) != self._generation:
            self.refresh(db)
        return self._catalog

    def refresh(self, db: sqlite_utils.Database) -> Catalog:
        with self._lock:
            # Read the generation before the rows: the rows are then at least as new.
            seen = definitions.catalogue_mark(db)
            if seen != self._generation:
                self._catalog = self._build(db)
                self._generation = seen
        return self._catalog

    def _build(self, db: sqlite_utils.Database) -> Catalog:
        current, older = [], []
        for version, text, source, is_current in definitions.catalog_rows(db):
            definition = self._parse(version, text, source)
            if definition is not None:
                (current if is_current else older).append(definition)
        return Catalog(current, older)

    def _parse(self, version: str, text: str, source: str) -> Definition | None:
        if version not in self._parsed:
            try:
                self._parsed[version] = parse(text, source)
            except DefinitionError as exc:  # stored under an older, more lenient loader
                log.warning("stored version %s no longer parses: %s", version, exc)
                self._parsed[version] = None
        return self._parsed[version]
