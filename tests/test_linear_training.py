"""Float64 GD on linear networks, Gauss–Newton polishing onto {P = T}, and claims F4, F9."""

import numpy as np
import pytest

from verify.claims.training import CLAIMS
from verify.evidence import Degenerate
from verify.linear import curvature as cv
from verify.linear.polish import polish
from verify.linear.train import gd, resnet_init, small_init
from verify.precision import workcontext
from verify.runner import VerdictKind, run_claim

TARGET = np.array([[1.0, 0.5], [0.25, 2.0]])


def test_gd_converges_on_a_depth_two_problem():
    start = small_init((2, 3, 2), 0.3, np.random.default_rng(1))
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
    start = small_init((2, 3, 2), 0.3, np.random.default_rng(1))
    result = gd(start, np.eye(2), TARGET, 1.5, 20_000)
    assert result.status == "diverged"
    assert result.steps < 100
    assert all(np.all(np.isfinite(w)) for w in result.weights)
    assert not np.isnan(result.loss)
    assert all(np.isfinite(x) for x in result.history)


def test_sgd_on_synthetic_data_reaches_the_target():
    start = small_init((2, 2, 2), 0.3, np.random.default_rng(2))
    rng = np.random.default_rng(3)
    result = gd(start, np.eye(2), TARGET, 0.05, 3_000, batch=8, rng=rng, tol=1e-6, grad_tol=1e-3)
    assert result.status in ("converged", "stalled")
    assert result.loss < 1e-3


def test_polish_reaches_the_minimum_set_at_fifty_digits():
    start = small_init((2, 3, 2), 0.3, np.random.default_rng(1))
    result = gd(start, np.eye(2), TARGET, 0.1, 20_000)
    ctx = workcontext(50)
    polished = polish(ctx, result.weights, ctx.eye(2), ctx.matrix(TARGET.tolist()))
    assert polished.residual < ctx.mpf("1e-45")
    assert ctx.mnorm(polished.net.residual(), "F") < ctx.mpf("1e-45")
    assert polished.distance < 1e-10
    assert cv.sharpness(polished.net) <= 2 / 0.1


def test_training_claims_give_verdicts():
    for claim in CLAIMS:
        verdict = run_claim(claim, "quick")
        assert verdict.verdict is not VerdictKind.ERROR, verdict.message
        assert verdict.verdict in (VerdictKind.VERIFIED, VerdictKind.INCONCLUSIVE), verdict.message
        assert verdict.cases > 0


def test_polish_refuses_an_unreachable_target():
    start = small_init((2, 1, 2), 0.3, np.random.default_rng(1))
    result = gd(start, np.eye(2), TARGET, 0.1, 2_000)  # rank-one bottleneck, rank-two target
    ctx = workcontext(30)
    with pytest.raises(Degenerate):
        polish(ctx, result.weights, ctx.eye(2), ctx.matrix(TARGET.tolist()))
