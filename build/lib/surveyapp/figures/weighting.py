"""Respondent weights in pure Python: raking (iterative proportional fitting) to target
shares of one or more profile questions, cell weighting when there is one, trimming, and
Kish's effective sample size.

Everyone in the same cell (the same answers to the weighting questions) gets the same
weight, so the work is on the table of cell counts, never on respondents. Weights are
scaled to a mean of 1 over the weighted respondents (their sum is the number of them).

Trimming: no weight may leave TRIM = [0.3, 3] times the mean weight. The bounds are
applied after every raking sweep and the sweeps go on, so the result meets the targets
within the bounds whenever that is possible; when it is not (a target needs a larger
weight than 3 times the mean), the weights stay within the bounds and `margin_error` says
how far the weighted shares are from the targets.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from surveyapp.figures import stats

TRIM = (0.3, 3.0)
TOLERANCE = 1e-12  # largest difference between a weighted share and its target
MAX_SWEEPS = 2000
TRIM_ROUNDS = 200  # clipping moves the mean; each round closes most of the gap
Cell = tuple[str, ...]


class WeightingError(ValueError):
    """Targets that no weights can meet: a code with a target share and no respondent."""


@dataclass(frozen=True)
class Weights:
    cells: dict[Cell, float]  # the weight of one respondent in each cell
    sweeps: int
    margin_error: float  # largest |weighted share - target| left
    trimmed: bool  # whether a bound was reached

    @property
    def converged(self) -> bool:
        return self.margin_error <= 1e-9


def _margins(
    counts: Mapping[Cell, float], weights: Mapping[Cell, float], variable: int
) -> dict[str, float]:
    totals: dict[str, float] = {}
    for cell, n in counts.items():
        totals[cell[variable]] = totals.get(cell[variable], 0.0) + n * weights[cell]
    return totals


def _check(counts: Mapping[Cell, float], targets: list[Mapping[str, float]]) -> None:
    for variable, shares in enumerate(targets):
        present = {cell[variable] for cell, n in counts.items() if n > 0}
        for code, share in shares.items():
            if share > 0 and code not in present:
                raise WeightingError(f"no respondent answered {code!r}, whose target is "
                                     f"{100 * share:g}%")  # fmt: skip


def _sweep(counts, weights, targets, total) -> None:
    """One pass of proportional fitting: each variable's weighted totals made its targets."""
    for variable, shares in enumerate(targets):
        totals = _margins(counts, weights, variable)
        for cell in weights:
            have = totals.get(cell[variable], 0.0)
            want = total * shares.get(cell[variable], 0.0)
            weights[cell] = weights[cell] * want / have if have else 0.0


def _trim(counts, weights, bounds: tuple[float, float]) -> bool:
    """Clip every positive weight to bounds times the mean positive weight, again until
    the mean the bounds rest on stops moving; whether any weight moved."""
    live = [(cell, n) for cell, n in counts.items() if weights[cell] > 0]
    people = sum(n for _cell, n in live)
    moved = False
    for _ in range(TRIM_ROUNDS):
        mean = sum(n * weights[cell] for cell, n in live) / people if people else 0.0
        low, high = bounds[0] * mean, bounds[1] * mean
        change = 0.0
        for cell, _n in live:
            clipped = min(max(weights[cell], low), high)
            change = max(change, abs(clipped - weights[cell]))
            weights[cell] = clipped
        moved = moved or change > 0
        if change <= TOLERANCE * mean:
            break
    return moved


def margin_error(counts, weights, targets) -> float:
    total = sum(n * weights[c] for c, n in counts.items())
    worst = 0.0
    for variable, shares in enumerate(targets):
        totals = _margins(counts, weights, variable)
        for code in set(shares) | set(totals):
            share = totals.get(code, 0.0) / total if total else 0.0
            worst = max(worst, abs(share - shares.get(code, 0.0)))
    return worst


def rake(
    counts: Mapping[Cell, float], targets: list[Mapping[str, float]],
    trim: tuple[float, float] | None = TRIM, tolerance: float = TOLERANCE,
    max_sweeps: int = MAX_SWEEPS,
) -> Weights:  # fmt: skip
    """Weights per cell so that each variable's weighted shares meet its targets (cell
    i's codes are cell[i]; targets[i] is {code: share}, shares summing to 1). One variable
    is cell weighting: its weights are exact after one sweep."""
    counts = {cell: n for cell, n in counts.items() if n > 0}
    _check(counts, targets)
    total = float(sum(counts.values()))
    weights = dict.fromkeys(counts, 1.0)
    trimmed, sweeps, error = False, 0, math.inf
    while sweeps < max_sweeps and error > tolerance:
        sweeps += 1
        _sweep(counts, weights, targets, total)
        if trim is not None and _trim(counts, weights, trim):
            trimmed = True
        error = margin_error(counts, weights, targets)
    scale = total / sum(n * weights[c] for c, n in counts.items())
    return Weights({c: w * scale for c, w in weights.items()}, sweeps, error, trimmed)


def kish(pairs: Iterable[tuple[float, float]]) -> float:
    """Kish's effective sample size (sum of weights)^2 / (sum of squared weights), from
    (respondents, weight) pairs."""
    total = squares = 0.0
    for n, weight in pairs:
        total += n * weight
        squares += n * weight * weight
    return total * total / squares if squares else 0.0


def interval(share: float, n_eff: float) -> tuple[float, float] | None:
    """The 95% Wilson interval of a weighted share, taking the effective sample size as n."""
    if n_eff <= 0:
        return None
    return stats.wilson(min(max(share, 0.0), 1.0) * n_eff, n_eff)


_PERCENT = re.compile(r"[0-9]{1,3}(\.[0-9]{1,6})?")


def parse_targets(codes: list[str], raw: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """({code: share as a fraction of 1, decimal text}, problems) from percentages typed for
    every code: each 0 or strictly between 0 and 100, adding up to exactly 100."""
    shares, problems = {}, []
    for code in codes:
        text = (raw.get(code) or "").strip()
        if not text:
            problems.append(f"{code}: give a share (0 when nobody in the population has it)")
        elif not _PERCENT.fullmatch(text) or Decimal(text) >= 100:
            problems.append(f"{code}: {text!r} is not a percentage from 0 to under 100")
        else:
            shares[code] = Decimal(text)
    unknown = sorted(set(raw) - set(codes))
    if unknown:
        problems.append(f"unknown code {unknown[0]!r}")
    if problems:
        return {}, problems
    total = sum(shares.values(), Decimal(0))
    if total != 100:
        return {}, [f"the shares add up to {total.normalize():f}%, not 100%"]
    return {c: f"{(s / 100).normalize():f}" for c, s in shares.items()}, []
