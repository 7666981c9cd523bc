"""N2: ReLU training helpers (gradient, Hessian, power iteration), the structure statistics
and the claim's decision on a small experiment."""

import itertools

import numpy as np
import pytest

from verify.catalogue import select
from verify.claims import nonlinear_practice as n2
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
        return n2.Minimum(setting, seed, 0.1, (), 1.0, (align, imb, 0.0), base, 1.0)

    gd = [minimum("gd", s, 0.9 + 0.01 * s, 0.3, (0.3, 1.0)) for s in range(8)]
    sharp = [minimum("sharp", s, 0.2, 1.2, (0.3, 1.0)) for s in range(8)]
    eff = n2.effects(n2.Outcome(tuple(gd + sharp), 16, 0, 0))
    for name in ("align_vs_rotation", "balance_vs_rotation", "align_vs_sharp"):
        mean, low, high, seeds = eff[name]
        assert 0 < low <= mean <= high and seeds == 8


def test_bad_inputs_are_rejected():
    with pytest.raises(ValueError, match="share input and output"):
        n2.PracticeExperiment((3, 2, 1), (2, 4, 1), 8, 0, tuple(range(8)), (0.1,))
    with pytest.raises(ValueError, match="distinct seeds"):
        n2.PracticeExperiment((3, 2, 1), (3, 4, 1), 8, 0, (1, 1), (0.1,))
    with pytest.raises(ValueError, match="step sizes"):
        n2.PracticeExperiment((3, 2, 1), (3, 4, 1), 8, 0, tuple(range(8)), (-0.1,))
    with pytest.raises(ValueError, match="hidden layer"):
        n2.PracticeExperiment((3, 1), (3, 1), 8, 0, tuple(range(8)), (0.1,))
    with pytest.raises(ValueError, match="widths"):
        tr.check_widths((3,))
    ws, x, y = _net((2, 3, 1))
    with pytest.raises(ValueError, match="positive"):
        tr.gd64([w[None] for w in ws], x, y, [0.0], 10, 1e-6)


def test_n2_on_a_small_experiment():
    exp = n2.PracticeExperiment((3, 2, 1), (3, 8, 1), 8, 0, tuple(range(8)), (0.1, 0.4))
    ctx = workcontext(30)
    result = n2.n2_practice(exp, ctx)
    assert result.holds(ctx)
    assert result.values["align_vs_rotation_low"] > 0
    assert result.values["balance_vs_rotation_low"] > 0
    assert float(result.values["lambda_rel_gap"]) < n2.AGREEMENT


def test_n2_is_registered():
    (claim,) = select(["N2"])
    assert claim.family == "nonlinear" and claim.cost <= 0.25
