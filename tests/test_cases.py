"""Strategies build valid cases directly: minima are exact minima, ranges are respected."""

from fractions import Fraction
from math import prod

from hypothesis import find, given, settings

from verify import cases
from verify.linear.run_strategies import _asymmetric, _diagonal_sigma, resnet_runs


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


@settings(max_examples=60)
@given(_diagonal_sigma(3))
def test_f4b_diagonal_covariances_stay_in_half_to_two_with_small_denominators(sigma):
    assert all(sigma[i][j] == 0 for i in range(3) for j in range(3) if i != j)
    assert all(
        Fraction(1, 2) <= sigma[i][i] <= 2 and sigma[i][i].denominator <= 4 for i in range(3)
    )


def test_f4b_diagonal_covariances_reach_both_ends():
    for end in (Fraction(1, 2), Fraction(2)):
        assert find(_diagonal_sigma(1), lambda sigma, end=end: sigma[0][0] == end) == ((end,),)


def test_f4c_moves_a_symmetric_draw_off_symmetry_within_a_quarter():
    q, e = Fraction(1, 4), Fraction(1, 8)
    assert _asymmetric([0, q, q, 0], 2) == ((0, e), (q, 0))
    assert _asymmetric([0, -q, -q, 0], 2) == ((0, -e), (-q, 0))
    assert _asymmetric([0, e, e, 0], 2) == ((0, q), (e, 0))
    assert _asymmetric([0, q, 0, 0], 2) == ((0, q), (0, 0))  # already not symmetric


@settings(max_examples=30)
@given(resnet_runs(depth=(2, 2), width=(2, 3), symmetric=False))
def test_f4c_targets_are_near_the_identity_and_not_symmetric(case):
    d = case.widths[0]
    e = [[case.target[i][j] - (i == j) for j in range(d)] for i in range(d)]
    assert all(abs(x) <= Fraction(1, 4) for row in e for x in row)
    assert any(e[i][j] != e[j][i] for i in range(d) for j in range(d))


@settings(max_examples=30, deadline=None)
@given(cases.global_minima(depth=(2, 2), width=(1, 2), whitened=False))
def test_non_whitened_global_minima_all_have_a_data_covariance(net):
    assert net.construction in ("balanced", "gauge") and net.sigma_x is not None
