"""Tallies of choice answers, read from the per-option counters, and their verification.

The unfiltered tallies read only the `counters` rows of one questionnaire edition,
so their cost does not grow with the number of responses. A submitted-time range
cannot be answered from counters; its responses are counted one by one instead.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from fractions import Fraction
from typing import Any

import sqlite_utils

from surveyapp.figures.ranks import percent, ranked_figures
from surveyapp.questionnaire.answers import counted_fields
from surveyapp.questionnaire.catalog import Catalog
from surveyapp.questionnaire.marks import NOT_SHOWN, SCREENED_OUT
from surveyapp.questionnaire.model import Definition, Question
from surveyapp.questionnaire.types import REGISTRY
from surveyapp.store import counts, daycounts, timestamps
from surveyapp.store.counts import Counts, Segment
from surveyapp.store.filters import NO_FILTERS, Filters

MIN_N = 5  # a filtered cell resting on fewer respondents is suppressed


def completed(found: Counts) -> int:
    """Responses that completed the questionnaire: the screened-out ones are counted apart."""
    return found.get(("*", "*"), 0) - found.get(("*", SCREENED_OUT), 0)


def _item(
    codes: list[str], found: Counts, field: str, boxes: bool, min_n: int, na: tuple[str, ...] = ()
) -> dict[str, Any]:
    """One field's figures. A share's base `n` is those shown the field who answered it,
    answers coded `na` (not applicable) left out of n and of every share and counted apart
    as "na"; `shown` and `not_shown` split the completed responses, screened-out ones
    excluded."""
    apart = sum(found.get((field, code), 0) for code in na)
    n = found.get((field, "*"), 0) - apart
    if n < min_n:
        return {"n": n, "suppressed": True}
    picked = {code: found.get((field, code), 0) for code in codes}
    hidden = found.get((field, NOT_SHOWN), 0)
    entry: dict[str, Any] = {
        "n": n,
        "shown": completed(found) - hidden,
        "answered": n,
        "not_shown": hidden,
        "counts": picked,
        "percent": {code: percent(c, n) for code, c in picked.items()},
    }
    if na:
        entry["na"] = apart
    if boxes:
        entry["top_box"] = percent(picked[codes[0]], n) if codes else None
        entry["top2_box"] = percent(sum(picked[c] for c in codes[:2]), n) if codes else None
    return entry


def edition_counts(
    db: sqlite_utils.Database, survey: str, filters: Filters, segment: Segment | None,
    counted: list[str],
) -> Counts:  # fmt: skip
    """Counts as the counters hold them for the edition `filters` names, its time range and
    segment: the counters, else summed from kept days and counted again where not kept
    (`counted`: the fields the edition tallies, all the counters hold). A range open at
    its end is the counters less what came before it, so today is never counted again."""
    if not segment and not filters.timed:
        return counts.counter_rows(db, survey, filters.edition)  # type: ignore[arg-type]
    if not segment and filters.until is None:
        before = Filters(filters.edition, None, filters.since)
        own = Counter(counts.counter_rows(db, survey, filters.edition))  # type: ignore[arg-type]
        own.subtract(_own(daycounts.range_counts(db, survey, before), survey, filters.edition))
    else:
        own = Counter(_own(daycounts.range_counts(db, survey, filters, segment), survey,
                           filters.edition))  # fmt: skip
        if segment:
            return dict(own) or {("*", "*"): 0}
    fields = set(counted)
    return {(f, v): n for (f, v), n in own.items() if n and (f == "*" or f in fields)}


def _own(found: dict[tuple[str, int], Counts], survey: str, edition: int | None) -> Counts:
    return found.get((survey, edition), {})  # type: ignore[arg-type]


def tallies(
    db: sqlite_utils.Database,
    definition: Definition,
    filters: Filters = NO_FILTERS,
    segment: Segment | None = None,
    min_n: int | None = None,
    found: Counts | None = None,
) -> dict[str, Any]:
    """The tallies JSON contract for one edition: keys in definition order. With a segment
    (profile answers), counts come from `answers`. Cells of n < min_n are suppressed
    (default: 5 with a segment, none without). `found` replaces what `edition_counts`
    would give (e.g. counted in another process)."""
    filters = Filters(definition.edition, filters.since, filters.until)
    if min_n is None:
        min_n = MIN_N if segment else 0
    if found is None:
        found = edition_counts(db, definition.id, filters, segment, counted_fields(definition))
    return shaped(definition, found, counts.latest(db, definition.id, filters), min_n, segment)


def shaped(
    definition: Definition, found: Counts, newest: str | None, min_n: int,
    segment: Segment | None = None,
) -> dict[str, Any]:  # fmt: skip
    """The tallies JSON contract from counts as the counters hold them."""
    questions = {
        q.id: _question(q, found, min_n)
        for q in definition.questions()
        if REGISTRY[q.type].tallied(q)
    }
    result = {
        "survey": definition.id,
        "edition": definition.edition,
        "responses": completed(found),
        "screened_out": found.get(("*", SCREENED_OUT), 0),
        "latest": newest,
        "questions": questions,
    }
    if segment:
        result["segment"] = {f: [c] if isinstance(c, str) else list(c) for f, c in segment.items()}
    return result


def _question(q: Question, found: Counts, min_n: int) -> dict[str, Any]:
    qtype = REGISTRY[q.type]
    tallied = qtype.tallied(q)
    codes = [o.code for o in q.options if not o.na]
    na = tuple(o.code for o in q.options if o.na)
    if qtype.tally == "ranks":
        return {"type": q.type, **ranked_figures(q, tallied, found, min_n, completed(found))}
    if qtype.tally == "matrix":
        items = {
            item.code: _item(codes, found, field, qtype.boxes, min_n, na)
            for item, (field, _options) in zip(q.items, tallied, strict=True)
        }
        return {"type": q.type, "scale": codes, "items": items}
    return {"type": q.type, **_item(codes, found, q.id, qtype.boxes, min_n)}


def _competition_ranks(values: list[Fraction]) -> list[int]:
    """1-based ranks, highest value first; ties share the best rank (1, 2, 2, 4)."""
    return [1 + sum(other > value for other in values) for value in values]


def rankings(definition: Definition, result: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Per matrix question, its items with top-box and top-2-box shares and the rank under
    both (ranked on exact shares; an item nobody rated ranks last). Definition order."""
    ranked: dict[str, list[dict[str, Any]]] = {}
    for q in definition.questions():
        if REGISTRY[q.type].tally != "matrix" or q.id not in result["questions"]:
            continue
        scale = result["questions"][q.id]["scale"]
        rows = []
        for item in q.items:
            entry = result["questions"][q.id]["items"][item.code]
            n = 0 if entry.get("suppressed") else entry["n"]  # a suppressed item ranks last
            top = entry["counts"][scale[0]] if scale and n else 0
            top2 = sum(entry["counts"][c] for c in scale[:2]) if n else 0
            rows.append({
                "item": item.code, "label": item.label, "n": entry["n"],
                "not_shown": entry.get("not_shown", 0),
                "top_box": entry.get("top_box"), "top2_box": entry.get("top2_box"),
                "suppressed": bool(entry.get("suppressed")),
                "_top": Fraction(top, n) if n else Fraction(-1),
                "_top2": Fraction(top2, n) if n else Fraction(-1),
            })  # fmt: skip
        for key, rank in (("_top", "rank_top"), ("_top2", "rank_top2")):
            for row, place in zip(rows, _competition_ranks([r[key] for r in rows]), strict=True):
                row[rank] = place
        for row in rows:
            del row["_top"], row["_top2"]
        ranked[q.id] = rows
    return ranked


def ordered(rows: list[dict[str, Any]], by: str) -> list[dict[str, Any]]:
    """Ranking rows sorted by 'top2' or 'top' rank (ties keep definition order)."""
    if by == "top2":
        return sorted(rows, key=lambda r: (r["rank_top2"], r["rank_top"]))
    if by == "top":
        return sorted(rows, key=lambda r: (r["rank_top"], r["rank_top2"]))
    return rows


def dashboard(db: sqlite_utils.Database, surveys: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Per questionnaire: total responses (counters), responses in the last 24 hours and the
    latest time (both on the (survey, submitted_at) index)."""
    day_ago = timestamps.ago(days=1)
    return {
        survey: {
            "responses": counts.total_responses(db, survey),
            "last_24h": counts.responses_since(db, survey, day_ago),
            "latest": counts.latest(db, survey),
        }
        for survey in surveys
    }


def verify_tallies(db: sqlite_utils.Database, catalog: Catalog) -> list[str]:
    """Recompute every counter, and every kept day's counts, from `responses` and
    `answers`; describe each difference.

    The counted fields of an edition are those its definition tallies plus any field
    that already has a counter (an older version may have tallied it)."""
    stored = counts.all_counters(db)
    counted = _counted_fields(catalog, stored)
    fresh = {
        key: {(f, v): n for (f, v), n in found.items() if f == "*" or f in counted.get(key, ())}
        for key, found in counts.answer_counts(db).items()
    }
    problems = []
    for key in sorted(set(stored) | set(fresh)):
        have, want = stored.get(key, {}), fresh.get(key, {})
        for field, value in sorted(set(have) | set(want)):
            if have.get((field, value), 0) != want.get((field, value), 0):
                problems.append(
                    f"{key[0]} edition {key[1]} {field}={value}: counter"
                    f" {have.get((field, value), 0)}, recomputed {want.get((field, value), 0)}"
                )
    return problems + daycounts.verify_day_counts(db)


def _counted_fields(
    catalog: Catalog, stored: dict[tuple[str, int], Counts]
) -> dict[tuple[str, int], set[str]]:
    counted: dict[tuple[str, int], set[str]] = {}
    for survey, editions in catalog.items():
        for edition, definition in editions.items():
            counted[survey, edition] = {
                name for q in definition.questions() for name, _ in REGISTRY[q.type].tallied(q)
            }
    for key, found in stored.items():
        counted.setdefault(key, set()).update(f for f, _ in found if f != "*")
    return counted
