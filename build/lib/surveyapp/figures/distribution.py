"""A number question's answers summed up: n, mean, median, quartiles, and histogram bins.

Works from (stored value, count) pairs, so its cost follows the distinct values, not the
responses. Quartiles interpolate linearly between order statistics (the usual default:
numpy's and R's type 7)."""

from __future__ import annotations

import bisect
import math
from decimal import Decimal, InvalidOperation
from typing import Any

MAX_BINS = 12
ONE_PER_WHOLE = 30  # whole numbers spanning at most this many get one bin each


def parsed(pairs: list[tuple[str, int]]) -> list[tuple[Decimal, int]]:
    """The pairs whose value reads as a finite number, in increasing order."""
    found = []
    for text, count in pairs:
        try:
            value = Decimal(text)
        except (InvalidOperation, TypeError):
            continue
        if value.is_finite():
            found.append((value, count))
    return sorted(found)


def quantile(values: list[tuple[Decimal, int]], n: int, p: float) -> float:
    """The p-quantile of n values given as sorted (value, count) pairs (type 7)."""
    h = (n - 1) * p
    low = math.floor(h)
    a, b = _nth(values, low), _nth(values, min(low + 1, n - 1))
    return float(a) + (h - low) * float(b - a)


def _nth(values: list[tuple[Decimal, int]], index: int) -> Decimal:
    seen = 0
    for value, count in values:
        seen += count
        if index < seen:
            return value
    return values[-1][0]


def summary(values: list[tuple[Decimal, int]]) -> dict[str, Any] | None:
    """n, mean, standard deviation, min, quartiles, max; None without values."""
    n = sum(c for _, c in values)
    if not n:
        return None
    mean = sum(v * c for v, c in values) / n
    spread = sum((v - mean) ** 2 * c for v, c in values) / (n - 1) if n > 1 else Decimal(0)
    return {
        "n": n, "mean": float(mean), "sd": math.sqrt(spread) if n > 1 else None,
        "min": float(values[0][0]), "q1": quantile(values, n, 0.25),
        "median": quantile(values, n, 0.5), "q3": quantile(values, n, 0.75),
        "max": float(values[-1][0]),
    }  # fmt: skip


def _step(span: float) -> float:
    """A round bin width (1, 2, 2.5 or 5 times a power of ten) giving at most MAX_BINS."""
    raw = span / MAX_BINS
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power * MAX_BINS >= span)


def bins(values: list[tuple[Decimal, int]]) -> list[dict[str, Any]]:
    """Histogram bins [low, high) (the last one closed), each with its count."""
    if not values:
        return []
    low, high = float(values[0][0]), float(values[-1][0])
    whole = all(v == v.to_integral_value() for v, _ in values)
    if whole and high - low <= ONE_PER_WHOLE:
        step, start = 1.0, low
    elif high == low:
        step, start = 1.0, low - 0.5
    else:
        step = _step(high - low)
        start = math.floor(low / step) * step
    count = max(1, math.floor((high - start) / step) + 1)
    edges = [start + i * step for i in range(count + 1)]
    tallies = [0] * count
    for value, n in values:
        index = min(bisect.bisect_right(edges, float(value)) - 1, count - 1)
        tallies[index] += n
    return [{"low": edges[i], "high": edges[i + 1], "count": tallies[i], "whole": whole
             and step == 1} for i in range(count)]  # fmt: skip
