"""Shares per edition for every matrix item and choice option: the trends.json contract.

    {"survey": "cmo", "editions": [2010, 2011, 2012],
     "questions": {"problems": {"items": {"timeframes": {
         "2011": {"n": 50, "top_box": 52.0, "top2_box": 92.0, "top2_ci95": [81.2, 96.8]},
         "2012": {..., "change_top2": {"points": -5.9, "p": 0.45, "significant": false}}}}}}}

A matrix item's top box is the first scale code, its top-2 box the first two; answers on
a point marked `na` (not applicable) are left out of n and counted apart as "na". A choice
option's top box and top-2 box are both the share of respondents picking it. An item
that an edition's definition lacks is a gap (None), never zero. A cell with n below
`min_n` is suppressed: {"n": 3, "suppressed": true} and no shares. The change is taken
from the previous edition that has the item. Unfiltered counts are the `counters` rows
of the questionnaire (what verify-tallies checks against a recount), so their cost does
not grow with the number of responses; with a segment filter ({profile field: code or
[codes]}) every figure is counted again from the `answers` table of the matching
respondents.

An item whose question's or own wording, or whose scale, differs from the previous
edition that asked the question is not silently joined: its question gains
`"breaks": {item: [{"edition": 2012, "what": "wording changed", "detail": "..."}]}`.
"""

from __future__ import annotations

from typing import Any

import sqlite_utils

from surveyapp.figures import stats
from surveyapp.figures.tallies import MIN_N
from surveyapp.questionnaire import diff
from surveyapp.questionnaire.catalog import Catalog
from surveyapp.questionnaire.marks import NOT_SHOWN, SCREENED_OUT
from surveyapp.questionnaire.model import Definition, Question
from surveyapp.questionnaire.types import REGISTRY, Series
from surveyapp.store import counts as store_counts
from surveyapp.store import daycounts
from surveyapp.store.counts import Segment
from surveyapp.store.filters import NO_FILTERS


def series_of(question: Question) -> list[Series]:
    return REGISTRY[question.type].series(question)


Split = tuple[dict[int, int], dict[tuple[int, str], int], dict[tuple[int, str, str], int]]


def counts(db: sqlite_utils.Database, survey: str, segment: Segment | None = None) -> Split:
    """(respondents per edition, respondents answering per (edition, field),
    picks per (edition, field, code)), for the responses in the segment: from the
    counters without one (respondents ("*", "*"), answered (field, "*"), picks
    (field, code)), else recounted from the answers."""
    if not segment:
        return split(store_counts.survey_counters(db, survey))
    found = daycounts.range_counts(db, survey, NO_FILTERS, segment)
    return split({edition: by_field for (_survey, edition), by_field in found.items()})


def recount(db: sqlite_utils.Database, survey: str, segment: Segment | None = None) -> Split:
    """What `counts` gives, always counted from the `answers` table."""
    found = store_counts.answer_counts(db, survey, segment=segment)
    return split({edition: by_field for (_survey, edition), by_field in found.items()})


def split(found: dict[int, store_counts.Counts]) -> Split:
    """Counts per edition as trends() takes them: respondents, answered, picks."""
    respondents: dict[int, int] = {}
    answered: dict[tuple[int, str], int] = {}
    picks: dict[tuple[int, str, str], int] = {}
    for edition, by_field in found.items():
        respondents[edition] = by_field.get(("*", "*"), 0) - by_field.get(("*", SCREENED_OUT), 0)
        for (field, value), n in by_field.items():
            if field == "*":
                continue
            if value == "*":
                answered[edition, field] = n
            else:
                picks[edition, field, value] = n
    return respondents, answered, picks


def check_segment(definitions: list[Definition], segment: Segment) -> None:
    fields = {s.field for d in definitions for q in d.questions() for s in series_of(q)}
    unknown = sorted(set(segment) - fields)
    if unknown:
        raise ValueError(f"cannot filter on {', '.join(unknown)}: not a choice field")


def trends(
    db: sqlite_utils.Database,
    catalog: Catalog,
    survey: str,
    segment: Segment | None = None,
    min_n: int = MIN_N,
    counted: tuple[dict, dict, dict] | None = None,
) -> dict[str, Any]:
    """The trends.json document of one questionnaire (see the module docstring); `counted`
    replaces what `counts` would give (e.g. a viewer's released responses)."""
    counted_ = counted or counts(db, survey, segment)
    respondents = counted_[0]
    editions = sorted(set(catalog[survey]) | set(respondents))
    definitions = {e: catalog.for_edition(survey, e) for e in editions}
    check_segment(list(definitions.values()), segment or {})
    present = {
        e: {(s.question, s.item) for q in d.questions() for s in series_of(q)}
        for e, d in definitions.items()
    }
    questions: dict[str, Any] = {}
    for (question, item), s in _ordered(definitions).items():
        asked = [e for e in editions if (question, item) in present[e]]
        cells = dict.fromkeys(map(str, editions)) | _series_cells(s, asked, counted_, min_n)
        questions.setdefault(question, {"items": {}})["items"][item] = cells
    for question, found in breaks(definitions).items():
        if question in questions:
            questions[question]["breaks"] = found
    result: dict[str, Any] = {"survey": survey, "editions": editions, "questions": questions}
    result["respondents"] = {str(e): respondents.get(e, 0) for e in editions}
    if segment:
        result["segment"] = {f: [c] if isinstance(c, str) else list(c) for f, c in segment.items()}
    return result


def _series_cells(s: Series, editions: list[int], found: Split, min_n: int) -> dict[str, Any]:
    """One trend line's cell per edition that asked it: n, shares, interval, change from
    the previous of them, and its base (those shown it, those not shown it); answers coded
    not applicable are left out of n and counted apart as "na"."""
    respondents, answered, picks = found
    cells: dict[str, Any] = {}
    previous: tuple[int, int] | None = None
    for e in editions:
        na = sum(picks.get((e, s.field, c), 0) for c in s.excluded)
        n = answered.get((e, s.field), 0) - na
        k1 = sum(picks.get((e, s.field, c), 0) for c in s.top)
        k2 = sum(picks.get((e, s.field, c), 0) for c in s.top2)
        cells[str(e)] = _cell(n, k1, k2, previous, min_n)
        if not cells[str(e)].get("suppressed"):
            hidden = picks.get((e, s.field, NOT_SHOWN), 0)
            cells[str(e)] |= {"shown": respondents.get(e, 0) - hidden, "not_shown": hidden}
            if s.excluded:
                cells[str(e)]["na"] = na
        previous = (k2, n)
    return cells


def _ordered(definitions: dict[int, Definition]) -> dict[tuple[str, str], Series]:
    """Every (question, item) of any edition, in the newest edition's order first."""
    ordered: dict[tuple[str, str], Series] = {}
    for edition in sorted(definitions, reverse=True):
        for q in definitions[edition].questions():
            for s in series_of(q):
                ordered.setdefault((s.question, s.item), s)
    return ordered


BREAKS = (diff.WORDING, diff.SCALE, "type changed")


def breaks(definitions: dict[int, Definition]) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """{question: {item: [{"edition", "what", "detail"}]}}: where an item's question text,
    own label or scale changed from the previous edition that asked the question."""
    found: dict[str, dict[str, list[dict[str, Any]]]] = {}
    asked: dict[str, Question] = {}
    for edition in sorted(definitions):
        for question in definitions[edition].questions():
            before = asked.get(question.id)
            asked[question.id] = question
            if before is None or before == question:
                continue
            items = [s.item for s in series_of(question)]
            for change in diff.question_changes(before, question):
                if change.what not in BREAKS:
                    continue
                mark = {"edition": edition, "what": change.what, "detail": change.detail}
                for item in _items_of(change.where, question.id, items):
                    found.setdefault(question.id, {}).setdefault(item, []).append(mark)
    return found


def _items_of(where: str, question: str, items: list[str]) -> list[str]:
    """The trend items a change applies to: all of the question's, or the one it names
    (`<question>-<item>` for a matrix item, `<question> option <code>` for an option)."""
    if where == question:
        return items
    named = where.removeprefix(f"{question}-").removeprefix(f"{question} option ")
    return [named] if named in items else []


def _cell(n: int, k1: int, k2: int, previous: tuple[int, int] | None, min_n: int) -> dict:
    if n < min_n:
        return {"n": n, "suppressed": True}
    low, high = stats.wilson(k2, n) or (0.0, 0.0)
    cell: dict[str, Any] = {
        "n": n,
        "top_box": round(100 * k1 / n, 1),
        "top2_box": round(100 * k2 / n, 1),
        "top2_ci95": [round(100 * low, 1), round(100 * high, 1)],
    }
    if previous is not None and previous[1] >= min_n:
        comparison = stats.compare(previous[0], previous[1], k2, n)
        if comparison is not None:
            cell["change_top2"] = comparison.as_json() | {"wording": comparison.wording}
    return cell


def format_table(document: dict[str, Any]) -> str:
    """A plain-text table of a trends document, one line per item and edition."""
    lines = [f"{'item':<36} {'edition':>7} {'n':>4} {'top':>6} {'top2':>6} "
             f"{'95% CI':>13}  change"]  # fmt: skip
    for question, body in document["questions"].items():
        for item, cells in body["items"].items():
            for edition, cell in cells.items():
                name = f"{question}-{item}" if question != item else question
                lines.append(f"{name[:36]:<36} {edition:>7} " + _cell_text(cell))
    return "\n".join(lines)


def _cell_text(cell: dict[str, Any] | None) -> str:
    if cell is None:
        return f"{'-':>4} {'(gap: not asked)':>27}"
    if cell.get("suppressed"):
        return f"{cell['n']:>4} {'n < 5':>27}"
    low, high = cell["top2_ci95"]
    change = cell.get("change_top2", {}).get("wording", "")
    if "na" in cell:
        change = f"{change}  N/A: {cell['na']}".strip()
    return (
        f"{cell['n']:>4} {cell['top_box']:>6.1f} {cell['top2_box']:>6.1f} "
        f"{f'{low:.1f}–{high:.1f}':>13}  {change}"
    )
