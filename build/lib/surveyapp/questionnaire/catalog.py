"""The catalogue: every loaded definition, by questionnaire id and edition.

It is the one object the rest of the code asks which questionnaires exist, which
editions they have, which definition is the newest, and which definition a stored
version refers to. It reads like a mapping {id: {edition: Definition}}: each edition's
current definition. Older versions of an edition stay reachable by version only, so a
respondent who started on one finishes on it and stored answers keep their wording.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace

from surveyapp.questionnaire.model import Definition


class Catalog(Mapping[str, Mapping[int, Definition]]):
    """Definitions by questionnaire id, then edition. Immutable once built."""

    def __init__(self, definitions: Iterable[Definition] = (), older: Iterable[Definition] = ()):
        """`definitions`: the current one of each edition (a later one of the same edition
        replaces an earlier); `older`: versions no longer current, found by version only."""
        by_id: dict[str, dict[int, Definition]] = {}
        for definition in definitions:
            by_id.setdefault(definition.id, {})[definition.edition] = definition
        self._by_id = by_id
        self._by_version = {d.version: d for d in older} | {
            d.version: d for d in self.definitions()
        }

    def __getitem__(self, survey: str) -> Mapping[int, Definition]:
        return self._by_id[survey]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_id)

    def __len__(self) -> int:
        return len(self._by_id)

    def editions(self, survey: str) -> Mapping[int, Definition]:
        """{edition: definition} of a questionnaire; empty when it is unknown."""
        return self._by_id.get(survey, {})

    def latest(self, survey: str) -> Definition | None:
        """The definition of a questionnaire's newest edition."""
        editions = self.editions(survey)
        return editions[max(editions)] if editions else None

    def edition(self, survey: str, edition: int) -> Definition | None:
        return self.editions(survey).get(edition)

    def for_edition(self, survey: str, edition: int) -> Definition | None:
        """The edition's own definition, else the newest one (for editions known only
        from imported responses)."""
        return self.edition(survey, edition) or self.latest(survey)

    def with_stored(self, survey: str, stored: Mapping[int, str]) -> dict[int, Definition]:
        """The questionnaire's editions plus each edition known only from stored responses
        (`stored`: {edition: version its rows answered}), as that version's definition (else
        the newest) carrying the edition's year; its `version` names what the rows answered."""
        editions = dict(self.editions(survey))
        for edition, version in stored.items():
            if edition not in editions:
                found = self.by_version(version) or self.latest(survey)
                if found is not None:
                    editions[edition] = replace(found, edition=edition)
        return dict(sorted(editions.items()))

    def is_orphan(self, definition: Definition) -> bool:
        """Whether the definition stands for an edition no definition file names."""
        return self.edition(definition.id, definition.edition) is None

    def by_version(self, version: str) -> Definition | None:
        """Any version this catalogue holds, current or older."""
        return self._by_version.get(version)

    def is_current(self, definition: Definition) -> bool:
        return self.edition(definition.id, definition.edition) is definition

    def definitions(self) -> Iterator[Definition]:
        for editions in self._by_id.values():
            yield from editions.values()
