"""N2: ReLU training helpers (gradient, Hessian, power iteration), the structure statistics
and the claim's decision on a small experiment."""

import itertools
from fractions import Fraction as F

import numpy as np
import pytest

from verify.catalogue import select
from verify.claim import Family
from verify.claims import nonlinear as n2
from verify.evidence import Vacuous
from verify.nonlinear import network as nn
from verify.nonlinear import practice
from verify.nonlinear import training as tr
from verify.nonlinear.curvature import hessian
from verify.precision import workcontext


def _net(widths, seed=0, scale=1.0):
    rng = np.random.default_rng(seed)
    ws = [rng.standard_normal((b, a)) * scale / np.sqrt(a) for a, b in itertools.pairwise(widths)]
    x = rng.standard_normal((widths[0], 5))
    y = rng.standard_normal((widths[-1], 5))
    return ws, x, y


def test_gradient_matches_finite_differences():
    ws, x, y = _net((3, 4, 3, 2))
    _, grads = tr.loss_grad(ws, x, y)
    h = 1e-6
    for k, w in enumerate(ws):
        for idx in np.ndindex(w.shape):
            plus = [v.copy() for v in ws]
            minus = [v.copy() for v in ws]
            plus[k][idx] += h
            minus[k][idx] -= h
            fd = (tr.loss_grad(plus, x, y)[0] - tr.loss_grad(minus, x, y)[0]) / (2 * h)
            assert abs(fd - grads[k][idx]) < 1e-7


def test_power_iteration_matches_eigvalsh():
    ws, x, y = _net((2, 3, 1), seed=1)
    runs = tr.gd64([w[None] for w in ws], x, y[:, :], [0.1], 2000, 1e-12)
    point = runs.network(0)
    values = np.linalg.eigvalsh(tr.hessian64(point, x, y))
    top = values[np.argmax(np.abs(values))]  # power iteration finds the largest |λ|
    lam = tr.power_sharpness([w[None] for w in point], x, y, iters=2000)[0]
    assert lam == pytest.approx(top, rel=1e-6)


def test_working_precision_hessian_matches_float64():
    ws, x, y = _net((2, 3, 1), seed=2)
    ctx = workcontext(30)
    lam_min, lam_max = tr.sharpness_mp(ctx, ws, x, y)
    values = np.linalg.eigvalsh(tr.hessian64(ws, x, y))
    assert float(lam_max) == pytest.approx(values[-1], rel=1e-6)
    assert float(lam_min) == pytest.approx(values[0], rel=1e-5, abs=1e-8)


def test_gd_reports_divergence_without_nan():
    ws, x, y = _net((2, 4, 1), seed=3)
    runs = tr.gd64([np.stack([w, w]) for w in ws], x, y, [0.05, 500.0], 500, 1e-12)
    assert runs.status[1] == "diverged"
    assert all(np.all(np.isfinite(w)) for w in runs.weights)


def test_minibatch_gradient_is_the_gradient_on_the_batch():
    ws, x, y = _net((3, 4, 2), seed=6)
    subset = [0, 2, 3]
    sample = np.zeros((1, 5))
    sample[0, subset] = 1 / len(subset)
    loss, grads = tr.loss_grad(ws, x, y, sample=sample)
    assert loss == tr.loss_grad(ws, x, y)[0]  # the full loss
    expected = tr.loss_grad(ws, x[:, subset], y[:, subset])[1]
    for g, e in zip(grads, expected, strict=True):
        np.testing.assert_allclose(g, e, rtol=1e-12, atol=1e-15)


def test_sgd_is_reproducible_and_independent_of_the_other_runs():
    ws, x, y = _net((2, 4, 1), seed=7, scale=0.5)
    alone = tr.gd64([w[None] for w in ws], x, y, [0.1], 300, 1e-12, 2, [(1, 5, 0)])
    again = tr.gd64([w[None] for w in ws], x, y, [0.1], 300, 1e-12, 2, [(1, 5, 0)])
    other = tr.gd64([w[None] for w in ws], x, y, [0.1], 300, 1e-12, 2, [(2, 5, 0)])
    full = tr.gd64([w[None] for w in ws], x, y, [0.1], 300, 1e-12)
    for a, b, c, d in zip(alone.weights, again.weights, other.weights, full.weights, strict=True):
        assert np.array_equal(a, b)
        assert not np.allclose(a, c) and not np.allclose(a, d)  # the seed and the batch matter
    # the same run second in a batch of three, next to other inits, step sizes and seeds
    more = _net((2, 4, 1), seed=8)[0]
    start = [np.stack([m, w, 2 * m]) for m, w in zip(more, ws, strict=True)]
    batched = tr.gd64(start, x, y, [0.3, 0.1, 0.05], 300, 1e-12, 2, [0, (1, 5, 0), 9])
    assert batched.status[1] == alone.status[0] and batched.steps[1] == alone.steps[0]
    for a, b in zip(alone.network(0), batched.network(1), strict=True):
        assert np.array_equal(a, b)


def test_sgd_reports_divergence_without_nan():
    ws, x, y = _net((2, 4, 1), seed=3)
    runs = tr.gd64([np.stack([w, w]) for w in ws], x, y, [0.05, 500.0], 500, 1e-12, 3, [0, 1])
    assert runs.status[1] == "diverged"
    assert all(np.all(np.isfinite(w)) for w in runs.weights)


def test_balanced_coupled_layers_beat_their_rotations():
    rng = np.random.default_rng(4)
    u, v, w = (rng.standard_normal(d) for d in (5, 3, 2))
    u, v, w = u / np.linalg.norm(u), v / np.linalg.norm(v), w / np.linalg.norm(w)
    balanced = [2 * np.outer(u, v), 2 * np.outer(w, u)]  # W_2ᵀW_2 = 4uuᵀ = W_1W_1ᵀ
    align, imb, unit = tr.structure(balanced)
    assert align == pytest.approx(1) and imb == pytest.approx(0, abs=1e-12)
    assert unit == pytest.approx(0, abs=1e-12)
    rotated = tr.structure(tr.rotated(balanced, np.random.default_rng(5)))
    assert rotated[0] < align and rotated[1] > imb
    unbalanced = [3 * np.outer(u, v), np.outer(w, u) / 3]
    assert tr.structure(unbalanced)[1] > 1


def _minimum(setting, seed, structure, baseline, weights=(), sharpness=1.0):
    return practice.Minimum(setting, seed, 0.1, weights, sharpness, structure, baseline, 1.0)


def test_effects_have_the_right_sign():
    gd = [_minimum("gd", s, (0.9 + 0.01 * s, 0.3, 0.0), (0.3, 1.0)) for s in range(8)]
    sharp = [_minimum("sharp", s, (0.2, 1.2, 0.0), (0.3, 1.0)) for s in range(8)]
    sgd = [_minimum("sgd", s, (0.1 + 0.01 * s, 1.3, 0.0), (0.3, 1.0)) for s in range(8)]
    eff = practice.effects(practice.Outcome(tuple(gd + sharp + sgd), ()))
    for name in ("align_vs_rotation", "balance_vs_rotation", "align_vs_sharp"):
        mean, low, high, seeds = eff[name]
        assert 0 < low <= mean <= high and seeds == 8
    for name in ("sgd_align_vs_rotation", "sgd_balance_vs_rotation"):  # SGD worse here
        mean, low, high, seeds = eff[name]
        assert low <= mean <= high < 0 and seeds == 8


def test_effects_need_two_seeds_for_an_interval_and_are_zero_without_minima():
    """Two seeds get a bootstrap interval, one seed its mean with an empty [0, 0] interval, and
    no minima at all (here: no SGD minimum) the reported 0.0 — never NaN."""
    gd = [_minimum("gd", s, (0.5 + 0.2 * s, 0.3, 0.0), (0.3, 1.0)) for s in range(2)]
    sharp = [_minimum("sharp", 0, (0.2, 1.2, 0.0), (0.3, 1.0))]
    eff = practice.effects(practice.Outcome(tuple(gd + sharp), ()))
    mean, low, high, seeds = eff["align_vs_rotation"]
    assert seeds == 2 and mean == pytest.approx(0.3) and low < mean < high
    assert eff["align_vs_sharp"] == (pytest.approx(0.3), 0.0, 0.0, 1)
    assert eff["sgd_align_vs_rotation"] == eff["sgd_balance_vs_rotation"] == (0.0, 0.0, 0.0, 0)


def test_bad_inputs_are_rejected():
    with pytest.raises(ValueError, match="share input and output"):
        practice.PracticeExperiment((3, 2, 1), (2, 4, 1), 8, 0, tuple(range(8)), (0.1,))
    with pytest.raises(ValueError, match="distinct seeds"):
        practice.PracticeExperiment((3, 2, 1), (3, 4, 1), 8, 0, (1, 1), (0.1,))
    with pytest.raises(ValueError, match="hidden layer"):
        practice.PracticeExperiment((3, 1), (3, 1), 8, 0, tuple(range(8)), (0.1,))
    with pytest.raises(ValueError, match="widths"):
        tr.check_widths((3,))
    ws, x, y = _net((2, 3, 1))
    with pytest.raises(ValueError, match="positive"):
        tr.gd64([w[None] for w in ws], x, y, [0.0], 10, 1e-6)


@pytest.mark.parametrize("step", [0.0, -0.1, float("inf"), float("nan")])
def test_step_sizes_must_be_positive_and_finite(step):
    with pytest.raises(ValueError, match="step sizes must be positive and finite"):
        practice.PracticeExperiment((3, 2, 1), (3, 4, 1), 8, 0, tuple(range(8)), (0.1, step))


@pytest.mark.parametrize("batch", [0, 9, 2.5, -1, True])
def test_bad_batch_sizes_are_one_line_errors(batch):
    with pytest.raises(ValueError, match=r"batch size must be an integer in \[1, 8\]") as err:
        practice.PracticeExperiment(
            (3, 2, 1), (3, 4, 1), 8, 0, tuple(range(8)), (0.1,), batch=batch
        )
    assert "\n" not in str(err.value)
    ws, x, y = _net((2, 3, 1))  # 5 samples
    with pytest.raises(ValueError, match=r"\[1, 5\]") as err:
        tr.gd64([w[None] for w in ws], x, y, [0.1], 10, 1e-6, 6 if batch == 9 else batch, [0])
    assert "\n" not in str(err.value)


def test_default_batch_is_half_the_samples_rounded_up():
    exp = practice.PracticeExperiment((3, 2, 1), (3, 4, 1), 7, 0, tuple(range(8)), (0.1,))
    assert exp.batch == 4
    assert (
        practice.PracticeExperiment((3, 2, 1), (3, 4, 1), 7, 0, (0, 1), (0.1,), 0.3, 7).batch == 7
    )


def test_n2_on_a_small_experiment():
    exp = practice.PracticeExperiment((3, 2, 1), (3, 8, 1), 8, 0, tuple(range(8)), (0.1, 0.4))
    ctx = workcontext(30)
    result = n2.n2_practice(exp, ctx)
    assert result.holds(ctx) and result.observation.outcome == "supports"
    assert result.values["align_vs_rotation"] > n2.N2_THRESHOLD
    assert result.values["align_vs_rotation_low"] > 0
    assert result.values["balance_vs_rotation_low"] > 0
    assert float(result.values["lambda_rel_gap"]) < n2.AGREEMENT


def test_n2_reports_sgd_without_changing_the_decision():
    exp = practice.PracticeExperiment((3, 2, 1), (3, 8, 1), 8, 0, tuple(range(8)), (0.1, 0.4))
    values = n2.n2_practice(exp, workcontext(30)).values
    assert values["batch"] == 4 and values["sgd_runs"] == 16
    assert values["sgd_minima"] >= 12  # SGD converges on the test's experiment
    assert values["sgd_minima"] + values["sgd_diverged"] + values["sgd_stalled"] == 16
    assert values["runs"] == 24  # GD and sharp runs only, as before SGD
    for name in ("sgd_align_vs_rotation", "sgd_balance_vs_rotation"):
        assert values[f"{name}_low"] <= values[name] <= values[f"{name}_high"]
        assert values[f"{name}_low"] > 0
    for name in ("sgd_alignment", "sgd_imbalance", "sgd_sharpness"):
        assert isinstance(values[name], float) and values[name] > 0
    # GD's numbers as measured before SGD was added (the SGD runs train in their own call)
    assert values["gd_minima"] == 15 and values["sharp_minima"] == 4
    assert values["align_vs_rotation"] == pytest.approx(0.6143, abs=1e-4)
    assert values["balance_vs_rotation"] == pytest.approx(0.5208, abs=1e-4)


def test_n2_reports_the_means_of_the_minima_it_measured(monkeypatch):
    """On a fixed outcome (no training; every GD minimum at the same weights): the counts per
    status of the GD and sharp runs, the seeds, the mean structure of each setting and of the
    baseline; and the λ_max confirmation fails when float64 is off by a factor 2."""
    exp = practice.PracticeExperiment((3, 2, 1), (3, 4, 1), 8, 0, tuple(range(8)), (0.1, 0.4))
    x, y = exp.data()
    ws = tuple(_net((3, 4, 1), seed=9)[0])
    ctx = workcontext(30)
    lam = float(tr.sharpness_mp(ctx, list(ws), x, y)[1])
    status = [("gd", "converged")] * 10 + [("gd", "diverged"), ("gd", "stalled")]
    status += [("sharp", "converged")] * 3 + [("sharp", "diverged"), ("sharp", "stalled")]
    status += [("sgd", "stalled")] * 4

    def measured(sharpness: float):
        gd = [_minimum("gd", s, (0.9, 0.2, 0.1), (0.4, 0.8), ws, sharpness) for s in range(5)]
        sharp = [_minimum("sharp", s, (0.6, 0.5, 0.3), (0.4, 0.8), ws, 7.0) for s in range(3)]
        fixed = practice.Outcome(tuple(gd + gd + sharp), tuple(status))
        monkeypatch.setattr(n2, "outcome", lambda _: fixed)
        return n2.n2_practice(exp, ctx)

    result = measured(lam)
    assert result.holds(ctx) and result.observation.outcome == "supports"
    expected = {
        "runs": 17,
        "gd_minima": 10,
        "sharp_minima": 3,
        "diverged": 2,
        "stalled": 2,
        "seeds": 5,
        "gd_alignment": 0.9,
        "baseline_alignment": 0.4,
        "gd_imbalance": 0.2,
        "baseline_imbalance": 0.8,
        "gd_unit_imbalance": 0.1,
        "gd_sharpness": lam,
        "sharp_sharpness": 7.0,
        "sharp_alignment": 0.6,
        "sharp_imbalance": 0.5,
        "gd_on_kink": 0,
        "sgd_runs": 4,
        "sgd_minima": 0,
        "sgd_stalled": 4,
    }
    assert {name: result.values[name] for name in expected} == pytest.approx(expected)
    off = measured(2 * lam)
    assert off.observation.outcome == "supports"
    assert off.failing(ctx) == ["float64 λ_max agrees with the working-precision value"]


def test_n2_is_registered():
    (claim,) = select(["N2"])
    assert claim.family is Family.NONLINEAR and claim.cost <= 0.25


def test_an_experiment_with_a_dead_teacher_is_vacuous_not_degenerate():
    """Nothing to fit is outside N2's hypothesis: counted apart, it cannot make the
    population's verdict inconclusive (a degenerate experiment would)."""
    exp = practice.PracticeExperiment((1, 1, 1), (1, 2, 1), 1, 0, tuple(range(8)), (0.1,))
    with pytest.raises(Vacuous, match="all units dead"):
        n2.n2_practice(exp, workcontext(30))


def _fit(seed=1):
    """A (2, 4, 1) student started near a teacher that labels the data: GD with η = 0.2
    reaches L < 1e-6 in a few hundred steps, η = 0.001 does not."""
    ws, x, _ = _net((2, 4, 1), seed=seed)
    y = tr.forward(ws, x)[0]
    noise = np.random.default_rng(9)
    start = [w + 0.05 * noise.standard_normal(w.shape) for w in ws]
    return [np.stack([w, w]) for w in start], x, y


def test_gd_stops_at_the_first_step_below_tol_and_else_stalls_at_the_budget():
    start, x, y = _fit()
    runs = tr.gd64(start, x, y, [0.2, 0.001], 400, 1e-6)
    assert runs.status == ["converged", "stalled"]
    first = int(runs.steps[0])
    assert 0 < first < 400 and runs.steps[1] == 400
    for r in range(2):  # the loss reported is that of the weights returned
        assert runs.loss[r] == tr.loss_grad(runs.network(r), x, y)[0]
    assert runs.loss[0] < 1e-6 <= runs.loss[1]
    assert list(runs.converged()) == [True, False]
    before = tr.gd64(start, x, y, [0.2, 0.001], first - 1, 1e-6)  # one step short
    assert before.status == ["stalled", "stalled"] and before.loss[0] >= 1e-6


@pytest.mark.filterwarnings("error")
def test_a_step_that_overflows_is_diverged_quietly_with_the_weights_before_it():
    """η = 1e150 overflows the loss after one step: the run is "diverged" with no numpy
    warning, keeps its finite starting weights and loss, and its neighbour in the batch
    trains exactly as it would alone."""
    ws, x, y = _net((2, 4, 1), seed=3)
    runs = tr.gd64([np.stack([w, w]) for w in ws], x, y, [0.05, 1e150], 50, 1e-12)
    alone = tr.gd64([w[None] for w in ws], x, y, [0.05], 50, 1e-12)
    assert runs.status == ["stalled", "diverged"] and runs.steps[1] == 1
    for w, start, single in zip(runs.weights, ws, alone.weights, strict=True):
        assert np.array_equal(w[1], start) and np.array_equal(w[0], single[0])
    assert runs.loss[1] == tr.loss_grad(ws, x, y)[0] and runs.loss[0] == alone.loss[0]


def test_a_run_diverged_at_its_start_is_stopped_at_step_0_with_its_starting_weights():
    """Weights scaled by 10³ give a starting loss above DIVERGED: that run is "diverged" at
    step 0 and returned as it started (there is no step to undo), while its neighbour in the
    batch trains exactly as it would alone."""
    ws, x, y = _net((2, 4, 1), seed=3)
    big = [1e3 * w for w in ws]
    assert tr.loss_grad(big, x, y)[0] > tr.DIVERGED
    runs = tr.gd64(
        [np.stack([w, b]) for w, b in zip(ws, big, strict=True)], x, y, [0.05] * 2, 50, 1e-12
    )
    alone = tr.gd64([w[None] for w in ws], x, y, [0.05], 50, 1e-12)
    assert runs.status == ["stalled", "diverged"] and list(runs.steps) == [50, 0]
    for w, start, single in zip(runs.weights, big, alone.weights, strict=True):
        assert np.array_equal(w[1], start) and np.array_equal(w[0], single[0])
    assert runs.loss[0] == alone.loss[0]


def test_imbalance_is_the_gram_gap_over_the_mean_squared_norm():
    """W_1 = a u vᵀ, W_2 = b w uᵀ (unit u, v, w): W_2ᵀW_2 − W_1W_1ᵀ = (b² − a²) u uᵀ, so the
    imbalance is |a² − b²| / ((a² + b²)/2) — 0 at a = b, close to the bound 2 at a ≫ b."""
    rng = np.random.default_rng(4)
    u, v, w = (rng.standard_normal(d) for d in (5, 3, 2))
    u, v, w = u / np.linalg.norm(u), v / np.linalg.norm(v), w / np.linalg.norm(w)
    for a, b in ((2, 2), (3, 1 / 3), (1, 2), (10, 0.1)):
        expected = abs(a * a - b * b) / ((a * a + b * b) / 2)
        assert tr.imbalance(a * np.outer(u, v), b * np.outer(w, u)) == pytest.approx(
            expected, abs=1e-12
        )
    assert tr.imbalance(10 * np.outer(u, v), 0.1 * np.outer(w, u)) > 1.99


def test_kink_margin_is_the_smallest_hidden_pre_activation_of_every_layer():
    ws, x, _ = _net((2, 3, 2, 1), seed=5)
    ws[1] = ws[1] * 1e-3  # the smallest |z| is in the second hidden layer
    z1 = ws[0] @ x
    z2 = ws[1] @ np.maximum(z1, 0)
    assert np.abs(z2).min() < np.abs(z1).min()
    assert tr.kink_margin(ws, x) == np.abs(z2).min()
    on = [ws[0].copy(), ws[1], ws[2]]
    x[:, 0], on[0][0] = [0.5, 0.25], [0.25, -0.5]  # unit 1 of layer 1 is 0 on sample 1
    assert tr.kink_margin(on, x) == 0
    assert tr.kink_margin(ws[-1:], np.ones((2, 3))) == np.inf  # no hidden layer


def test_power_sharpness_is_reproducible_from_its_seed():
    """The random start is seeded: the same call gives the same bits (even after only a few
    iterations, where another start gives another value)."""
    ws, x, y = _net((2, 3, 1), seed=1)
    batch = [w[None] for w in ws]
    first = tr.power_sharpness(batch, x, y, iters=3)
    assert np.array_equal(first, tr.power_sharpness(batch, x, y, iters=3))
    assert not np.array_equal(first, tr.power_sharpness(batch, x, y, iters=3, seed=1))


def _dyadic(rows) -> tuple:
    return tuple(tuple(F(v, 8) for v in row) for row in rows)


def test_working_precision_hessian_has_two_thirds_of_the_digits():
    """At 45 digits (h = 1e-15) the finite-difference Hessian agrees with the exact one of
    `curvature.hessian` (power series, same weights: dyadic, so float64 holds them exactly)
    to 25 digits; a step h rounded to float64 would leave only ~16."""
    w1, w2 = _dyadic([[4, -3], [2, 5], [-6, 1]]), _dyadic([[3, -4, 7]])
    x, y = _dyadic([[8, -4, 3], [2, 6, -5]]), _dyadic([[1, -2, 4]])
    net = nn.ReluNetwork((w1, w2), None, nn.RELU, x, y)
    ctx = workcontext(45)
    exact = hessian(ctx, net)
    arrays = [np.array(m, dtype=float) for m in (w1, w2)]
    found = tr.hessian_mp(ctx, arrays, *(np.array(m, dtype=float) for m in (x, y)))
    n = exact.rows
    assert max(abs(found[i, j] - exact[i, j]) for i in range(n) for j in range(n)) < 1e-25


def test_working_precision_hessian_on_a_kink_is_the_float64_patterns_piece():
    """A hidden pre-activation exactly 0 (float64 reads it as off): both finite differences
    keep that pattern, so the Hessian is the smooth piece's, as `hessian64` computes it."""
    ws, x, y = _net((2, 3, 1), seed=2)
    x[:, 0], ws[0][0] = [0.5, 0.25], [0.25, -0.5]  # unit 1 is 0 on sample 1, exactly
    assert tr.kink_margin(ws, x) == 0
    found = tr.hessian_mp(workcontext(30), ws, x, y)
    expected = tr.hessian64(ws, x, y)
    assert np.allclose(np.array(found.tolist(), dtype=float), expected, atol=1e-7)
