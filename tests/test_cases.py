"""Strategies build valid cases directly: minima are exact minima, ranges are respected."""

from fractions import Fraction
from math import prod

from hypothesis import given, settings

from verify import cases


@settings(max_examples=60)
@given(cases.rationals(Fraction(1, 3), Fraction(5, 2), max_denominator=7))
def test_rationals_stay_in_range(r):
    assert Fraction(1, 3) <= r <= Fraction(5, 2)
    assert r.denominator <= 7


@settings(max_examples=60)
@given(cases.scalar_minima())
def test_scalar_minima_are_exact_minima(net):
    assert 2 <= net.depth <= 6
    assert prod(net.weights) == net.target
    assert all(w != 0 for w in net.weights)


@settings(max_examples=30)
@given(cases.balanced_scalar_minima())
def test_balanced_minima_have_unit_weights(net):
    assert prod(net.weights) == 1
    assert all(abs(w) == 1 for w in net.weights)


@settings(max_examples=30)
@given(cases.scalar_runs())
def test_runs_have_positive_steps(run):
    assert Fraction(1, 100) <= run.step <= Fraction(1, 5)
    assert 1 <= run.steps <= 25
    assert all(Fraction(1, 2) <= abs(w) <= Fraction(3, 2) for w in run.network.weights)


@settings(max_examples=40)
@given(cases.datasets())
def test_datasets_are_in_range_and_not_realisable(data):
    # docstring of runs.datasets: x_m ∈ [1/2, 2], y_m = x_m (1 + δ_m), δ_m ∈ [−1/2, 1/2], except
    # that y_0 gains 1/4 when every y_m / x_m is equal (so no P fits every point exactly).
    assert 3 <= data.size <= 8
    assert all(Fraction(1, 2) <= x <= 2 for x in data.xs)
    ratios = [y / x for x, y in zip(data.xs, data.ys, strict=True)]
    assert all(Fraction(1, 2) <= r <= Fraction(3, 2) for r in ratios[1:])
    assert len(set(ratios)) > 1
