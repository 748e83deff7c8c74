"""Figures for a role that may not read raw responses (a viewer): whole editions only,
each resting on its released responses (surveyapp.store.released), cells under MIN_N
suppressed. Without time or segment filters every view a viewer can get is a sum over
whole released blocks of MIN_N responses, so no difference of views (two reads a day
apart, two editions, a page before and after a response arrives) isolates fewer than
MIN_N respondents. The dashboard gives released totals and the day of the newest
released response, never a last-24-hours count or an exact time.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import sqlite_utils

from surveyapp import store
from surveyapp.figures import tallies, trends
from surveyapp.questionnaire.answers import counted_fields
from surveyapp.questionnaire.catalog import Catalog
from surveyapp.questionnaire.model import Definition
from surveyapp.store import counts as store_counts
from surveyapp.store import released as store_released
from surveyapp.store.released import Released

BLOCK = tallies.MIN_N

_releases: dict[tuple, Released] = {}
_counts: dict[tuple, tallies.Counts] = {}
_CACHE_SIZE = 1024


def release(db: sqlite_utils.Database, survey: str, edition: int) -> Released:
    """The edition's released set, worked out again only when the day or the edition's
    response count changes."""
    today = datetime.now(UTC).strftime("%Y-%m-%dT00:00:00.000000Z")
    total = store_released.edition_total(db, survey, edition)
    key = (store_released.database_key(db), survey, edition, today, total)
    found = _releases.get(key)
    if found is None:
        found = store_released.released(db, survey, edition, today, BLOCK)
        if len(_releases) >= _CACHE_SIZE:
            _releases.clear()
        _releases[key] = found
    return found


def counts(
    db: sqlite_utils.Database, survey: str, edition: int, counted: Iterable[str]
) -> tuple[tallies.Counts, Released]:
    """Counts as the counters hold them, for the released responses of one edition: the
    counters less the withheld responses, or the released ones counted when fewer."""
    chosen = release(db, survey, edition)
    if not chosen.count:
        return {}, chosen
    counted = list(counted)
    # A released set never changes (row ids only grow): its counts can be kept.
    key = (store_released.database_key(db), survey, edition, chosen.cut, chosen.count,
           tuple(counted))  # fmt: skip
    if key not in _counts:
        if len(_counts) >= _CACHE_SIZE:
            _counts.clear()
        _counts[key] = _released_counts(db, survey, edition, chosen, counted)
    return dict(_counts[key]), chosen


def _released_counts(
    db: sqlite_utils.Database, survey: str, edition: int, chosen: Released, counted: list[str]
) -> tallies.Counts:
    withheld = chosen.total - chosen.count
    deltas: Counter[tuple[str, str]] = Counter()
    for text in store_released.answers(db, survey, edition, chosen, withheld <= chosen.count):
        deltas.update(store.counter_deltas(json.loads(text), counted))
    if withheld > chosen.count:
        return dict(deltas)
    result = Counter(store_released.counters(db, survey, edition))
    result.subtract(deltas)
    return {key: n for key, n in result.items() if n}


def edition_tallies(db: sqlite_utils.Database, definition: Definition) -> dict[str, Any]:
    """The tallies JSON contract for a viewer: the released responses of the edition."""
    found, chosen = counts(db, definition.id, definition.edition, counted_fields(definition))
    result = tallies.shaped(definition, found, chosen.day, tallies.MIN_N)
    result["released"] = {"block": BLOCK, "through": chosen.day}
    return result


def dashboard(db: sqlite_utils.Database, catalog: Catalog) -> dict[str, dict[str, Any]]:
    """Per questionnaire: released responses over every edition and the newest day."""
    figures = {}
    for survey in catalog:
        chosen = [release(db, survey, e) for e in _editions(db, catalog, survey)]
        days = [c.day for c in chosen if c.day]
        figures[survey] = {"responses": sum(c.count for c in chosen), "last_24h": None,
                           "latest": max(days) if days else None}  # fmt: skip
    return figures


def edition_counts(db: sqlite_utils.Database, catalog: Catalog, survey: str) -> dict[int, int]:
    return {e: release(db, survey, e).count for e in _editions(db, catalog, survey)}


def trend_counts(db: sqlite_utils.Database, catalog: Catalog, survey: str) -> trends.Split:
    """What trends.counts gives, for the released responses of every edition."""
    found = {}
    for edition in _editions(db, catalog, survey):
        definition = catalog.for_edition(survey, edition)
        found[edition], _chosen = counts(db, survey, edition, counted_fields(definition))
    return trends.split(found)


def mark(db: sqlite_utils.Database, catalog: Catalog, surveys: Iterable[str]) -> str:
    """What a viewer's figures of these questionnaires depend on: their released sets."""
    parts = []
    for survey in surveys:
        for edition in _editions(db, catalog, survey):
            chosen = release(db, survey, edition)
            parts.append(f"{survey}:{edition}:{chosen.cut}:{chosen.count}")
    return "|".join(parts)


def _editions(db: sqlite_utils.Database, catalog: Catalog, survey: str) -> list[int]:
    return sorted(set(catalog.get(survey, {})) | set(store_counts.edition_responses(db, survey)))
