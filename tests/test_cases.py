"""Strategies build valid cases directly: minima are exact minima, ranges are respected."""

from fractions import Fraction
from math import prod

from hypothesis import HealthCheck, Phase, find, given, settings

from verify import cases
from verify.dynamics import runs
from verify.linear.run_strategies import _asymmetric, _diagonal_sigma, resnet_runs


def _draws(strategy, n: int = 200) -> list:
    """n examples of `strategy`, the same ones every run (derandomized, no database).

    The strategy is built by the caller inside the test, so that the code building it is
    part of the test (mutation testing records which tests reach which function)."""
    seen = []

    @settings(
        max_examples=n,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(x):
        seen.append(x)

    collect()
    return seen


def _inside(values, lo, hi, max_denominator: int | None = None) -> bool:
    """Every value lies in [lo, hi], with a denominator <= max_denominator if one is given."""
    values = [Fraction(v) for v in values]
    small = max_denominator is None or all(v.denominator <= max_denominator for v in values)
    return small and all(lo <= v <= hi for v in values)


def _spans(values, lo, hi, max_denominator: int | None = None) -> bool:
    """`_inside`, and both ends occur."""
    values = list(values)
    return _inside(values, lo, hi, max_denominator) and min(values) == lo and max(values) == hi


def _reaches(strategy, condition) -> bool:
    """Some example of `strategy` satisfies `condition` (an end the draws above rarely hit)."""
    found = find(
        strategy,
        condition,
        settings=settings(
            max_examples=2000, derandomize=True, database=None, phases=[Phase.generate]
        ),
    )
    return condition(found)


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


def test_datasets_draw_the_documented_domain_and_are_not_realisable():
    # docs/claims/dynamics.md, G5: 3–8 samples x_m ∈ [1/2, 2], y_m = x_m (1 + δ_m) with
    # δ_m ∈ [−1/2, 1/2], except that y_0 gains 1/4 when every y_m / x_m is equal (so no P fits
    # every point exactly).
    found = _draws(cases.datasets())
    assert {data.size for data in found} == set(range(3, 9))
    assert _spans([x for data in found for x in data.xs], Fraction(1, 2), 2)
    ratios = [[y / x for x, y in zip(d.xs, d.ys, strict=True)] for d in found]
    assert _spans([r for rs in ratios for r in rs[1:]], Fraction(1, 2), Fraction(3, 2))
    assert all(len(set(rs)) > 1 for rs in ratios)


def test_decay_runs_draw_the_whole_documented_domain():
    # docs/claims/dynamics.md, G3: w ∈ [3/4, 5/4]^N, N = 2–4, η ∈ [1/50, 1/10] (denominators
    # ≤ 100), μ ∈ [1/20, 1/4] (≤ 20), 1–30 steps, τ ∈ [1/4, 2].
    found = _draws(runs.decay_runs())
    assert {run.network.depth for run in found} == {2, 3, 4}
    weights = [w for run in found for w in run.network.weights]
    assert _spans(weights, Fraction(3, 4), Fraction(5, 4))
    assert all(run.network.target == 1 for run in found)
    assert _spans([run.step for run in found], Fraction(1, 50), Fraction(1, 10), 100)
    assert _spans([run.decay for run in found], Fraction(1, 20), Fraction(1, 4), 20)
    assert _inside([run.steps for run in found], 1, 30) and min(r.steps for r in found) == 1
    assert _reaches(runs.decay_runs(), lambda run: run.steps == 30)
    assert _spans([run.horizon for run in found], Fraction(1, 4), 2)


def test_noise_runs_draw_the_whole_documented_domain():
    # docs/claims/dynamics.md, G4: N = 2–4, w ∈ [3/4, 5/4], σ ∈ [1/10, 1] (denominators ≤ 10),
    # η ∈ [1/100, 1/10] (≤ 100), 1–40 steps, a seed in 0..2¹⁶.
    found = _draws(runs.noise_runs())
    assert {run.network.depth for run in found} == {2, 3, 4}
    weights = [w for run in found for w in run.network.weights]
    assert _spans(weights, Fraction(3, 4), Fraction(5, 4))
    assert _spans([run.sigma for run in found], Fraction(1, 10), 1, 10)
    assert _spans([run.step for run in found], Fraction(1, 100), Fraction(1, 10), 100)
    assert _spans([run.steps for run in found], 1, 40)
    assert _inside([run.seed for run in found], 0, 2**16)


def test_matrix_flows_draw_the_whole_documented_domain():
    # docs/claims/dynamics.md, G1b: depth 2–3, widths 1–2, entries in [−1, 1] and τ ∈ [1/4, 1/2],
    # both with denominators ≤ 4 (the Taylor integrator's cost grows with every product).
    found = _draws(runs.matrix_flows(), 100)
    nets = [flow.network for flow in found]
    assert {net.depth for net in nets} == {2, 3}
    entries = [x for net in nets for m in (*net.weights, net.target) for row in m for x in row]
    assert _spans(entries, -1, 1, 4)
    assert {len(row) for net in nets for m in net.weights for row in m} == {1, 2}
    assert _spans([flow.horizon for flow in found], Fraction(1, 4), Fraction(1, 2), 4)


def test_f4b_diagonal_covariances_are_drawn_in_half_to_two_with_denominators_up_to_4():
    """The strategy is built in the test (not at import), so a changed domain is seen."""

    @settings(max_examples=60, derandomize=True, database=None)
    @given(_diagonal_sigma(3))
    def check(sigma):
        assert all(sigma[i][j] == 0 for i in range(3) for j in range(3) if i != j)
        assert all(Fraction(1, 2) <= sigma[i][i] <= 2 for i in range(3))
        assert all(sigma[i][i].denominator <= 4 for i in range(3))

    check()


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
