"""surveyapp.stats against scipy, which the app itself never imports."""

from __future__ import annotations

import math

import pytest
from scipy import stats as scipy_stats

from surveyapp.figures import stats

SIZES = [1, 2, 3, 4, 5, 7, 10, 13, 20, 36, 50, 63]


def scipy_wilson(k: int, n: int) -> tuple[float, float]:
    ci = scipy_stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    return ci.low, ci.high


def tables():
    for n1 in SIZES:
        for n2 in (1, 4, 9, 36, 50):
            for k1 in sorted({0, 1, n1 // 3, n1 // 2, n1 - 1, n1} - {-1}):
                for k2 in sorted({0, 1, n2 // 2, n2 - 1, n2} - {-1}):
                    yield k1, n1, k2, n2


def test_wilson_matches_scipy_for_every_count():
    for n in [*SIZES, 100, 1000]:
        for k in range(n + 1):
            low, high = stats.wilson(k, n)
            ref_low, ref_high = scipy_wilson(k, n)
            assert low == pytest.approx(ref_low, abs=1e-12), (k, n)
            assert high == pytest.approx(ref_high, abs=1e-12), (k, n)


def test_wilson_edges():
    assert stats.wilson(0, 0) is None
    low, high = stats.wilson(0, 10)
    assert low == 0.0 and 0.0 < high < 0.35
    low, high = stats.wilson(10, 10)
    assert high == 1.0 and 0.65 < low < 1.0
    with pytest.raises(ValueError):
        stats.wilson(3, 2)
    with pytest.raises(ValueError):
        stats.wilson(-1, 2)


def test_z_test_matches_scipy_chi_square_without_correction():
    """The pooled two-proportion z-test is the 2x2 chi-square test without Yates' correction."""
    checked = 0
    for k1, n1, k2, n2 in tables():
        if k1 + k2 in (0, n1 + n2):
            continue  # a zero margin: scipy refuses, we return p = 1 (tested below)
        table = [[k1, n1 - k1], [k2, n2 - k2]]
        ref = scipy_stats.chi2_contingency(table, correction=False).pvalue
        assert stats.z_test(k1, n1, k2, n2) == pytest.approx(ref, rel=1e-9, abs=1e-15), table
        checked += 1
    assert checked > 300


def test_z_test_against_normal_distribution_directly():
    k1, n1, k2, n2 = 46, 50, 31, 36
    pooled = (k1 + k2) / (n1 + n2)
    z = (k1 / n1 - k2 / n2) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    expected = 2 * scipy_stats.norm.sf(abs(z))
    assert stats.z_test(k1, n1, k2, n2) == pytest.approx(expected, rel=1e-12)


def test_z_test_edges():
    assert stats.z_test(0, 10, 0, 20) == 1.0
    assert stats.z_test(10, 10, 20, 20) == 1.0
    with pytest.raises(ValueError):
        stats.z_test(0, 0, 1, 2)


def test_fisher_matches_scipy_on_many_tables():
    checked = 0
    for k1, n1, k2, n2 in tables():
        ref = scipy_stats.fisher_exact([[k1, n1 - k1], [k2, n2 - k2]]).pvalue
        assert stats.fisher_exact(k1, n1, k2, n2) == pytest.approx(ref, rel=1e-9), (k1, n1, k2, n2)
        checked += 1
    assert checked > 500


def test_fisher_symmetric_tables_count_ties():
    # Both tails are equally likely here: the tolerance must count the mirrored table.
    assert stats.fisher_exact(2, 5, 3, 5) == pytest.approx(1.0)
    ref = scipy_stats.fisher_exact([[1, 9], [9, 1]]).pvalue
    assert stats.fisher_exact(1, 10, 9, 10) == pytest.approx(ref, rel=1e-12)


def test_compare_chooses_fisher_for_small_expected_counts():
    # 46/50 vs 31/36: expected 'not top-2' counts are about 4.1 and 2.9, below 5.
    result = stats.compare(46, 50, 31, 36)
    assert result.test == "fisher"
    ref = scipy_stats.fisher_exact([[46, 4], [31, 5]]).pvalue
    assert result.p_exact == pytest.approx(ref, rel=1e-9)
    assert result.p == float(f"{ref:.2g}")
    assert result.points == -5.9
    assert result.significant is False
    assert result.wording == f"\u22125.9 points, within noise (p = {result.p:g})"


def test_compare_chooses_z_test_for_large_expected_counts():
    result = stats.compare(40, 50, 24, 50)
    assert result.test == "z"
    ref = scipy_stats.chi2_contingency([[40, 10], [24, 26]], correction=False).pvalue
    assert result.p_exact == pytest.approx(ref, rel=1e-9)
    assert result.points == -32.0
    assert result.significant is True
    assert result.wording == "\u221232.0 points, significant (p < 0.001)"


def test_compare_wording_examples():
    result = stats.Comparison(points=-17.8, p=0.03, p_exact=0.0312, significant=True, test="z")
    assert result.wording == "\u221217.8 points, significant (p = 0.031)"
    result = stats.Comparison(points=-5.9, p=0.45, p_exact=0.45, significant=False, test="z")
    assert result.wording == "\u22125.9 points, within noise (p = 0.45)"
    assert stats.format_points(3.2) == "+3.2 points"
    assert stats.format_points(0.0) == "0.0 points"
    assert stats.format_p(0.00004) == "p < 0.001"
    assert stats.format_p(1.0) == "p = 1"


def test_compare_edges():
    assert stats.compare(0, 0, 3, 10) is None
    assert stats.compare(3, 10, 0, 0) is None
    same = stats.compare(0, 10, 0, 12)
    assert same.points == 0.0 and same.p == 1.0 and not same.significant
    full = stats.compare(10, 10, 12, 12)
    assert full.points == 0.0 and full.p == 1.0
    flip = stats.compare(0, 8, 8, 8)
    ref = scipy_stats.fisher_exact([[0, 8], [8, 0]]).pvalue
    assert flip.test == "fisher" and flip.p_exact == pytest.approx(ref) and flip.significant
    assert flip.points == 100.0
    assert flip.as_json() == {"points": 100.0, "p": float(f"{ref:.2g}"), "significant": True}


def test_p_is_rounded_to_two_significant_digits():
    assert stats.significant_digits(0.04567, 2) == 0.046
    assert stats.significant_digits(0.0001234, 2) == 0.00012
    assert stats.significant_digits(1.0, 2) == 1.0
