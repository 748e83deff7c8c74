"""Geometry of the server-drawn SVG charts: one group of bars per edition, years side by side.

Plain numbers for templates/admin/_charts.html; no Flask. Colours come from classes in
static/admin.css (the CSP forbids inline style), sizes from SVG attributes."""

from __future__ import annotations

from typing import Any

GROUP = 84  # width of one edition's group, in SVG units
BAR = 26
TOP = 18  # room above a full bar for its value
PLOT = 100  # 100% = 100 units high
BOTTOM = TOP + PLOT
HEIGHT = BOTTOM + 18  # room below for the edition label
BOXES = (("top_box", "top", "top-box"), ("top2_box", "top2", "top-2-box"))
# An option of a choice question has one share (its top and top-2 box are the same code).
SHARE = (("top2_box", "share", "share"),)


def _share(value: float) -> str:
    return f"{value:.1f}%"


def _note(cell: dict[str, Any] | None) -> str | None:
    if cell is None:
        return "not asked"
    if cell.get("suppressed"):
        return "n < 5"
    return None


def trend_chart(
    name: str, editions: list[int], cells: dict[str, Any], share: bool = False
) -> dict[str, Any]:
    """Bars of top-box and top-2-box per edition (of the share alone with `share`), a 95%
    interval whisker on the last bar; an edition without the item says "not asked", a
    suppressed one "n < 5" (never a zero bar)."""
    boxes = SHARE if share else BOXES
    groups = [_group(index, edition, cells.get(str(edition)), boxes) for index, edition in
              enumerate(editions)]  # fmt: skip
    return {
        "width": max(1, len(editions)) * GROUP,
        "height": HEIGHT,
        "baseline": BOTTOM,
        "label_y": HEIGHT - 4,
        "groups": groups,
        "label": f"{name}: " + "; ".join(group.pop("spoken") for group in groups),
    }


def _group(index: int, edition: int, cell: dict[str, Any] | None, boxes=BOXES) -> dict[str, Any]:
    """One edition's bars, whisker and spoken summary."""
    left = index * GROUP + (GROUP - len(boxes) * BAR) / 2
    note = _note(cell)
    group: dict[str, Any] = {"label": str(edition), "centre": index * GROUP + GROUP / 2,
                             "note": note, "bars": [], "ci": None}  # fmt: skip
    if note or cell is None:
        group["spoken"] = f"{edition} {note}"
        return group
    low, high = cell["top2_ci95"]
    for offset, (key, css, words) in enumerate(boxes):
        value = cell[key]
        x = left + offset * BAR
        above = max(value, high) if key == "top2_box" else value  # clear of the whisker
        group["bars"].append({
            "x": x, "y": BOTTOM - value, "width": BAR - 2, "height": value,
            "css": css, "text": f"{value:.0f}", "centre": x + (BAR - 2) / 2,
            "text_y": BOTTOM - above - 3,
            "title": f"{edition} {words}: {_share(value)} (n = {cell['n']})",
        })  # fmt: skip
    whisker = left + (len(boxes) - 1) * BAR + (BAR - 2) / 2
    group["ci"] = {"x": whisker, "y1": BOTTOM - high, "y2": BOTTOM - low}
    group["spoken"] = f"{edition} " + ", ".join(
        f"{words} {_share(cell[key])}" for key, _css, words in boxes
    )
    return group
