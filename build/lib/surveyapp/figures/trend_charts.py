"""Geometry of the compact multi-item trend chart of the printed report: every item of one
matrix question in one SVG, a row per item, one marker per edition on a 0-100% top-2-box
scale, the current edition's 95% interval behind its marker.

Plain numbers for templates/admin/_report.html; no Flask. Colours and marker fills come
from classes in static/report.css (the CSP forbids inline style), sizes from attributes."""

from __future__ import annotations

import textwrap
from typing import Any

WIDTH = 640  # SVG units; the chart is scaled to the text width
LABEL_WIDTH = 270
PLOT_LEFT = 282
PLOT_RIGHT = 556
VALUE_X = 582  # the current edition's figure, right of the plot
LINE = 11  # one line of item text
WRAP = 50  # characters of item text on one line (DejaVu Sans Condensed at 10 units)
MAX_LINES = 3
PAD = 5
AXIS = 16  # room above the first row for the scale
TICKS = (0, 25, 50, 75, 100)
MARKERS = 6  # marker styles by edition age; older editions share the lightest


def x_of(share: float) -> float:
    return PLOT_LEFT + (PLOT_RIGHT - PLOT_LEFT) * share / 100


def _lines(name: str) -> list[str]:
    lines = textwrap.wrap(name, WRAP) or [""]
    if len(lines) > MAX_LINES:
        lines = lines[:MAX_LINES]
        lines[-1] = lines[-1][: WRAP - 1].rstrip() + "…"
    return lines


def marker_class(index: int, count: int) -> str:
    """The newest edition is "ed-last"; the ones before it get lighter with age."""
    age = count - 1 - index
    return "ed-last" if age == 0 else f"ed-{min(age, MARKERS - 1)}"


def _shown(cell: dict[str, Any] | None) -> bool:
    return cell is not None and not cell.get("suppressed") and cell.get("n", 0) > 0


def _status(cell: dict[str, Any] | None, edition: int) -> str:
    if cell is None:
        return f"not asked in {edition}"
    return "n < 5" if cell.get("n", 0) else "no answers"


def _row(item: dict[str, Any], editions: list[int], top: float) -> dict[str, Any]:
    """One item: its wrapped name, a marker per shown edition and the current figure."""
    lines = _lines(item["name"])
    height = len(lines) * LINE + PAD
    centre = top + height / 2
    marks, spoken = [], []
    for index, edition in enumerate(editions):
        cell = item["cells"].get(str(edition))
        if not _shown(cell):
            spoken.append(f"{edition} {_status(cell, edition)}")
            continue
        share = cell["top2_box"]
        marks.append({"x": x_of(share), "css": marker_class(index, len(editions)),
                      "title": f"{edition}: {share:.1f}% (n = {cell['n']})"})  # fmt: skip
        spoken.append(f"{edition} {share:.1f}%")
    current = item["cells"].get(str(editions[-1])) if editions else None
    value = f"{current['top2_box']:.0f}%" if _shown(current) else _status(current, editions[-1])
    row: dict[str, Any] = {
        "lines": lines, "top": top, "height": height, "y": centre,
        "text_y": centre - (len(lines) - 1) * LINE / 2 + 3.5,
        "marks": marks, "ci": None, "span": None,
        "value": value,
        "spoken": f"{item['name']}: " + ", ".join(spoken),
    }  # fmt: skip
    if _shown(current):
        low, high = current["top2_ci95"]
        row["ci"] = {"x1": x_of(low), "x2": x_of(high)}
    if len(marks) > 1:
        xs = [m["x"] for m in marks]
        row["span"] = {"x1": min(xs), "x2": max(xs)}
    return row


def matrix_chart(title: str, editions: list[int], items: list[dict[str, Any]]) -> dict[str, Any]:
    """All items of one matrix (each {"name", "cells"} as a trends document gives them) in
    one chart: top-2-box per edition, the last of `editions` being the report's."""
    rows, top = [], float(AXIS)
    for item in items:
        rows.append(_row(item, editions, top))
        top += rows[-1]["height"]
    ticks = [{"x": x_of(t), "label": f"{t}%"} for t in TICKS]
    return {
        "width": WIDTH, "height": top + 2, "rows": rows, "ticks": ticks, "axis_y": AXIS - 5,
        "plot": {"x1": PLOT_LEFT, "x2": PLOT_RIGHT}, "value_x": VALUE_X,
        "legend": [{"edition": e, "css": marker_class(i, len(editions))}
                   for i, e in enumerate(editions)],
        "current": str(editions[-1]) if editions else "",
        "empty": not any(r["marks"] for r in rows),
        "label": f"{title}, top-2-box by edition: " + "; ".join(r["spoken"] for r in rows),
    }  # fmt: skip


def ordinal(rank: int) -> str:
    """1st, 2nd, 3rd, 4th ... 11th, 12th, 13th, 21st."""
    if rank % 100 in (11, 12, 13):
        return f"{rank}th"
    return f"{rank}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(rank % 10, 'th') }"


def ranking_words(rank_top: int, rank_top2: int) -> str:
    """The plain wording of an item's two ranks."""
    return f"ranks {ordinal(rank_top)} by top-box, {ordinal(rank_top2)} by top-2-box"
