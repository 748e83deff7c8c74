"""Shares in percent and the figures of a ranking question (mean rank, share ranked first)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from surveyapp.questionnaire.marks import NOT_SHOWN
from surveyapp.questionnaire.model import Question
from surveyapp.store.counts import Counts


def percent(part: int, whole: int) -> float | None:
    """Share in percent, rounded half up to one decimal; None when nobody answered."""
    if not whole:
        return None
    value = Decimal(100 * part) / Decimal(whole)
    return float(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def ranked_figures(
    q: Question, tallied: list, found: Counts, min_n: int, completed: int
) -> dict[str, Any]:
    """A ranking: n = those who ranked (each gave exactly one rank 1); per option, those
    who ranked it (its own n), the count of each rank, the mean rank among them and the
    share of n ranking it first; `shown` and `not_shown` split the `completed` responses.
    The codes of a "ranks" tally are the ranks 1, 2, ..."""
    n = sum(found.get((field, "1"), 0) for field, _ranks in tallied)
    if n < min_n:
        return {"n": n, "suppressed": True}
    hidden = found.get((tallied[0][0], NOT_SHOWN), 0) if tallied else 0
    shown = {"shown": completed - hidden, "answered": n, "not_shown": hidden}
    options: dict[str, Any] = {}
    for option, (field, ranks) in zip(q.options, tallied, strict=True):
        ranked = found.get((field, "*"), 0)
        if ranked < min_n:
            options[option.code] = {"n": ranked, "suppressed": True}
            continue
        counts = {r.code: found.get((field, r.code), 0) for r in ranks}
        total = sum(int(code) * count for code, count in counts.items())
        options[option.code] = {
            "n": ranked,
            "counts": counts,
            "mean_rank": _two_places(Fraction(total, ranked)) if ranked else None,
            "first": counts["1"],
            "first_share": percent(counts["1"], n),
        }
    return {"n": n, **shown, "ranks": len(tallied[0][1]), "options": options}


def _two_places(value: Fraction) -> float:
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return float(exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
