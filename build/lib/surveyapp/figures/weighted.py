"""Weighted figures: the targets an admin set for an edition's profile questions
(surveyapp.store.weights), respondent weights raked to them over the whole edition
(surveyapp.figures.weighting), and weighted shares beside the unweighted ones.

Weights are per edition and computed on all its responses; a time or segment filter then
chooses whose answers are counted, each with the weight of the whole edition. A respondent
without an answer to a weighting question has no weight and is left out of weighted
figures (and has an empty weight in exports). Weighted figures are for accounts that may
read raw responses (admins): a viewer's figures rest on released blocks, and a weighted
figure beside an unweighted one could separate the answers of a block's cells.

Counts per weighting cell are kept per process and brought up to date from the rows stored
since (row ids only grow); a restore (a new maintenance generation) starts them again.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlite_utils

from surveyapp import store
from surveyapp.figures import weighting
from surveyapp.questionnaire.answers import counted_fields
from surveyapp.questionnaire.model import Definition
from surveyapp.questionnaire.types import REGISTRY
from surveyapp.store import maintenance
from surveyapp.store import released as store_released
from surveyapp.store import weights as store_weights
from surveyapp.store.filters import NO_FILTERS, Filters

Cross = dict[tuple[str, str], Counter]  # (field, code) -> {cell: respondents}
_cross: dict[tuple, tuple[int, Cross]] = {}
_raked: dict[tuple, weighting.Weights] = {}
_CACHE_SIZE = 256
_lock = threading.Lock()


@dataclass(frozen=True)
class Scheme:
    """What one edition is weighted to: profile questions and their target shares."""

    fields: tuple[str, ...]
    targets: tuple[dict[str, float], ...]

    @property
    def label(self) -> str:
        return "weighted to: " + ", ".join(f.replace("_", " ") for f in self.fields)

    @property
    def method(self) -> str:
        return "cell weighting" if len(self.fields) == 1 else "raking"


def profile_questions(definition: Definition) -> list:
    """The questions an edition can be weighted (or filtered) by: the first page's
    questions whose type allows it."""
    first = definition.pages[0].questions if definition.pages else ()
    return [q for q in first if REGISTRY[q.type].segment]


def scheme(db: sqlite_utils.Database, definition: Definition) -> Scheme | None:
    stored = store_weights.targets(db, definition.id, definition.edition)
    chosen = [q.id for q in profile_questions(definition) if q.id in stored]
    if not chosen:
        return None
    targets = tuple({c: float(Decimal(s)) for c, s in stored[f].items()} for f in chosen)
    return Scheme(tuple(chosen), targets)


def _matches(answers: dict[str, Any], segment: dict | None) -> bool:
    for field, codes in (segment or {}).items():
        if answers.get(field) not in ([codes] if isinstance(codes, str) else codes):
            return False
    return True


def _add(cross: Cross, rows, fields, segment, counted, last: int = 0) -> int:
    """Count the rows into `cross`; the last row id read (or `last` when none)."""
    for last, answers in rows:  # noqa: B007 - the last id is the result
        if not _matches(answers, segment):
            continue
        cell = tuple(answers.get(f) for f in fields)
        for key in store.counter_deltas(answers, counted):
            cross.setdefault(key, Counter())[cell] += 1
    return last


def cross_counts(
    db: sqlite_utils.Database, definition: Definition, fields: tuple[str, ...],
    filters: Filters = NO_FILTERS, segment: dict | None = None, counted: tuple = (),
) -> Cross:  # fmt: skip
    """{(field, code): {cell: respondents}} as counter_deltas counts them ("*", "*" for
    respondents), for the edition's responses in the time range and segment."""
    survey, edition = definition.id, definition.edition
    if filters.timed:
        cross: Cross = {}
        _add(cross, store_weights.rows_after(db, survey, edition, 0, filters), fields, segment,
             counted)  # fmt: skip
        return cross
    key = (store_released.database_key(db), maintenance.generation(db), survey, edition,
           fields, json.dumps(segment, sort_keys=True), counted)  # fmt: skip
    with _lock:  # two requests must not both add the same rows
        last, kept = _cross.get(key, (0, {}))
        cross = {k: Counter(v) for k, v in kept.items()}  # readers keep the one they got
        rows = store_weights.rows_after(db, survey, edition, last, NO_FILTERS)
        last = _add(cross, rows, fields, segment, counted, last)
        if len(_cross) >= _CACHE_SIZE:
            _cross.clear()
        _cross[key] = (last, cross)
    return cross


def weights(
    db: sqlite_utils.Database, definition: Definition, chosen: Scheme
) -> tuple[weighting.Weights | None, dict[str, Any]]:
    """The edition's weights per cell (None when its targets cannot be met) and the
    `weighting` block the JSON documents carry."""
    base = cross_counts(db, definition, chosen.fields)
    people = base.get(("*", "*"), Counter())
    cells = {c: n for c, n in people.items() if all(isinstance(v, str) for v in c)}
    block: dict[str, Any] = {
        "label": chosen.label, "variables": list(chosen.fields), "method": chosen.method,
        "trim": list(weighting.TRIM), "weighted": sum(cells.values()),
        "not_weighted": sum(people.values()) - sum(cells.values()),
    }  # fmt: skip
    key = (chosen.fields, tuple(tuple(sorted(t.items())) for t in chosen.targets),
           tuple(sorted(cells.items())))  # fmt: skip
    try:
        found = _raked.get(key) or weighting.rake(cells, list(chosen.targets))
    except weighting.WeightingError as exc:
        return None, block | {"problem": f"not weighted: {exc}"}
    if len(_raked) >= _CACHE_SIZE:
        _raked.clear()
    _raked[key] = found
    pairs = [(n, found.cells[c]) for c, n in cells.items()]
    return found, block | {
        "n_eff": round(weighting.kish(pairs), 1), "trimmed": found.trimmed,
        "margin_error": found.margin_error, "problem": None,
    }  # fmt: skip


def _percent(share: float | None) -> float | None:
    return None if share is None else round(100 * share, 1)


def _ci(share: float, n_eff: float) -> list[float] | None:
    found = weighting.interval(share, n_eff)
    return [round(100 * found[0], 1), round(100 * found[1], 1)] if found else None


def shares(cross: Cross, field: str, codes: list[str], cells: dict) -> tuple[dict, float]:
    """({code: weighted share}, Kish n_eff) among the field's weighted respondents."""
    answered = cross.get((field, "*"), Counter())
    pairs = [(n, cells.get(c, 0.0)) for c, n in answered.items()]
    total = sum(n * w for n, w in pairs)
    if not total:
        return dict.fromkeys(codes), 0.0
    found = {}
    for code in codes:
        picked = cross.get((field, code), Counter())
        found[code] = sum(n * cells.get(c, 0.0) for c, n in picked.items()) / total
    return found, weighting.kish(pairs)


def boxes(cross: Cross, field: str, top: frozenset, top2: frozenset, cells: dict) -> dict:
    """{top_box, top2_box, n_eff, ci95}: weighted shares in percent, the interval of the
    top-2 box taking n_eff as its sample size."""
    share, n_eff = shares(cross, field, sorted(top | top2), cells)
    if not n_eff:
        return {"top_box": None, "top2_box": None, "n_eff": 0.0, "ci95": None}
    k1, k2 = sum(share[c] for c in top), sum(share[c] for c in top2)
    return {"top_box": _percent(k1), "top2_box": _percent(k2), "n_eff": round(n_eff, 1),
            "ci95": _ci(k2, n_eff)}  # fmt: skip


def option_shares(cross: Cross, field: str, codes: list[str], cells: dict) -> dict:
    """{percent, n_eff, ci95}: per option, the weighted share and its interval."""
    share, n_eff = shares(cross, field, codes, cells)
    return {
        "percent": {c: _percent(s) for c, s in share.items()},
        "n_eff": round(n_eff, 1),
        "ci95": {c: None if s is None else _ci(s, n_eff) for c, s in share.items()},
    }


def counted(definition: Definition) -> tuple[str, ...]:
    return tuple(counted_fields(definition))
