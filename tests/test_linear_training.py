"""Float64 GD on linear networks, Gauss–Newton polishing onto {P = T}, and claims F4, F4b,
F4c, F9, F9b."""

import re
from dataclasses import replace
from fractions import Fraction as F
from types import SimpleNamespace

import numpy as np
import pytest

from verify.claims.linear import step_trend
from verify.claims.linear.resnet import f4b_resnet_non_whitened
from verify.claims.linear.stability import f9d_sgd_stability, sgd_context
from verify.evidence import Degenerate, InvalidCase
from verify.linear import curvature as cv
from verify.linear.network import Net, rows_at
from verify.linear.polish import pinv_solve, polish
from verify.linear.resnet import extrapolate, gd_fixed
from verify.linear.runs import (
    StepExperiment,
    TrainingCase,
    endpoint,
    float64_end,
    polish_run,
    run,
    sample_covariance,
    sgd_data,
    step_size,
)
from verify.linear.train import (
    gauss_newton_sharpness,
    gd,
    gd_precise,
    loss,
    random_init,
    resnet_init,
    sgd_noise,
)
from verify.precision import exact, workcontext
from verify.stats import bootstrap_mean, bootstrap_rho, spearman, tie_ranks

TARGET = np.array([[1.0, 0.5], [0.25, 2.0]])
TARGET_ROWS = ((F(1), F(1, 2)), (F(1, 4), F(2)))


def test_gd_converges_on_a_depth_two_problem():
    start = random_init((2, 3, 2), 0.3, np.random.default_rng(1))
    result = gd(start, np.eye(2), TARGET, 0.1, 20_000)
    assert result.status == "converged"
    assert result.loss <= 1e-26 and result.grad_norm <= 1e-12
    assert 0 < result.steps < 20_000
    product = result.weights[1] @ result.weights[0]
    assert np.allclose(product, TARGET, atol=1e-12)
    assert result.history and result.history[0] > result.history[-1]


def test_resnet_init_converges_to_a_symmetric_target():
    target = np.array([[1.25, 0.25], [0.25, 1.0]])
    result = gd(resnet_init(2, 3), np.eye(2), target, 0.1, 20_000)
    assert result.converged


def test_divergence_is_detected_without_nan():
    start = random_init((2, 3, 2), 0.3, np.random.default_rng(1))
    result = gd(start, np.eye(2), TARGET, 1.5, 20_000)
    assert result.status == "diverged"
    assert result.steps < 100
    assert all(np.all(np.isfinite(w)) for w in result.weights)
    assert not np.isnan(result.loss)
    assert all(np.isfinite(x) for x in result.history)


def test_loss_is_half_the_covariance_weighted_squared_residual():
    weights = [np.array([[1.0, 2.0]]), np.array([[3.0]])]  # P = (3, 6), P − T = (2, 6)
    sigma = np.array([[2.0, 1.0], [1.0, 1.0]])
    assert loss(weights, sigma, np.array([[1.0, 0.0]])) == 0.5 * (2 * 4 + 2 * 12 + 36)


def _scalar(w1: float, w2: float) -> list[np.ndarray]:
    return [np.array([[w1]]), np.array([[w2]])]


def test_a_loss_growing_for_patience_steps_is_divergence_before_any_blowup():
    # η λ > 2 near the minimum w_1 = w_2 = 1 (λ = 2): the loss grows every step
    start, one = _scalar(1.01, 1.01), np.eye(1)
    result = gd(start, one, one, 1.2, 1000, patience=5)
    assert (result.status, result.steps) == ("diverged", 5)
    assert result.loss == loss(result.weights, one, one) < 1
    assert np.isfinite(result.grad_norm) and len(result.history) == 1


def test_a_loss_above_blowup_is_divergence_and_one_at_it_is_not():
    start, one = _scalar(2.0, 2.0), np.eye(1)
    first = loss(start, one, one)  # 4.5
    above = gd(start, one, one, 0.01, 10, blowup=first - 1e-9)
    assert (above.status, above.steps, above.loss, above.grad_norm) == (
        "diverged",
        0,
        first,
        np.inf,
    )
    at = gd(start, one, one, 0.01, 10, blowup=first)
    assert at.status == "stalled" and at.steps == 10


def test_an_overflowing_step_is_divergence_with_the_last_finite_weights():
    start, one = _scalar(10.0, 10.0), np.eye(1)  # ∂L/∂w_k = 990: η = 1e308 overflows
    result = gd(start, one, one, 1e308, 1000)
    assert (result.status, result.steps, result.loss) == ("diverged", 1, loss(start, one, one))
    assert all(np.array_equal(w, s) for w, s in zip(result.weights, start, strict=True))


def test_a_stalled_run_keeps_its_loss_history():
    start, one = _scalar(1.01, 1.01), np.eye(1)
    result = gd(start, one, one, 0.1, 25)  # L every 10 steps: t = 0, 10, 20
    assert (result.status, result.steps) == ("stalled", 25)
    assert len(result.history) == 3 and result.history[0] == loss(start, one, one)
    assert result.history == sorted(result.history, reverse=True)


def test_gd_takes_an_exact_rational_covariance():
    start = [0.5 * np.eye(2), 0.5 * np.eye(2)]
    exact_sigma = [[F(2), F(1, 2)], [F(1, 2), F(1)]]
    result = gd(start, exact_sigma, TARGET, 0.05, 50)
    floating = gd(start, np.array(exact_sigma, dtype=float), TARGET, 0.05, 50)
    assert result.loss == floating.loss and result.status == floating.status == "stalled"


def test_sgd_without_data_draws_sixty_four_points():
    start = random_init((2, 2, 2), 0.3, np.random.default_rng(2))
    assert gd(start, np.eye(2), TARGET, 0.05, 1, batch=64).steps == 1
    with pytest.raises(ValueError, match=r"in \[1, 64\]"):
        gd(start, np.eye(2), TARGET, 0.05, 1, batch=65)


def test_sgd_on_synthetic_data_reaches_the_target():
    start = random_init((2, 2, 2), 0.3, np.random.default_rng(2))
    rng = np.random.default_rng(3)
    result = gd(start, np.eye(2), TARGET, 0.05, 3_000, batch=8, rng=rng, tol=1e-6, grad_tol=1e-3)
    assert result.status in ("converged", "stalled")
    assert result.loss < 1e-3


@pytest.mark.parametrize("batch", [0, -1, 9, 2.5])
def test_sgd_rejects_a_batch_size_outside_one_to_n(batch):
    start = random_init((2, 2, 2), 0.3, np.random.default_rng(2))
    data = np.random.default_rng(3).standard_normal((2, 8))
    with pytest.raises(ValueError, match="batch size must"):
        gd(start, data @ data.T / 8, TARGET, 0.05, 10, batch=batch, data=data)


def test_an_sgd_case_validates_its_batch_size():
    target = ((F(1), F(0)), (F(0), F(1, 2)))
    with pytest.raises(ValueError, match=r"batch size must be an integer in \[1, 4\]"):
        TrainingCase((2, 2, 2), target, "small", F(1, 10), 0, F(1, 2), batch=5, samples=4)
    with pytest.raises(ValueError, match="n ≥ d_0"):
        TrainingCase((2, 2, 2), target, "small", F(1, 10), 0, F(1, 2), batch=1, samples=1)


SGD_CASE = TrainingCase(
    (2, 3, 2), ((F(1), F(1, 2)), (F(1, 4), F(2))), "small", F(1, 5), 7, F(1, 2), batch=2, samples=6
)


def test_sgd_case_uses_the_exact_sample_covariance():
    x = sgd_data(2, 6, 7)
    sigma = np.array([[float(v) for v in row] for row in sample_covariance(2, 6, 7)])
    assert np.allclose(sigma, x @ x.T / 6, atol=1e-15)
    assert np.allclose(sigma, np.eye(2), atol=1e-14)
    assert SGD_CASE.sigma_rows() == sample_covariance(2, 6, 7)


def test_sgd_noise_ratio_is_wu_ma_e_share_and_vanishes_for_the_full_batch():
    # η s √((n − B) / (B (n − 1))): B = 2 of n = 6 samples gives √(2/5); B = n gives 0.
    result = run(SGD_CASE)
    part = sgd_context(SGD_CASE, result, 1.0)
    full = sgd_context(replace(SGD_CASE, batch=SGD_CASE.samples), result, 1.0)
    share = step_size(SGD_CASE) * part["non_uniformity"] * (4 / 10) ** 0.5
    assert part["noise_ratio"] == pytest.approx(share, rel=1e-12) and share > 0
    assert full["noise_ratio"] == 0 and full["batch"] == full["samples"] == 6


def test_f9d_on_a_converged_sgd_run():
    result = run(SGD_CASE)
    assert result.converged
    ctx = workcontext(50)
    ev = f9d_sgd_stability(SGD_CASE, ctx)
    assert ev.holds(ctx)
    assert ev.values["lambda_max_times_step"] <= 2
    assert ev.values["batch"] == 2 and ev.values["samples"] == 6
    assert ev.values["non_uniformity"] > 0
    sharp, _ = sgd_noise(result.weights, sgd_data(2, 6, 7))
    assert abs(sharp - float(ev.values["lambda_max"])) < 1e-8 * sharp
    with pytest.raises(InvalidCase):
        f9d_sgd_stability(replace(SGD_CASE, batch=None, samples=0), ctx)


def test_full_batch_sgd_has_no_batch_noise():
    start = random_init((2, 3, 2), 0.3, np.random.default_rng(1))
    data = sgd_data(2, 6, 7)
    result = gd(start, data @ data.T / 6, TARGET, 0.1, 20_000, batch=6, data=data)
    assert result.converged
    full = gd(start, data @ data.T / 6, TARGET, 0.1, 20_000)
    assert abs(result.steps - full.steps) <= 2  # batch covariances differ by rounding only
    pairs = zip(result.weights, full.weights, strict=True)
    assert all(np.allclose(a, b, atol=1e-9) for a, b in pairs)


def test_a_step_experiment_runs_every_seed_and_fraction_with_its_own_budget():
    target = ((F(1), F(1, 2)), (F(1, 4), F(2)))
    exp = StepExperiment((2, 3, 2), target, F(1), (7, 8), (F(1, 4), F(1, 2)), 123, "large")
    exp = replace(exp, reference="init")
    runs = exp.runs()
    assert [(c.seed, c.step_fraction) for c in runs] == [
        (7, F(1, 4)),
        (7, F(1, 2)),
        (8, F(1, 4)),
        (8, F(1, 2)),
    ]
    assert {(c.steps, c.init, c.scale, c.reference, c.widths) for c in runs} == {
        (123, "large", F(1), "init", (2, 3, 2))
    }


def test_init_reference_scales_the_step_by_the_initial_sharpness():
    target = ((F(1), F(1, 2)), (F(1, 4), F(2)))
    case = TrainingCase((2, 3, 2), target, "large", F(2), 5, F(1, 2), reference="init")
    start = random_init((2, 3, 2), 2.0, np.random.default_rng(5))
    top = gauss_newton_sharpness(start, np.eye(2))
    # at c = 1/2, η_flat = 1/λ_flat: a large init is sharper than the flattest minimum
    assert top > 1 / step_size(replace(case, reference="flat"))
    assert step_size(case) == 0.5 * 2 / top


def test_gauss_newton_sharpness_is_h1s_lambda_max_at_a_minimum():
    start = random_init((2, 3, 2), 0.3, np.random.default_rng(1))
    result = gd(start, np.eye(2), TARGET, 0.1, 20_000)
    ctx = workcontext(30)
    polished = polish(ctx, result.weights, ctx.eye(2), ctx.matrix(TARGET.tolist()))
    lam = float(cv.sharpness(polished.net))
    assert abs(gauss_newton_sharpness(result.weights, np.eye(2)) - lam) < 1e-9 * lam


def test_polish_reaches_the_minimum_set_at_fifty_digits():
    start = random_init((2, 3, 2), 0.3, np.random.default_rng(1))
    result = gd(start, np.eye(2), TARGET, 0.1, 20_000)
    ctx = workcontext(50)
    polished = polish(ctx, result.weights, ctx.eye(2), ctx.matrix(TARGET.tolist()))
    assert polished.residual < ctx.mpf("1e-45")
    assert ctx.mnorm(polished.net.residual(), "F") < ctx.mpf("1e-45")
    assert polished.distance < 1e-10
    assert cv.sharpness(polished.net) <= 2 / 0.1


def test_step_limit_extrapolates_a_power_law_to_zero():
    ctx = workcontext(50)
    etas = [ctx.mpf(1) / 10 / 2**j for j in range(4)]
    quadratic = extrapolate(ctx, [3 * h**2 + 5 * h**3 for h in etas], ctx.mpf("1e-45"))
    assert abs(quadratic.order - 2) < 0.1
    assert abs(quadratic.limit) <= quadratic.uncertainty < ctx.mpf("1e-3")
    exact_square = extrapolate(ctx, [7 * h**2 for h in etas], ctx.mpf("1e-45"))
    assert abs(exact_square.order - 2) < ctx.mpf("1e-40") and abs(exact_square.limit) < 1e-45
    offset = extrapolate(ctx, [ctx.mpf("1e-3") + 3 * h**2 for h in etas], ctx.mpf("1e-45"))
    assert abs(offset.limit - ctx.mpf("1e-3")) < ctx.mpf("1e-40")
    assert offset.uncertainty < abs(offset.limit)  # an offset is not 0 within uncertainty
    constant = extrapolate(ctx, [ctx.mpf("1e-6")] * 4, ctx.mpf("1e-45"))
    assert constant.order == 0 and constant.limit == ctx.mpf("1e-6") and constant.uncertainty == 0
    with pytest.raises(Degenerate, match="power of η"):
        extrapolate(ctx, [h**2 * (-1) ** j for j, h in enumerate(etas)], ctx.mpf("1e-45"))


def test_an_excess_that_stops_falling_at_one_step_size_is_no_power_law():
    ctx = workcontext(30)
    floor = ctx.mpf("1e-25")
    for excesses in ([3, 2, 2, 2], [1, 1, ctx.mpf(1) / 2, ctx.mpf(1) / 4]):
        shown = ", ".join(ctx.nstr(ctx.mpf(e), 3) for e in excesses)
        with pytest.raises(Degenerate, match=re.escape(f"excesses {shown}")):
            extrapolate(ctx, [ctx.mpf(e) for e in excesses], floor)


def test_endpoint_uncertainty_is_lipschitz_times_the_polish_distance():
    case = TrainingCase((2, 3, 2), TARGET_ROWS, "small", F(3, 10), 1, F(1, 10))
    ctx = workcontext(50)
    result = run(case)
    rough = polish_run(case, ctx, result)
    values = endpoint(ctx, result, rough)
    assert values["polish_distance"] == rough.distance
    assert 0 < values["polish_distance"] < 1e-10  # float64 end point within rounding of P = T
    assert 0 < values["endpoint_uncertainty"] < 1e-8
    lam = cv.sharpness(rough.net)
    end64 = Net(ctx, float64_end(ctx, result), ctx.eye(2), rough.net.target)
    assert abs(cv.sharpness(end64) - lam) <= values["endpoint_uncertainty"]


def test_fixed_point_gd_matches_mpmath_gd():
    case = TrainingCase(
        (2, 2, 2, 2),
        ((F(3, 4), F(1, 5)), (F(0), F(6, 7))),
        "resnet",
        F(0),
        0,
        F(1, 10),
        sigma=((F(7, 4), F(1, 3)), (F(1, 3), F(2))),
    )
    ctx = workcontext(50)
    net = Net(
        ctx, [ctx.eye(2) for _ in range(3)], rows_at(ctx, case.sigma), rows_at(ctx, case.target)
    )
    gd_precise(net, step_size(case), ctx.zero, 200)
    weights, reached, steps = gd_fixed(case, 50, F(0), 200)
    assert steps == 200 and not reached
    gap = max(
        abs(net.weights[k][i, j] - exact(ctx, weights[k][i][j]))
        for k in range(3)
        for i in range(2)
        for j in range(2)
    )
    assert gap < ctx.mpf("1e-45")


def test_non_whitened_resnet_limit_is_balanced_but_not_flattest():
    # T = diag(1, 3/4), Σx = diag(1, 2), N = 2: GD from W = I stays diagonal and balanced,
    # W = T^(1/2); λ_max = 2 (1 + 3/4) = 7/2 while F2's flattest value is 2 · (3/4) / (1/2) = 3.
    case = TrainingCase(
        (2, 2, 2),
        ((F(1), F(0)), (F(0), F(3, 4))),
        "resnet",
        F(0),
        0,
        F(1, 10),
        sigma=((F(1), F(0)), (F(0), F(2))),
    )
    ctx = workcontext(50)
    ev = f4b_resnet_non_whitened(case, ctx)
    assert abs(ev.values["lambda_max"] - ctx.mpf(7) / 2) < ctx.mpf("1e-12")
    assert abs(ev.values["flattest"] - 3) < ctx.mpf("1e-40")
    assert not ev.holds(ctx)


def test_spearman_ties_and_bootstrap_are_deterministic():
    ctx = workcontext(30)
    ranks = tie_ranks([ctx.mpf(2), ctx.mpf(1), ctx.mpf(2) + ctx.mpf("1e-40"), ctx.mpf(3)], ctx)
    assert ranks == [F(5, 2), F(1), F(5, 2), F(4)]
    assert spearman([1, 2, 3], [3, 2, 1]) == pytest.approx(-1)
    assert spearman([1, 2, 3], [1, 1, 1]) is None
    assert bootstrap_rho([1, 2, 3, 4], [4, 3, 2, 1]) == bootstrap_rho([1, 2, 3, 4], [4, 3, 2, 1])
    low, high = bootstrap_mean([-1.0, -1.0, -1.0])
    assert low == high == -1.0


def test_polishing_from_the_origin_has_no_gauss_newton_direction():
    # W = 0 (depth 2): every block A_kᵀ ⊗ B_k of the Jacobian of P contains a zero layer
    ctx = workcontext(30)
    with pytest.raises(Degenerate, match="the Jacobian of P vanishes"):
        polish(ctx, [np.zeros((2, 2)), np.zeros((2, 2))], ctx.eye(2), ctx.matrix(TARGET.tolist()))


def test_pseudo_inverse_drops_eigenvalues_below_half_the_digits():
    # dps = 15: eigenvalues up to 10^−⌊15/2⌋ = 1e-7 of the largest count as 0
    ctx = workcontext(15)
    rhs = ctx.matrix([[1], [1]])
    dropped = pinv_solve(ctx, ctx.diag([1, ctx.mpf("5e-8")]), rhs)
    kept = pinv_solve(ctx, ctx.diag([1, ctx.mpf("2e-7")]), rhs)
    assert (dropped[0], dropped[1]) == (1, 0)
    assert kept[0] == 1 and abs(kept[1] - 5_000_000) < 1e-6


def test_polish_refuses_an_unreachable_target():
    start = random_init((2, 1, 2), 0.3, np.random.default_rng(1))
    result = gd(start, np.eye(2), TARGET, 0.1, 2_000)  # rank-one bottleneck, rank-two target
    ctx = workcontext(30)
    with pytest.raises(Degenerate):
        polish(ctx, result.weights, ctx.eye(2), ctx.matrix(TARGET.tolist()))


def test_f6b_checks_weight_decay_minima_and_plain_gd_minima_are_not_flattest():
    """F6b's second kind of trained minimum: weight-decay GD from a random start, polished to
    its stationary point, is flattest for its own product and coupled; the same start with
    μ = 0 reaches a global minimum that is not flattest, which F6b must reject."""
    from dataclasses import replace

    from verify.claims.linear.resnet import f6_trained_coupling
    from verify.dynamics.matrix import MatrixRun
    from verify.evidence import InvalidCase
    from verify.linear.network import LinearNetwork

    start = ((F(-1, 4), F(-1, 2)),), ((F(-1, 4),), (F(-1, 2),))
    target = ((F(5, 4), F(0)), (F(0), F(0)))
    case = MatrixRun(LinearNetwork(start, None, target), F(1, 50), F(1, 7), 20000)
    ctx = workcontext(50)
    found = f6_trained_coupling(case, ctx)
    assert found.holds(ctx) and found.values["trained"] == "weight decay"
    assert abs(found.values["coupling_1_2"] - 1) < 1e-30
    with pytest.raises(InvalidCase, match="flattest"):
        f6_trained_coupling(replace(case, decay=F(0)), ctx)


def test_step_trend_skips_a_seed_with_one_step_size_and_counts_strict_decreases(monkeypatch):
    # seed 0 converges at c = 1/10 only; λ_max falls with η on seed 1 (ρ = −1) and only
    # mostly on seed 2 (λ ranks 3, 4, 1, 2: ρ = −0.6); η is ranked within each seed, so seed 0
    # converging elsewhere does not bend seed 1's ρ. Runs and λ_max are stand-ins
    exp = StepExperiment((1, 1, 1), ((F(1),),), F(1, 10), (0, 1, 2))
    lams = {1: (1.4, 1.3, 1.2, 1.1), 2: (1.3, 1.4, 1.1, 1.2)}
    fractions = list(exp.fractions)

    def fake_run(case):
        return SimpleNamespace(converged=case.seed > 0 or case.step_fraction == F(1, 10))

    def fake_sharpness(case, dps):
        lam = lams.get(case.seed, (2.0,) * 4)[fractions.index(case.step_fraction)]
        return lam, {"polish_distance": 0.0}

    monkeypatch.setattr(step_trend, "run", fake_run)
    monkeypatch.setattr(step_trend, "polished_sharpness", fake_sharpness)
    values = step_trend.f9b_step_trend(exp, workcontext(30)).values
    assert (values["converged"], values["runs"]) == (9, 12)
    assert (values["seeds_with_trend"], values["seeds_strictly_decreasing"]) == (2, 1)
    assert abs(values["rho_within_seed"] + 0.8) < 1e-12
