"""Respondent weights: raking against the convex dual solved by scipy on generated data,
cell weighting exactly, trimming, Kish's effective sample size, intervals that use it, and
the targets an admin may enter."""

from __future__ import annotations

import itertools
import random
from fractions import Fraction

import numpy as np
import pytest
from scipy import optimize

from surveyapp.figures import stats, weighting

BOUNDS = weighting.TRIM


def generated(rnd: random.Random, sizes: list[int]):
    """Cell counts (one cell empty when every variable has 3 codes or more, so a fit
    exists) and random target shares."""
    codes = [[f"v{i}c{k}" for k in range(size)] for i, size in enumerate(sizes)]
    cells = list(itertools.product(*codes))
    counts = {cell: rnd.choice([1, 2, 3, 7, 15, 40]) for cell in cells}
    if min(sizes) >= 3:
        counts[rnd.choice(cells)] = 0
    targets = []
    for variable in codes:
        raw = [rnd.uniform(0.05, 1) for _ in variable]
        targets.append({code: x / sum(raw) for code, x in zip(variable, raw, strict=True)})
    return codes, counts, targets


def dual_weights(codes, counts, targets) -> dict:
    """The raking weights found another way: raking is the table closest to the sample's in
    discrimination information whose margins are the targets, m = n * exp(sum of one
    multiplier per variable and code). scipy's root finder (MINPACK's hybrid Newton method)
    solves for the multipliers whose margins meet the targets: the zero of the gradient of
    the convex dual sum(m) - sum(target * multiplier); the weights are m / n. Each variable
    but the first keeps its first multiplier at 0, so the solution is unique."""
    cells = [cell for cell, n in counts.items() if n]
    free = [(v, code) for v, variable in enumerate(codes) for code in variable[v > 0 :]]
    design = np.array([[float(cell[v] == code) for v, code in free] for cell in cells])
    n = np.array([counts[cell] for cell in cells], dtype=float)
    total = n.sum()
    goal = np.array([total * targets[v][code] for v, code in free])

    def gradient(x):
        return design.T @ (n * np.exp(design @ x)) - goal

    def hessian(x):
        return design.T @ ((n * np.exp(design @ x))[:, None] * design)

    found = optimize.root(gradient, np.zeros(len(free)), jac=hessian, method="hybr",
                          options={"xtol": 1e-13})  # fmt: skip
    assert np.abs(gradient(found.x)).max() <= 1e-10 * total, found.message  # targets met
    return dict(zip(cells, np.exp(design @ found.x), strict=True))


@pytest.mark.parametrize("seed", range(12))
def test_raking_matches_the_dual_solved_by_newton(seed):
    rnd = random.Random(seed)
    sizes = [rnd.randint(2, 4) for _ in range(2 + seed % 2)]
    codes, counts, targets = generated(rnd, sizes)
    ours = weighting.rake(counts, targets, trim=None)
    oracle = dual_weights(codes, counts, targets)
    assert ours.converged and set(ours.cells) == set(oracle)
    for cell, weight in oracle.items():
        assert abs(ours.cells[cell] - weight) <= 1e-9, cell


def test_one_variable_is_exact_cell_weighting():
    counts = {("small",): 61, ("medium",): 27, ("large",): 12}
    targets = [{"small": 0.35, "medium": 0.4, "large": 0.25}]
    found = weighting.rake(counts, targets, trim=None)
    assert found.sweeps == 1 and found.margin_error <= 1e-15
    for (code,), n in counts.items():
        exact = Fraction(100) * Fraction(targets[0][code]) / n
        assert abs(Fraction(found.cells[(code,)]) - exact) <= exact * Fraction(1, 10**15)


def test_trimming_keeps_weights_within_bounds_and_still_meets_the_targets():
    counts = {("a1", "b1"): 40, ("a1", "b2"): 10, ("a1", "b3"): 40, ("a2", "b1"): 2,
              ("a2", "b2"): 20, ("a2", "b3"): 20, ("a3", "b1"): 2, ("a3", "b2"): 10,
              ("a3", "b3"): 2}  # fmt: skip
    targets = [{"a1": 0.6, "a2": 0.2, "a3": 0.2}, {"b1": 0.55, "b2": 0.25, "b3": 0.2}]
    untrimmed = weighting.rake(counts, targets, trim=None)
    assert max(untrimmed.cells.values()) > 3.5
    trimmed = weighting.rake(counts, targets)
    assert trimmed.trimmed and trimmed.converged
    _within_bounds(counts, trimmed.cells)
    assert weighting.margin_error(counts, trimmed.cells, targets) <= 1e-9


def _within_bounds(counts, cells) -> None:
    mean = sum(n * cells[c] for c, n in counts.items()) / sum(counts.values())
    assert abs(mean - 1) <= 1e-12
    for weight in cells.values():
        assert BOUNDS[0] - 1e-9 <= weight <= BOUNDS[1] + 1e-9


def test_trimming_that_cannot_meet_the_targets_says_how_far_off_it_is():
    counts = {("a",): 90, ("b",): 10}
    found = weighting.rake(counts, [{"a": 0.5, "b": 0.5}])
    assert found.trimmed and not found.converged
    _within_bounds(counts, found.cells)
    # b is held at 3 times the mean weight: 30 of every 100 weighted respondents, not 50
    assert found.cells[("b",)] == pytest.approx(3.0) and found.cells[("a",)] == pytest.approx(7 / 9)
    assert found.margin_error == pytest.approx(0.2)


def test_weights_within_the_bounds_are_not_changed_by_trimming():
    counts = {("a", "x"): 30, ("a", "y"): 20, ("b", "x"): 25, ("b", "y"): 25}
    targets = [{"a": 0.45, "b": 0.55}, {"x": 0.5, "y": 0.5}]
    trimmed, untrimmed = weighting.rake(counts, targets), weighting.rake(counts, targets, None)
    assert not trimmed.trimmed and trimmed.cells == untrimmed.cells


def test_a_target_nobody_answered_cannot_be_met():
    with pytest.raises(weighting.WeightingError, match="no respondent answered 'asia'"):
        weighting.rake({("europe",): 10}, [{"europe": 0.8, "asia": 0.2}])
    zero = weighting.rake({("europe",): 10, ("asia",): 3}, [{"europe": 1.0, "asia": 0.0}])
    assert zero.cells[("asia",)] == 0.0 and zero.cells[("europe",)] == pytest.approx(1.3)


def test_kish_effective_sample_size():
    assert weighting.kish([(50, 1.0)]) == 50
    assert weighting.kish([(1, 1.0), (1, 3.0)]) == pytest.approx(16 / 10)
    assert weighting.kish([(30, 0.5), (10, 2.5)]) == pytest.approx(40**2 / (30 * 0.25 + 10 * 6.25))


def test_interval_takes_the_effective_sample_size_as_n():
    assert weighting.interval(0.5, 40.0) == stats.wilson(20, 40)
    low, high = weighting.interval(0.25, 12.5)
    centre = (0.25 + stats.Z95**2 / 25) / (1 + stats.Z95**2 / 12.5)
    assert low < 0.25 < high and (low + high) / 2 == pytest.approx(centre)
    assert weighting.interval(1.0, 10.0)[1] == 1.0 and weighting.interval(0.3, 0) is None


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ({"a": "50", "b": "25"}, "c: give a share"),
        ({"a": "50", "b": "25", "c": "24"}, "the shares add up to 99%, not 100%"),
        ({"a": "100", "b": "0", "c": "0"}, "a: '100' is not a percentage from 0 to under 100"),
        ({"a": "-5", "b": "55", "c": "50"}, "a: '-5' is not a percentage"),
        ({"a": "1e2", "b": "0", "c": "0"}, "a: '1e2' is not a percentage"),
        ({"a": "50", "b": "25", "c": "25", "d": "0"}, "unknown code 'd'"),
    ],
)
def test_targets_are_checked(typed, problem):
    shares, problems = weighting.parse_targets(["a", "b", "c"], typed)
    assert shares == {} and any(p.startswith(problem) for p in problems)


def test_targets_are_kept_exactly_as_fractions():
    shares, problems = weighting.parse_targets(
        ["a", "b", "c"], {"a": "33.3", "b": "33.35", "c": "33.35"}
    )
    assert problems == [] and shares == {"a": "0.333", "b": "0.3335", "c": "0.3335"}
    assert weighting.parse_targets(["a", "b"], {"a": "0", "b": "0"})[1] == [
        "the shares add up to 0%, not 100%"
    ]
