"""N2: ReLU training helpers (gradient, Hessian, power iteration), the structure statistics
and the claim's decision on a small experiment."""

import itertools

import numpy as np
import pytest

from verify.catalogue import select
from verify.claim import Family
from verify.claims import nonlinear as n2
from verify.evidence import Vacuous
from verify.nonlinear import practice
from verify.nonlinear import training as tr
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


def test_effects_have_the_right_sign():
    def minimum(setting, seed, align, imb, base):
        return practice.Minimum(setting, seed, 0.1, (), 1.0, (align, imb, 0.0), base, 1.0)

    gd = [minimum("gd", s, 0.9 + 0.01 * s, 0.3, (0.3, 1.0)) for s in range(8)]
    sharp = [minimum("sharp", s, 0.2, 1.2, (0.3, 1.0)) for s in range(8)]
    sgd = [minimum("sgd", s, 0.1 + 0.01 * s, 1.3, (0.3, 1.0)) for s in range(8)]
    eff = practice.effects(practice.Outcome(tuple(gd + sharp + sgd), ()))
    for name in ("align_vs_rotation", "balance_vs_rotation", "align_vs_sharp"):
        mean, low, high, seeds = eff[name]
        assert 0 < low <= mean <= high and seeds == 8
    for name in ("sgd_align_vs_rotation", "sgd_balance_vs_rotation"):  # SGD worse here
        mean, low, high, seeds = eff[name]
        assert low <= mean <= high < 0 and seeds == 8


def test_bad_inputs_are_rejected():
    with pytest.raises(ValueError, match="share input and output"):
        practice.PracticeExperiment((3, 2, 1), (2, 4, 1), 8, 0, tuple(range(8)), (0.1,))
    with pytest.raises(ValueError, match="distinct seeds"):
        practice.PracticeExperiment((3, 2, 1), (3, 4, 1), 8, 0, (1, 1), (0.1,))
    with pytest.raises(ValueError, match="step sizes"):
        practice.PracticeExperiment((3, 2, 1), (3, 4, 1), 8, 0, tuple(range(8)), (-0.1,))
    with pytest.raises(ValueError, match="hidden layer"):
        practice.PracticeExperiment((3, 1), (3, 1), 8, 0, tuple(range(8)), (0.1,))
    with pytest.raises(ValueError, match="widths"):
        tr.check_widths((3,))
    ws, x, y = _net((2, 3, 1))
    with pytest.raises(ValueError, match="positive"):
        tr.gd64([w[None] for w in ws], x, y, [0.0], 10, 1e-6)


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


def test_n2_is_registered():
    (claim,) = select(["N2"])
    assert claim.family is Family.NONLINEAR and claim.cost <= 0.25


def test_an_experiment_with_a_dead_teacher_is_vacuous_not_degenerate():
    """Nothing to fit is outside N2's hypothesis: counted apart, it cannot make the
    population's verdict inconclusive (a degenerate experiment would)."""
    exp = practice.PracticeExperiment((1, 1, 1), (1, 2, 1), 1, 0, tuple(range(8)), (0.1,))
    with pytest.raises(Vacuous, match="all units dead"):
        n2.n2_practice(exp, workcontext(30))
