"""Weighted figures where the unweighted ones are: a `weighted` entry beside each unweighted
one in the tallies and trends documents (with the document's `weighting` block saying what
the figures are weighted to), and each response's weight for the exports."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlite_utils

from surveyapp.figures import weighted
from surveyapp.figures.trends import series_of
from surveyapp.questionnaire.catalog import Catalog
from surveyapp.questionnaire.model import Definition
from surveyapp.questionnaire.types import REGISTRY
from surveyapp.store.filters import NO_FILTERS, Filters


def add_to_tallies(
    db: sqlite_utils.Database, definition: Definition, result: dict[str, Any],
    filters: Filters = NO_FILTERS, segment: dict | None = None,
) -> None:  # fmt: skip
    """Add `weighting` to a tallies document and `weighted` to each shown entry, when the
    edition has targets: {percent, n_eff, ci95 per option} for a choice question, {top_box,
    top2_box, n_eff, ci95 (of the top-2 box), percent} for a matrix item."""
    chosen = weighted.scheme(db, definition)
    if chosen is None:
        return
    found, result["weighting"] = weighted.weights(db, definition, chosen)
    if found is None:
        return
    cross = weighted.cross_counts(db, definition, chosen.fields, filters, segment or None,
                                  weighted.counted(definition))  # fmt: skip
    for q in definition.questions():
        entry = result["questions"].get(q.id)
        if entry is None:
            continue
        codes = [o.code for o in q.options]
        if REGISTRY[q.type].tally != "matrix":
            if not entry.get("suppressed"):
                entry["weighted"] = weighted.option_shares(cross, q.id, codes, found.cells)
            continue
        for s in series_of(q):
            item = entry["items"].get(s.item)
            if item and not item.get("suppressed"):
                shares = weighted.option_shares(cross, s.field, codes, found.cells)
                item["weighted"] = weighted.boxes(cross, s.field, s.top, s.top2, found.cells) | {
                    "percent": shares["percent"]
                }


def add_to_trends(
    db: sqlite_utils.Database, catalog: Catalog, survey: str, document: dict[str, Any],
    segment: dict | None = None,
) -> None:  # fmt: skip
    """Add `weighted` {top_box, top2_box, n_eff, ci95} to each shown cell of an edition with
    targets, and `weighting` {edition: block} to the trends document."""
    blocks = {}
    for edition in document["editions"]:
        definition = catalog.for_edition(survey, edition)
        chosen = weighted.scheme(db, definition) if definition else None
        if chosen is None:
            continue
        found, blocks[str(edition)] = weighted.weights(db, definition, chosen)
        if found is None:
            continue
        cross = weighted.cross_counts(db, definition, chosen.fields, NO_FILTERS, segment or None,
                                      weighted.counted(definition))  # fmt: skip
        for q in definition.questions():
            for s in series_of(q):
                cells = document["questions"].get(s.question, {}).get("items", {}).get(s.item)
                cell = (cells or {}).get(str(edition))
                if cell and not cell.get("suppressed"):
                    cell["weighted"] = weighted.boxes(cross, s.field, s.top, s.top2, found.cells)
    if blocks:
        document["weighting"] = blocks


@dataclass
class ExportWeights:
    """Each response's weight, by its edition and its answers to the weighting questions:
    what the exports' weight column holds (surveyapp.exchange.layout.Weigher)."""

    label: str
    editions: dict[int, tuple[tuple[str, ...], dict]] = field(default_factory=dict)

    def __call__(self, edition: int, answers: dict[str, Any]) -> float | None:
        found = self.editions.get(edition)
        if found is None:
            return None
        cell = tuple(answers.get(f) for f in found[0])
        return found[1].get(cell) if all(isinstance(v, str) for v in cell) else None


def weigher(
    db: sqlite_utils.Database, editions: dict[int, Definition], filters: Filters = NO_FILTERS
) -> ExportWeights | None:
    """The weights of the chosen editions that have targets; None when none has."""
    labels, chosen = [], {}
    for edition, definition in sorted(editions.items()):
        if filters.edition not in (None, edition):
            continue
        scheme = weighted.scheme(db, definition)
        if scheme is None:
            continue
        found, block = weighted.weights(db, definition, scheme)
        labels.append(f"{edition}: {block['label']}" if found else f"{edition}: not weighted")
        if found is not None:
            chosen[edition] = (scheme.fields, found.cells)
    if not labels:
        return None
    return ExportWeights(f"Respondent weight, mean 1 ({'; '.join(labels)})", chosen)
