"""Training dynamics (G2–G5, G7 numerics): exact step identities, rates, errors, divergence."""

import math
from fractions import Fraction as F

import pytest

from verify import scalar
from verify.dynamics import data, matrix, rates, steps
from verify.dynamics.runs import DecayRun, MatrixRun, NoiseRun, PhaseExperiment, SgdExperiment
from verify.dynamics.stationary import decayed_gradient, stationary_point
from verify.dynamics.trajectories import DATA as FIGURE_DATA
from verify.dynamics.trajectories import MAX_STEPS, START, Schedule, trajectories
from verify.evidence import InvalidCase
from verify.linear import curvature as cv
from verify.linear.network import LinearNetwork
from verify.precision import exact, workcontext
from verify.stats import interval

CTX = workcontext(50)
WS = [F(1, 2), F(3, 2), F(5, 4)]


@pytest.mark.parametrize("mu", [F(0), F(1, 10)])
def test_imbalance_factor_is_exact_in_rational_arithmetic(mu):
    eta, r = F(1, 7), F(-2, 3)
    after = steps.step(WS, r, eta, mu)
    for (i, j), d in scalar.imbalances(WS).items():
        assert scalar.imbalances(after)[(i, j)] == d * steps.imbalance_factor(WS, i, j, r, eta, mu)


def test_weight_decay_factor_without_the_square_is_wrong():
    eta, r, mu = F(1, 7), F(-2, 3), F(1, 10)
    after = steps.step(WS, r, eta, mu)
    wrong = (1 - eta * mu) - eta**2 * r**2 * scalar.others(WS, 0, 1) ** 2
    assert scalar.imbalances(after)[(0, 1)] != scalar.imbalances(WS)[(0, 1)] * wrong


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"eta": -1}, "step size η must be positive"),
        ({"eta": F(1, 10), "mu": F(-1, 10)}, "weight decay μ must be non-negative"),
        ({"eta": F(1, 10), "batch": 9, "n": 6}, "batch size must be between 1 and the 6"),
    ],
)
def test_bad_schedules_are_one_line_errors(kwargs, message):
    with pytest.raises(InvalidCase, match=message):
        steps.check_schedule(**kwargs)


def test_divergent_step_is_reported_not_nan():
    runs = trajectories(Schedule(eta=1.5, steps=200))
    assert all(run.diverged_at is not None for run in runs)
    assert all(math.isfinite(x) for run in runs for x in run.losses + run.imbalances)


def test_regularised_stationary_point_is_balanced_but_not_without_decay():
    t, mu = CTX.one, CTX.mpf(1) / 10
    rest = stationary_point(CTX, [exact(CTX, x) for x in WS], t, mu)
    assert max(abs(g) for g in decayed_gradient(CTX, rest, t, mu)) < CTX.mpf(10) ** -40
    assert max(abs(d) for d in scalar.imbalances(rest).values()) < CTX.mpf(10) ** -40
    # μ = 0: an unbalanced global minimum (Π w = 1) is already stationary and stays unbalanced.
    unbalanced = [CTX.mpf(1) / 2, CTX.mpf(2), CTX.one]
    kept = stationary_point(CTX, unbalanced, t, CTX.zero)
    assert abs(scalar.imbalances(kept)[(0, 1)]) > 1


def test_gaussian_noise_moment_matches_quadrature():
    sigma, p = F(1, 2), F(4, 5)
    density = lambda e: CTX.exp(-(e**2) / 2) / CTX.sqrt(2 * CTX.pi)  # noqa: E731
    integral = CTX.quad(
        lambda e: data.noisy_factor(exact(CTX, p), exact(CTX, sigma), e) ** 2 * density(e),
        [-CTX.inf, CTX.inf],
    )
    assert abs(integral - exact(CTX, data.noise_moment(p, sigma))) < CTX.mpf(10) ** -40


DATA = data.Dataset((F(1), F(1, 2), F(2), F(3, 2)), (F(1), F(3, 4), F(3, 2), F(2)))


def test_gradient_factors_average_to_zero_at_the_least_squares_minimiser():
    factors = DATA.gradient_factors(DATA.minimiser())
    assert sum(factors) == 0 and DATA.spread() > 0


def _sgd(batch: int) -> SgdExperiment:
    start = (F(1, 2), DATA.minimiser() * 2)
    return SgdExperiment(DATA, start, F(1, 2000), batch, 800, 16)


def test_sgd_rate_matches_s2_over_b_and_rejects_s2_over_b_squared():
    exp = _sgd(2)
    from verify.claims.dynamics import G5_TOLERANCE, g5_sgd_rate
    from verify.population import agreement

    found = [rates.sgd_rate(CTX, exp, seed) for seed in range(exp.seeds)]
    _, low, high = interval([r.ratio for r in found])
    assert low <= 1 <= high
    ev = g5_sgd_rate(exp, CTX)
    assert ev.observation.outcome == "supports"
    # The record: rates averaged over the seeds, and the ratio interval the rule decided on.
    assert ev.values["predicted_rate"] == sum(r.predicted for r in found) / len(found)
    assert ev.values["measured_rate"] == sum(r.measured for r in found) / len(found)
    assert (ev.values["ratio_low"], ev.values["ratio_high"]) == (low, high)
    # A wrong prediction η²s²/B² is off by the factor B = 2: outside the interval, and an
    # experiment G5's rule counts against it.
    mean, low, high = interval([r.ratio * exp.batch for r in found])
    assert not low <= 1 <= high
    wrong = agreement({"ratio − 1": (mean - 1, low - 1, high - 1)}, G5_TOLERANCE, "B²")
    assert wrong.outcome == "contradicts"


def test_two_phases_are_found_and_weight_decay_drives_the_slow_one():
    start = ((F(1, 4), F(3, 2)),)
    found = rates.phases(CTX, PhaseExperiment(start, F(1, 20), F(1, 200), 3000), 0)
    assert found.boundary and found.monotone_until_boundary
    assert 0.5 < found.fast_measured / found.fast_predicted < 2
    assert abs(found.slow_measured / found.slow_predicted - 1) < 0.01
    # Without weight decay there is no second phase: the imbalance stops moving.
    plain = rates.phases(CTX, PhaseExperiment(start, F(1, 20), F(0), 3000), 0)
    assert abs(plain.slow_measured) < 1e-6


def test_matrix_balance_step_identity_and_a_first_order_version_fails():
    weights = (((F(1, 2), F(-1)), (F(1, 4), F(3, 4))), ((F(1), F(1, 2)),))
    run = MatrixRun(LinearNetwork(weights, None, ((F(1), F(-1, 2)),)), F(1, 10), F(1, 10), 1)
    net = run.network.at(CTX)
    eta, mu = exact(CTX, run.step), exact(CTX, run.decay)
    nxt, grads = matrix.decayed_step(net, eta, mu)
    (before,), (after,), (gb,) = cv.balance(net), cv.balance(nxt), matrix.gradient_balance(grads)
    exact_gap = CTX.mnorm(after - ((1 - eta * mu) ** 2 * before + eta**2 * gb), 1)
    first_order_gap = CTX.mnorm(after - ((1 - eta * mu) ** 2 * before + eta * gb), 1)
    assert exact_gap < CTX.mpf(10) ** -45 and first_order_gap > CTX.mpf(10) ** -3


def test_gradient_flow_conserves_imbalance_over_a_long_horizon_at_two_precisions():
    # G1 over τ = 20 (the catalogue draws τ ≤ 2): D_12 at 50 and 80 digits agree to 40+ digits.
    start = (F(1, 2), F(3, 2), F(1))
    ends = {}
    for dps in (50, 80):
        ctx = workcontext(dps)
        ws = [exact(ctx, w) for w in start]
        ends[dps] = scalar.flow(ctx, ws, ctx.one, 20)
        d0, d1 = scalar.imbalances(ws)[(0, 1)], scalar.imbalances(ends[dps])[(0, 1)]
        assert abs(d1 - d0) < ctx.mpf(10) ** (10 - dps)
    assert abs(scalar.others(ends[80]) - 1) < 1e-6  # the flow did reach the minimum set
    assert abs(ends[50][2] - ends[80][2]) < CTX.mpf(10) ** -40


def test_phases_rejects_a_negative_weight_decay():
    with pytest.raises(InvalidCase, match="weight decay μ must be non-negative"):
        rates.phases(CTX, PhaseExperiment(((F(1, 4), F(3, 2)),), F(1, 5), F(-1, 10), 8), 0)


def _close(a, b) -> bool:
    return abs(a - exact(CTX, b)) <= CTX.mpf(10) ** -40 * max(1, abs(b))


@pytest.mark.parametrize(("mu", "boundary"), [(F(1, 10), 6), (F(0), None)])
def test_phases_of_a_short_run_match_the_exact_rational_run(mu, boundary):
    # The definitions of rates.phases evaluated on the exact rational trajectory: with μ = 1/10
    # the boundary is t* = 6, and steps 0, 1, 2 (|g − g*| = 0.59, 0.30, 0.14) lie outside the
    # linear regime |g − g*| ≤ 1/10 (step 2 is inside 2/10); without decay no step of the 8 is
    # a boundary (the phase-1 check then runs to the last step).
    eta, n = F(1, 5), 8
    found = rates.phases(CTX, PhaseExperiment(((F(1, 4), F(3, 2)),), eta, mu, n), 0)
    path = [[F(1, 4), F(3, 2)]]
    for _ in range(n):
        path.append(steps.step(path[-1], scalar.others(path[-1]) - 1, eta, mu))
    gs = [scalar.others(ws) - 1 for ws in path]
    ds = [ws[0] ** 2 - ws[1] ** 2 for ws in path]
    lams = [sum(scalar.others(ws, k) ** 2 for k in range(2)) for ws in path]
    floors = [-mu * 2 * scalar.others(ws) / lam for ws, lam in zip(path, lams, strict=True)]
    moves = [
        abs(gs[t + 1] - gs[t]) * abs(ds[t]) - abs(ds[t + 1] - ds[t]) * abs(gs[t]) for t in range(n)
    ]
    assert found.boundary == boundary == next((t for t in range(n) if moves[t] <= 0), None)
    end = boundary or n
    linear = [t for t in range(end) if abs(gs[t] - floors[t]) <= F(1, 10)]
    assert linear == ([3, 4, 5] if boundary else [3, 4, 5, 6, 7])
    assert _close(found.fast_predicted, eta * sum(lams[t] for t in linear) / len(linear))
    assert found.monotone_until_boundary
    assert _close(found.loss_at_boundary, gs[end] ** 2 / 2)
    assert _close(found.loss_at_end, gs[-1] ** 2 / 2) and gs[-1] != gs[-2]
    assert all(_close(d, e) for d, e in zip(found.imbalances, ds, strict=True))


def test_sgd_rate_prediction_weights_by_the_square_of_the_other_weights():
    # One step from (1/2, 2, 1/2): the widest pair is (0, 1), Π_{k≠0,1} w_k = 1/2, so the
    # predicted rate is η² s²/B · (1/2)².
    exp = SgdExperiment(DATA, (F(1, 2), F(2), F(1, 2)), F(1, 100), 2, 1, 1)
    found = rates.sgd_rate(CTX, exp, 0)
    assert _close(found.predicted, exp.step**2 * DATA.spread() / 2 / 4)


def test_figure_trajectories_start_with_the_exact_first_step_and_their_floors():
    schedule = Schedule(steps=3)
    runs = trajectories(schedule)
    assert [len(run.losses) for run in runs] == [schedule.steps + 1] * 4
    assert [run.stochastic for run in runs] == [False, False, True, True]
    (w1, w2), eta = START, schedule.eta
    g = w1 * w2 - 1  # P = 3/8 at the start: loss ½(P − 1)² = 25/128, floor 0 at P = 1
    for run, mu in zip(runs[:2], (0.0, schedule.mu), strict=True):
        assert (run.floor, run.losses[0]) == (0.0, F(25, 128))
        keep = 1 - eta * mu
        assert run.path[1] == pytest.approx(
            (keep * w1 - eta * g * w2, keep * w2 - eta * g * w1), rel=1e-12
        )
    assert runs[0].path[1] != runs[1].path[1]
    # SGD: the floor is the mean loss ½ mean (P* x − y)² at the least-squares minimiser P*.
    best = FIGURE_DATA.minimiser()
    floor = sum((best * x - y) ** 2 for x, y in zip(FIGURE_DATA.xs, FIGURE_DATA.ys, strict=True))
    assert runs[3].floor == pytest.approx(float(floor / (2 * FIGURE_DATA.size)), rel=1e-12)


def test_schedule_allows_exactly_max_steps():
    Schedule(steps=MAX_STEPS).check()
    with pytest.raises(InvalidCase, match="at most 1,000,000"):
        Schedule(steps=MAX_STEPS + 1).check()


def test_noisy_factor_is_the_per_sample_gradient_at_the_noisy_input():
    # r_t = (p x_t − 1) x_t at x_t = 1 + σ ε_t: the gradient factor of the one-point data set
    # (x_t, 1). Not even in ε: ε = ±1/2 are different inputs.
    p, sigma = F(4, 5), F(1, 2)
    for eps in (F(1, 2), F(-1, 2), F(2)):
        one_point = data.Dataset((1 + sigma * eps,), (F(1),))
        assert data.noisy_factor(p, sigma, eps) == one_point.gradient_factors(p)[0]


def test_factor_error_is_relative_to_the_pairs_size_before_or_after_the_step():
    # docs/claims/scalar.md, G2: relative to w_i² + w_j² before and after the step (the larger).
    # r = 0 predicts D' = D; from (3, 2) to (1, 1) D goes 5 → 0: a gap of 5 over 3² + 2² = 13,
    # and the same the other way round (the size taken after the step).
    big, small = [exact(CTX, 3), exact(CTX, 2)], [CTX.one, CTX.one]
    assert steps.worst_factor_error(CTX, big, small, 0, CTX.one) == CTX.mpf(5) / 13
    assert steps.worst_factor_error(CTX, small, big, 0, CTX.one) == CTX.mpf(5) / 13


def test_newton_stops_at_a_gradient_exactly_the_size_of_its_goal():
    # The goal ‖∇J‖ ≤ 10^(5−dps) is inclusive: at w = (1, 0), t = −goal, μ = 0 the gradient is
    # (0, goal) exactly, and the point is returned as it is (no Newton step).
    goal = CTX.mpf(10) ** (5 - CTX.dps)
    start = [CTX.one, CTX.zero]
    assert decayed_gradient(CTX, start, -goal, CTX.zero) == [0, goal]
    assert stationary_point(CTX, start, -goal, CTX.zero) == start


def test_g3_flow_is_judged_relative_to_the_flows_largest_squared_weight():
    from verify.claims.dynamics import g3_weight_decay

    # From (5/4, 3/4) the flow shrinks w_1 (ẇ_1 = −g w_2 − μ w_1 < 0 with g = −1/16, μ = 1/4),
    # so the largest squared weight of the flow is the start's (5/4)² = 25/16.
    case = DecayRun(scalar.ScalarNetwork((F(5, 4), F(3, 4))), F(1, 10), F(1, 4), 1, F(1, 4))
    ev = g3_weight_decay(case, CTX)
    flow = [r for r in ev.relations if r.name.startswith("flow")]
    assert len(flow) == 1 and ev.holds(CTX)
    assert flow[0].scale(CTX) == CTX.mpf(25) / 16


def test_g4_samples_the_noise_of_the_cases_seed_at_every_precision(monkeypatch):
    from verify.claims.dynamics import g4_noise_augmentation

    drawn, draw = [], data.gaussian_noise

    def recorded(seed: int, n: int) -> list:
        drawn.append((seed, n))
        return draw(seed, n)

    monkeypatch.setattr(data, "gaussian_noise", recorded)
    case = NoiseRun(scalar.ScalarNetwork((F(1), F(5, 4))), F(1, 2), F(1, 20), 3, 7)
    assert all(g4_noise_augmentation(case, workcontext(dps)).holds(CTX) for dps in (50, 80))
    assert drawn == [(7, 3), (7, 3)]  # both precisions see the same draws


def test_matrix_gradient_flow_of_a_balanced_scalar_pair_matches_the_logistic_solution():
    # W_1 = W_2 = 1, T = 2, whitened: u = w² obeys u̇ = −2(u − T)u, so at τ = 1/4
    # u = T / (1 + (T − 1) e^{−2Tτ}) = 2 / (1 + e^{−1}); W(0) comes back exactly.
    from verify.dynamics import flow

    one = ((F(1),),)
    start, end = flow.flowed(CTX, LinearNetwork((one, one), None, ((F(2),),)), F(1, 4))
    assert start == [[[CTX.one]], [[CTX.one]]]
    expected = CTX.sqrt(2 / (1 + CTX.exp(-1)))
    assert all(abs(w[0][0] - expected) < CTX.mpf(10) ** -45 for w in end)
    assert flow.balance(end) == [[[0]]]


def test_two_phase_runs_whose_rates_are_not_apart_contradict_naming_why():
    # μ = 1/4 at η = 1/5: the slow rate 2ημ = 1/10 is within 10× the fast one in both runs.
    from verify.claims.dynamics import g7_two_phases
    from verify.population import CONTRADICTS

    exp = PhaseExperiment(((F(1, 4), F(3, 2)), (F(1, 2), F(5, 4))), F(1, 5), F(1, 4), 8)
    ev = g7_two_phases(exp, CTX)
    assert ev.observation.outcome == CONTRADICTS
    assert ev.observation.mechanism == "two phases: a run whose fast rate is < 10 × the slow one"
    first = rates.phases(CTX, exp, 0)  # the rates reported are the first run's (seed 0)
    assert (ev.values["fast_rate"], ev.values["slow_rate"]) == (
        first.fast_measured,
        first.slow_measured,
    )
    assert ev.values["fast_rate"] != rates.phases(CTX, exp, 1).fast_measured


@pytest.mark.parametrize(
    ("fast", "slow", "separated"),
    [
        (F(5, 4), F(1, 8), True),  # exactly 10× apart: two phases
        (F(1), F(1, 1024), True),
        (F(5, 4), F(1, 4), False),  # only 5× apart
        (F(10), F(2), False),  # 5× apart, both rates above 1
    ],
    ids=["10x", "1024x", "5x", "5x-above-1"],
)
def test_g7_counts_a_run_as_two_phase_only_when_its_slow_rate_is_10x_below_the_fast_one(
    monkeypatch, fast, slow, separated
):
    # Every run measures the rates it predicts (both log₂ ratios 0), so only the phase
    # structure decides; the boundaries reported are the runs' own (3 and 5).
    from verify.claims.dynamics import g7_two_phases
    from verify.population import CONTRADICTS, SUPPORTS

    def run(ctx, exp, seed):
        f, s = exact(ctx, fast), exact(ctx, slow)
        return rates.Phases(3 + 2 * seed, True, f, f, s, s, ctx.zero, ctx.zero, [], [])

    monkeypatch.setattr(rates, "phases", run)
    exp = PhaseExperiment(((F(1, 4), F(3, 2)), (F(1, 2), F(5, 4))), F(1, 5), F(1, 4), 8)
    ev = g7_two_phases(exp, CTX)
    assert ev.values["boundaries"] == [3, 5]
    if separated:
        assert (ev.observation.outcome, ev.observation.mechanism) == (SUPPORTS, "")
    else:
        assert ev.observation.outcome == CONTRADICTS
        assert (
            ev.observation.mechanism == "two phases: a run whose fast rate is < 10 × the slow one"
        )


def test_two_phase_runs_with_a_small_decay_support_and_report_each_runs_boundary():
    # μ = 1/100 at η = 1/5: the slow rate 2ημ = 1/250 is far below the fast one (≈ 0.6–0.8).
    from verify.claims.dynamics import g7_two_phases
    from verify.population import SUPPORTS

    exp = PhaseExperiment(((F(1, 4), F(3, 2)), (F(1, 2), F(5, 4))), F(1, 5), F(1, 100), 100)
    found = [rates.phases(CTX, exp, seed) for seed in (0, 1)]
    assert all(10 * p.slow_measured <= p.fast_measured for p in found)
    ev = g7_two_phases(exp, CTX)
    assert ev.observation.outcome == SUPPORTS
    assert ev.values["boundaries"] == [p.boundary for p in found] == [12, 14]


def test_log2_of_an_interval_end_at_or_below_zero_is_minus_infinity():
    from verify.claims.dynamics import _log2

    assert _log2(0.0) == _log2(-0.5) == -math.inf
    assert _log2(8.0) == 3


def test_a_small_decayed_stationary_point_is_not_0_by_its_frobenius_norm():
    # W_1 = W_2 = (9/100) I with T = (81/10000 + μ) I is a stationary point of L + (μ/2)Σ‖W‖²:
    # P = 0.0081 I, so ‖P‖_F ≈ 0.0115 > 1/100 (docs/claims/dynamics.md) although no entry or
    # column sum of P reaches 1/100. G3b holds there.
    from verify.claims.dynamics import g3b_decay_balances_matrices

    w, t = ((F(9, 100), F(0)), (F(0), F(9, 100))), F(81, 10000) + F(1, 20)
    run = MatrixRun(LinearNetwork((w, w), None, ((t, F(0)), (F(0), t))), F(1, 10), F(1, 20), 1)
    ev = g3b_decay_balances_matrices(run, CTX)
    (nonzero,) = [r for r in ev.relations if r.name == "the stationary point is not 0"]
    assert nonzero.holds(CTX) and ev.holds(CTX)
