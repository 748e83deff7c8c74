"""The results page's figure of each question, drawn as its type's registry entry says
(`chart`): bars for choices, a Likert chart for rating scales, a histogram for numbers,
a list for free texts. Counts come from the tallies (choices) or from the store (numbers
and texts, within a `Scope`); nothing here knows a type by name."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from surveyapp.figures import charts_results, distribution, likert
from surveyapp.figures.drawing import MUTED, Drawing
from surveyapp.questionnaire.model import Definition, Question
from surveyapp.questionnaire.types import REGISTRY

TEXTS_SHOWN = 5  # the newest text answers shown beside their question

Pairs = Callable[[str], list[tuple[str, int]]]  # a field's (stored value, count) pairs
Texts = Callable[[str, int], tuple[int, list[str]]]  # (matches, newest `limit` texts)


def charted(definition: Definition) -> list[Question]:
    """The questions the results page draws, in definition order."""
    return [q for q in definition.questions() if REGISTRY[q.type].chart]


def too_few(name: str, min_n: int) -> dict[str, Any]:
    """What a chart file says when its figures are suppressed or nobody answered."""
    words = f"Too few answers to show (n < {max(min_n, 1)})"
    drawing = Drawing(charts_results.WIDTH, 40, name, words)
    drawing.text(0, 24, words, fill=MUTED)
    return drawing.as_dict()


def _options(q: Question) -> list[tuple[str, str]]:
    return [(o.code, o.label) for o in q.options if not o.na]


def figure(
    q: Question, tallied: dict[str, Any], pairs: Pairs, texts: Texts | None, min_n: int
) -> dict[str, Any]:
    """{kind, chart (shapes, or None when suppressed), what the data table shows}.
    `texts` is None for an account that may not read free text."""
    kind = REGISTRY[q.type].chart
    entry = tallied["questions"].get(q.id, {})
    if kind == "bars":
        return _bars(q, entry)
    if kind == "likert":
        return _likert(q, entry)
    if kind == "histogram":
        return _histogram(q, pairs(q.id), min_n)
    if texts is None:
        return {"kind": kind, "chart": None, "withheld": True}
    total, newest = texts(q.id, TEXTS_SHOWN)
    return {"kind": kind, "chart": None, "total": total, "newest": newest}


def _bars(q: Question, entry: dict[str, Any]) -> dict[str, Any]:
    options = _options(q)
    if not entry or entry.get("suppressed") or not entry.get("n"):
        return {"kind": "bars", "chart": None, "n": entry.get("n", 0), "options": options}
    several = REGISTRY[q.type].layout == "shares"
    chart = charts_results.choice_bars(q.text, options, entry, several)
    return {"kind": "bars", "chart": chart, "entry": entry, "options": options,
            "several": several}  # fmt: skip


def _likert(q: Question, entry: dict[str, Any]) -> dict[str, Any]:
    scale = _options(q)
    items = [(i.code, i.label, entry["items"][i.code]) for i in q.items]
    shown = any(not e.get("suppressed") and e["n"] for _, _, e in items)
    chart = likert.likert(q.text, scale, items) if shown else None
    return {"kind": "likert", "chart": chart, "scale": scale, "items": items}


def _histogram(q: Question, pairs: list[tuple[str, int]], min_n: int) -> dict[str, Any]:
    values = distribution.parsed(pairs)
    stats = distribution.summary(values)
    n = stats["n"] if stats else 0
    if stats is None or n < max(min_n, 1):
        return {"kind": "histogram", "chart": None, "n": n}
    bins = distribution.bins(values)
    chart = charts_results.histogram(q.text, bins, stats)
    return {"kind": "histogram", "chart": chart, "stats": stats, "bins": bins}
