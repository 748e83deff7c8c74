"""The one percentile definition of bench/: nearest rank (bench/loadgen.py)."""

import math

import pytest

from bench.loadgen import Stats, percentile


def test_one_sample_is_every_percentile():
    assert [percentile([7.0], p) for p in (0, 1, 50, 99, 100)] == [7.0] * 5


def test_p100_is_the_maximum_and_p0_the_minimum():
    values = [3.0, 9.0, 1.0, 4.0]
    assert percentile(values, 100) == 9.0
    assert percentile(values, 0) == 1.0


def test_p50_of_an_even_count_is_the_lower_middle_sample_not_an_average():
    assert percentile([4.0, 1.0, 3.0, 2.0], 50) == 2.0


def test_p99_is_the_smallest_sample_with_99_percent_at_or_below_it():
    values = [float(n) for n in range(1, 101)]  # 1 .. 100
    assert percentile(values, 99) == 99.0
    assert percentile([*values, 101.0], 99) == 100.0  # 101 samples: rank ceil(99.99) = 100


def test_a_rank_on_an_exact_boundary_does_not_round_up():
    values = [float(n) for n in range(1, 1001)]
    assert percentile(values, 99.9) == 999.0
    assert percentile(values, 95) == 950.0


def test_no_sample_gives_nan_and_a_percent_out_of_range_is_refused():
    assert math.isnan(percentile([], 99))
    with pytest.raises(ValueError, match="between 0 and 100"):
        percentile([1.0], 101)


def test_stats_report_the_same_percentiles_in_milliseconds():
    stats = Stats()
    for n in range(1, 101):
        stats.record("GET page", n / 1000, 200)
    row = stats.percentiles()["GET page"]
    assert row["n"] == 100
    assert (row["p50"], row["p95"], row["p99"]) == pytest.approx((50.0, 95.0, 99.0))
