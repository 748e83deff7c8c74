"""Charts of the results page: horizontal bars of a choice question, with each option's
share and count written beside its bar and n in the title, and a number question's
histogram with its mean, median and quartiles marked. surveyapp/figures/likert.py draws
rating scales."""

from __future__ import annotations

from typing import Any

from surveyapp.figures.drawing import FONT, INK, MUTED, Drawing, number, share, wrap

WIDTH = 720
BAR = 22
VALUE_ROOM = 150  # right of the longest bar: "100.0 % (100,000)"
BAR_FILL = "#0b5cad"
HIST_FILL = "#5b9bd5"


def choice_bars(
    name: str, options: list[tuple[str, str]], entry: dict[str, Any], several: bool = False
) -> dict[str, Any]:
    """One bar per option, its length the option's share of n, options in their order."""
    n = entry["n"]
    drawing = Drawing(WIDTH, title=f"{name} (n = {number(n)})")
    picks = "Respondents could pick several options; s" if several else "S"
    drawing.desc = (
        picks
        + "hares of the n respondents who answered: "
        + "; ".join(
            f"{label} {share(entry['percent'][code])} ({number(entry['counts'][code])})"
            for code, label in options
        )
    )
    drawing.text(0, FONT, f"n = {number(n)}" + (" (several picks each)" if several else ""),
                 fill=MUTED, size=12)  # fmt: skip
    y = FONT + 16.0
    plot = WIDTH - VALUE_ROOM
    for code, label in options:
        y = drawing.lines(0, y + FONT, wrap(label, WIDTH)) - FONT + 4
        value = entry["percent"][code] or 0.0
        count = entry["counts"][code]
        drawing.rect(0, y, plot, BAR, "#eef1f5")
        drawing.rect(0, y, plot * value / 100, BAR, BAR_FILL,
                     f"{label}: {share(value)} ({number(count)})")  # fmt: skip
        drawing.text(plot * value / 100 + 6, y + BAR - 6, f"{share(value)} ({number(count)})",
                     bold=True)  # fmt: skip
        y += BAR + 14
    drawing.height = y
    return drawing.as_dict()


def _tick(value: float) -> str:
    return number(int(value)) if value == int(value) else number(value, 2).rstrip("0")


def histogram(name: str, bins: list[dict[str, Any]], stats: dict[str, Any]) -> dict[str, Any]:
    """Bars of the bins (count above each), the quartile box under the axis, and the
    mean (dashed) and median (solid) as lines across the plot."""
    drawing = Drawing(WIDTH, title=f"{name} (n = {number(stats['n'])})")
    drawing.desc = (
        f"Histogram of {number(stats['n'])} answers: mean {number(stats['mean'], 2)}, "
        f"median {number(stats['median'], 2)}, quartiles {number(stats['q1'], 2)} and "
        f"{number(stats['q3'], 2)}. " + "; ".join(_bin_words(b) for b in bins)
    )
    top, plot_h, left, plot_w = 40.0, 180.0, 40.0, WIDTH - 60.0
    low, high = bins[0]["low"], bins[-1]["high"]
    most = max(b["count"] for b in bins) or 1

    def x_of(value: float) -> float:
        return left + plot_w * (value - low) / (high - low)

    base = top + plot_h
    for b in bins:
        h = plot_h * b["count"] / most
        x, w = x_of(b["low"]), x_of(b["high"]) - x_of(b["low"])
        drawing.rect(x + 1, base - h, max(w - 2, 1), h, HIST_FILL, _bin_words(b))
        if len(bins) <= 16:
            drawing.text(x + w / 2, base - h - 4, number(b["count"]), "middle", size=12)
    drawing.line(left, base, left + plot_w, base, INK)
    _axis_labels(drawing, bins, x_of, base)
    shift = 0.5 if bins[0]["whole"] else 0.0  # a whole number's bin is centred on it
    _marks(drawing, stats, lambda v: x_of(v + shift), top - 8, base)
    drawing.height = base + 72
    return drawing.as_dict()


def _bin_words(b: dict[str, Any]) -> str:
    if b["whole"]:
        return f"{_tick(b['low'])}: {number(b['count'])}"
    return f"{_tick(b['low'])} to under {_tick(b['high'])}: {number(b['count'])}"


def _axis_labels(drawing: Drawing, bins: list[dict[str, Any]], x_of, base: float) -> None:
    every = max(1, len(bins) // 8)
    for index, b in enumerate(bins):
        if index % every:
            continue
        if b["whole"]:
            drawing.text((x_of(b["low"]) + x_of(b["high"])) / 2, base + 16, _tick(b["low"]),
                         "middle", size=12)  # fmt: skip
        else:
            drawing.line(x_of(b["low"]), base, x_of(b["low"]), base + 4, INK)
            drawing.text(x_of(b["low"]), base + 16, _tick(b["low"]), "middle", size=12)
    if not bins[-1]["whole"]:
        drawing.text(x_of(bins[-1]["high"]), base + 16, _tick(bins[-1]["high"]), "middle", size=12)


def _marks(drawing: Drawing, stats: dict[str, Any], x_of, top: float, base: float) -> None:
    """Quartile box under the axis; mean and median lines with their values on top."""
    box_y = base + 26
    box = f"quartiles {number(stats['q1'], 2)} to {number(stats['q3'], 2)}"
    drawing.rect(x_of(stats["q1"]), box_y, x_of(stats["q3"]) - x_of(stats["q1"]), 14,
                 "#c9d8ea", box)  # fmt: skip
    drawing.line(x_of(stats["median"]), top, x_of(stats["median"]), box_y + 14, INK, 2)
    drawing.line(x_of(stats["mean"]), top, x_of(stats["mean"]), base, "#a63603", 2, "5 3")
    drawing.text(0, 14, f"median {number(stats['median'], 2)} (solid)", size=12, bold=True)
    drawing.text(WIDTH / 3, 14, f"mean {number(stats['mean'], 2)} (dashed)", size=12,
                 fill="#a63603", bold=True)  # fmt: skip
    drawing.text(2 * WIDTH / 3, 14, f"quartiles {number(stats['q1'], 2)}–"
                 f"{number(stats['q3'], 2)} (box)", size=12)  # fmt: skip
    drawing.text(0, box_y + 11, "Q1–Q3", size=11, fill=MUTED)
