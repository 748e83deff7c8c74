"""Honest statistics for small samples, in pure Python.

Wilson score intervals for shares; two-sided tests of two proportions (Fisher's
exact test when any expected count is below 5, else the pooled z-test); and the
wording a report may use: "−5.9 points, within noise (p = 0.45)".
"""

from __future__ import annotations

import math
from dataclasses import dataclass

Z95 = 1.959963984540054  # the 97.5% quantile of the standard normal distribution
ALPHA = 0.05
MINUS = "\u2212"
# As scipy.stats.fisher_exact: tables this close to the observed probability count as "as extreme".
FISHER_RELATIVE_TOLERANCE = 1e-7


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """The Wilson score interval of the share k/n (fractions); None when n = 0."""
    _check_counts(k, n)
    if n == 0:
        return None
    share = k / n
    denominator = 1 + z * z / n
    centre = (share + z * z / (2 * n)) / denominator
    half = z * math.sqrt(share * (1 - share) / n + z * z / (4 * n * n)) / denominator
    low = 0.0 if k == 0 else max(0.0, centre - half)
    return low, 1.0 if k == n else min(1.0, centre + half)


def normal_two_sided_p(z: float) -> float:
    return math.erfc(abs(z) / math.sqrt(2))


def z_test(k1: int, n1: int, k2: int, n2: int) -> float:
    """Two-sided p-value of the pooled two-proportion z-test."""
    _check_counts(k1, n1)
    _check_counts(k2, n2)
    if n1 == 0 or n2 == 0:
        raise ValueError("both samples need at least one observation")
    pooled = (k1 + k2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0:
        return 1.0
    return min(1.0, normal_two_sided_p((k1 / n1 - k2 / n2) / se))


def fisher_exact(k1: int, n1: int, k2: int, n2: int) -> float:
    """Two-sided p-value of Fisher's exact test on [[k1, n1-k1], [k2, n2-k2]]: the summed
    probability of every table with the same margins no more likely than the observed one."""
    _check_counts(k1, n1)
    _check_counts(k2, n2)
    successes, total = k1 + k2, n1 + n2
    low, high = max(0, successes - n2), min(successes, n1)
    # Integer weights C(successes, x) * C(failures, n1 - x) share one denominator: exact comparison.
    weights = {x: math.comb(n1, x) * math.comb(n2, successes - x) for x in range(low, high + 1)}
    observed = weights[k1]
    scale = round(1 / FISHER_RELATIVE_TOLERANCE)
    extreme = sum(w for w in weights.values() if w * scale <= observed * (scale + 1))
    return min(1.0, extreme / math.comb(total, successes))


def expected_counts(k1: int, n1: int, k2: int, n2: int) -> list[float]:
    total, successes = n1 + n2, k1 + k2
    failures = total - successes
    return [n * c / total for n in (n1, n2) for c in (successes, failures)]


@dataclass(frozen=True)
class Comparison:
    points: float  # change from the first share to the second, in percentage points (1 decimal)
    p: float  # two significant digits, for display
    p_exact: float
    significant: bool  # p_exact < 0.05
    test: str  # "fisher" or "z"

    @property
    def wording(self) -> str:
        verdict = "significant" if self.significant else "within noise"
        return f"{format_points(self.points)}, {verdict} ({format_p(self.p_exact)})"

    def as_json(self) -> dict[str, float | bool]:
        return {"points": self.points, "p": self.p, "significant": self.significant}


def compare(k1: int, n1: int, k2: int, n2: int) -> Comparison | None:
    """Compare k1/n1 (earlier) with k2/n2 (later); None when either sample is empty."""
    _check_counts(k1, n1)
    _check_counts(k2, n2)
    if n1 == 0 or n2 == 0:
        return None
    small = min(expected_counts(k1, n1, k2, n2)) < 5
    p = fisher_exact(k1, n1, k2, n2) if small else z_test(k1, n1, k2, n2)
    points = round(100 * (k2 / n2 - k1 / n1), 1) + 0.0  # + 0.0 turns -0.0 into 0.0
    return Comparison(
        points=points,
        p=significant_digits(p, 2),
        p_exact=p,
        significant=p < ALPHA,
        test="fisher" if small else "z",
    )


def significant_digits(value: float, digits: int) -> float:
    return float(f"{value:.{digits}g}")


def format_points(points: float) -> str:
    text = f"{abs(points):.1f} points"
    if text.startswith("0.0 "):
        return text
    return ("+" if points > 0 else MINUS) + text


def format_p(p: float) -> str:
    if p < 0.001:
        return "p < 0.001"
    return f"p = {significant_digits(p, 2):g}"


def _check_counts(k: int, n: int) -> None:
    if not 0 <= k <= n:
        raise ValueError(f"need 0 <= k <= n, got k={k}, n={n}")
