"""The diverging stacked bar of a rating scale (the usual Likert chart): one bar per item,
centred on the middle of the scale. The scale's first half (the top boxes) runs right of
the centre line, its second half left, a middle point of an odd scale straddles the
line. The top box is the outermost right segment; a thick bracket above each bar marks
it, a thin one the top-2 box, and both shares stand in columns at the right with n."""

from __future__ import annotations

from typing import Any

from surveyapp.figures.drawing import FONT, GRID, INK, MUTED, Drawing, legend, number, share, wrap

WIDTH = 760
RIGHT = 210  # the top-box, top-2-box and n columns
BAR = 24
TOP_SIDE = ("#08306b", "#2171b5", "#6baed6", "#c6dbef")  # outermost first
LOW_SIDE = ("#7f2704", "#d94801", "#fd8d3c", "#fdd0a2")
NEUTRAL = "#bdbdbd"
LIGHT = {"#6baed6", "#c6dbef", "#fd8d3c", "#fdd0a2", NEUTRAL}


def sides(scale: list[tuple[str, str]]) -> tuple[list[str], str | None, list[str]]:
    """(top codes, outermost first; the middle code of an odd scale; low codes, innermost first)."""
    codes = [c for c, _ in scale]
    half = len(codes) // 2
    middle = codes[half] if len(codes) % 2 else None
    return codes[:half], middle, codes[len(codes) - half :]


def colours(scale: list[tuple[str, str]]) -> dict[str, str]:
    top, middle, low = sides(scale)
    found = {code: TOP_SIDE[min(i, 3)] for i, code in enumerate(top)}
    found |= {code: LOW_SIDE[min(len(low) - 1 - i, 3)] for i, code in enumerate(low)}
    if middle is not None:
        found[middle] = NEUTRAL
    return found


def _extent(entry: dict[str, Any], scale: list[tuple[str, str]]) -> float:
    top, middle, low = sides(scale)
    half = (entry["percent"][middle] or 0) / 2 if middle else 0
    return max(sum(entry["percent"][c] or 0 for c in top),
               sum(entry["percent"][c] or 0 for c in low)) + half  # fmt: skip


def likert(
    name: str, scale: list[tuple[str, str]], items: list[tuple[str, str, dict[str, Any]]]
) -> dict[str, Any]:
    """The chart of `items` (code, label, tallied entry) rated on `scale` (N/A points left out)."""
    drawing = Drawing(WIDTH, title=name)
    drawing.desc = "; ".join(_spoken(label, entry, scale) for _, label, entry in items)
    shown = [e for _, _, e in items if not e.get("suppressed") and e["n"]]
    reach = max([50.0, *(_extent(e, scale) for e in shown)])
    centre = (WIDTH - RIGHT) / 2
    per_point = (centre - 6) / reach
    palette = colours(scale)
    y = legend(drawing, 14, [(label, palette[code]) for code, label in scale]) + 18
    for x, head in ((WIDTH - RIGHT + 8, "Top-box"), (WIDTH - RIGHT + 80, "Top-2"),
                    (WIDTH - RIGHT + 146, "n")):  # fmt: skip
        drawing.text(x, y, head, size=12, fill=MUTED, bold=True)
    y += 10
    for _code, label, entry in items:
        y = drawing.lines(0, y + FONT, wrap(label, WIDTH - RIGHT)) - FONT + 6
        _item(drawing, y, entry, scale, palette, centre, per_point)
        drawing.line(centre, y - 5, centre, y + BAR + 5, INK, 1.5)  # the scale's middle
        y += BAR + 16
    drawing.height = y
    return drawing.as_dict()


def _item(drawing: Drawing, y: float, entry: dict[str, Any], scale, palette, centre: float,
          per_point: float) -> None:  # fmt: skip
    if entry.get("suppressed") or not entry["n"]:
        drawing.text(centre + 8, y + BAR - 7, "n < 5: too few to show", fill=MUTED)
        return
    top, middle, low = sides(scale)
    labels = dict(scale)
    percent = {c: entry["percent"][c] or 0 for c, _ in scale}
    half = percent[middle] / 2 if middle else 0.0
    right = centre + half * per_point
    spans = {}
    for code in reversed(top):  # innermost first, outward
        spans[code] = (right, percent[code] * per_point)
        right += percent[code] * per_point
    left = centre - half * per_point
    for code in low:
        left -= percent[code] * per_point
        spans[code] = (left, percent[code] * per_point)
    if middle:
        spans[middle] = (centre - half * per_point, 2 * half * per_point)
    for code, (x, w) in spans.items():
        tip = f"{labels[code]}: {share(percent[code])} ({number(entry['counts'][code])})"
        drawing.rect(x, y, w, BAR, palette[code], tip)
        if w >= 34:
            ink = INK if palette[code] in LIGHT else "#ffffff"
            drawing.text(x + w / 2, y + BAR - 7, f"{percent[code]:.0f}%", "middle", 12, ink)
    _boxes(drawing, y, entry, spans, top)


def _boxes(drawing: Drawing, y: float, entry: dict[str, Any], spans, top: list[str]) -> None:
    """Brackets over the top-box and top-2-box segments; their shares and n at the right."""
    if top:
        x, w = spans[top[0]]
        drawing.line(x, y - 3, x + w, y - 3, INK, 3)
    if len(top) > 1:
        start = spans[top[1]][0]
        end = spans[top[0]][0] + spans[top[0]][1]
        drawing.line(start, y - 1, end, y - 1, INK, 1)
    base = WIDTH - RIGHT
    drawing.text(base + 8, y + BAR - 7, share(entry.get("top_box")), bold=True)
    drawing.text(base + 80, y + BAR - 7, share(entry.get("top2_box")))
    drawing.text(base + 146, y + BAR - 7, number(entry["n"]), fill=MUTED)
    drawing.line(base, y + BAR + 8, WIDTH, y + BAR + 8, GRID)


def _spoken(label: str, entry: dict[str, Any], scale: list[tuple[str, str]]) -> str:
    if entry.get("suppressed") or not entry["n"]:
        return f"{label}: n < 5"
    parts = ", ".join(f"{text} {share(entry['percent'][code])}" for code, text in scale)
    return (f"{label} (n = {number(entry['n'])}): {parts}; top-box "
            f"{share(entry.get('top_box'))}, top-2-box {share(entry.get('top2_box'))}")  # fmt: skip
