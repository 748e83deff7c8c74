"""The shapes of a server-drawn chart: rectangles, lines and text with their colours as SVG
presentation attributes, so the same SVG reads the same inline, as a downloaded file and
drawn into a canvas for a PNG (no stylesheet needed). templates/admin/_figure.html draws
them; no Flask here."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from typing import Any

INK = "#1b1f24"
MUTED = "#4a5563"
GRID = "#c9d1dc"
FONT = 14
CHAR = 7.4  # a rough average glyph width at FONT px, for wrapping labels


def number(value: float | int | None, places: int = 1) -> str:
    """One way to write a figure: thousands separated, a fixed number of decimals."""
    if value is None:
        return "–"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.{places}f}"


def share(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}%"


def wrap(text: str, width: float, size: int = FONT) -> list[str]:
    """`text` in lines that fit `width` SVG units at font `size` (SVG text does not wrap)."""
    return textwrap.wrap(text, max(8, int(width / (CHAR * size / FONT)))) or [""]


@dataclass
class Drawing:
    """A chart: its size in SVG units, what it says to a screen reader, and its shapes."""

    width: float
    height: float = 0
    title: str = ""
    desc: str = ""
    shapes: list[dict[str, Any]] = field(default_factory=list)

    def rect(self, x: float, y: float, w: float, h: float, fill: str, tip: str = "") -> None:
        self.shapes.append({"kind": "rect", "x": _r(x), "y": _r(y), "w": _r(max(w, 0)),
                            "h": _r(h), "fill": fill, "tip": tip})  # fmt: skip

    def line(self, x1: float, y1: float, x2: float, y2: float, stroke: str = INK,
             width: float = 1, dash: str = "") -> None:  # fmt: skip
        self.shapes.append({"kind": "line", "x1": _r(x1), "y1": _r(y1), "x2": _r(x2),
                            "y2": _r(y2), "stroke": stroke, "width": width,
                            "dash": dash})  # fmt: skip

    def text(self, x: float, y: float, text: str, anchor: str = "start", size: int = FONT,
             fill: str = INK, bold: bool = False) -> None:  # fmt: skip
        self.shapes.append({"kind": "text", "x": _r(x), "y": _r(y), "text": text,
                            "anchor": anchor, "size": size, "fill": fill,
                            "weight": "bold" if bold else "normal"})  # fmt: skip

    def lines(self, x: float, y: float, lines: list[str], size: int = FONT,
              bold: bool = False) -> float:  # fmt: skip
        """Text lines from baseline `y`, one under the other; the y below the last."""
        for line in lines:
            self.text(x, y, line, size=size, bold=bold)
            y += size * 1.3
        return y

    def as_dict(self) -> dict[str, Any]:
        return {"width": _r(self.width), "height": _r(self.height), "title": self.title,
                "desc": self.desc, "shapes": self.shapes}  # fmt: skip


def _r(value: float) -> float:
    return round(value, 1)


def legend(drawing: Drawing, y: float, entries: list[tuple[str, str]], size: int = 12) -> float:
    """Swatches with their labels in rows across the drawing's width; the y below them."""
    x = 0.0
    for label, colour in entries:
        width = 18 + len(label) * 0.62 * size + 16  # generous: a legend must not overlap
        if x and x + width > drawing.width:
            x, y = 0.0, y + size + 10
        drawing.rect(x, y - size + 2, size, size, colour)
        drawing.text(x + size + 5, y, label, size=size)
        x += width
    return y + size
