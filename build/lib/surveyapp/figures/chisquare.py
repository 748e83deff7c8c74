"""Pearson's chi-square test of independence on a contingency table, in pure Python.

The p-value is the chi-square survival function, the regularized upper incomplete gamma
function Q(df/2, x/2): a power series below a + 1, a continued fraction (modified Lentz)
above it, as in Numerical Recipes §6.2. No continuity correction (scipy's
chi2_contingency(table, correction=False) gives the same figures; tests compare them).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from surveyapp.figures.stats import ALPHA

_EPSILON = 1e-15
_TINY = 1e-300
_STEPS = 10_000
EXPECTED_MIN = 5  # the usual rule of thumb: expected counts under 5 make p unreliable


def upper_gamma_q(a: float, x: float) -> float:
    """Q(a, x) = Γ(a, x) / Γ(a) for a > 0, x >= 0."""
    if a <= 0 or x < 0:
        raise ValueError("need a > 0 and x >= 0")
    if x == 0:
        return 1.0
    log_front = a * math.log(x) - x - math.lgamma(a)
    if x < a + 1:
        return max(0.0, 1.0 - math.exp(log_front) * _series(a, x))
    return math.exp(log_front) * _fraction(a, x)


def _series(a: float, x: float) -> float:
    """Σ x^n / (a (a+1) ... (a+n)): P(a, x) = e^-x x^a / Γ(a) times this."""
    term = total = 1.0 / a
    denominator = a
    for _ in range(_STEPS):
        denominator += 1
        term *= x / denominator
        total += term
        if abs(term) < abs(total) * _EPSILON:
            break
    return total


def _fraction(a: float, x: float) -> float:
    """The continued fraction of Γ(a, x) e^x x^-a, by the modified Lentz method."""
    b = x + 1 - a
    c = 1 / _TINY
    d = 1 / b
    h = d
    for i in range(1, _STEPS):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = _TINY if abs(d) < _TINY else d
        c = b + an / c
        c = _TINY if abs(c) < _TINY else c
        d = 1 / d
        delta = d * c
        h *= delta
        if abs(delta - 1) < _EPSILON:
            break
    return h


def chi2_sf(x: float, df: int) -> float:
    """P(X >= x) for X chi-square distributed with `df` degrees of freedom."""
    return upper_gamma_q(df / 2, x / 2)


@dataclass(frozen=True)
class ChiSquare:
    statistic: float
    df: int
    p: float
    expected: list[list[float]]
    small_expected: int  # cells whose expected count is under EXPECTED_MIN
    cells: int

    @property
    def wording(self) -> str:
        """What the test says, and no more."""
        head = f"χ² = {self.statistic:.1f}, df = {self.df}, {p_text(self.p)}"
        if self.p < ALPHA:
            return f"{head}: evidence of an association at the 5% level (not of its size or cause)"
        return f"{head}: no evidence of association at the 5% level"

    @property
    def warning(self) -> str:
        if not self.small_expected:
            return ""
        return (f"{self.small_expected} of {self.cells} cells expect fewer than {EXPECTED_MIN}"
                " responses: the p-value is unreliable.")  # fmt: skip


def p_text(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}" if p < 0.01 else f"p = {p:.2f}"


def chi_square(table: list[list[int]]) -> ChiSquare | None:
    """The test on a table of counts (rows of equal length); rows and columns that are all
    zero are left out first. None when fewer than two rows or columns remain."""
    rows = [r for r in table if any(r)]
    keep = [j for j in range(len(rows[0]) if rows else 0) if any(r[j] for r in rows)]
    rows = [[r[j] for j in keep] for r in rows]
    if len(rows) < 2 or len(keep) < 2:
        return None
    row_totals = [sum(r) for r in rows]
    column_totals = [sum(col) for col in zip(*rows, strict=True)]
    total = sum(row_totals)
    expected = [[rt * ct / total for ct in column_totals] for rt in row_totals]
    statistic = math.fsum(
        (observed - e) ** 2 / e
        for row, erow in zip(rows, expected, strict=True)
        for observed, e in zip(row, erow, strict=True)
    )
    df = (len(rows) - 1) * (len(keep) - 1)
    small = sum(e < EXPECTED_MIN for erow in expected for e in erow)
    return ChiSquare(statistic, df, chi2_sf(statistic, df), expected, small, len(rows) * len(keep))
