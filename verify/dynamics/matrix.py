"""Matrix networks under GD with weight decay μ ≥ 0: the balance recursion and its fixed points.

With G_k = ∂L/∂W_k and W_k' = (1 − ημ) W_k − η G_k, because W_{k+1}ᵀG_{k+1} = G_k W_kᵀ,

    W_{k+1}'ᵀW_{k+1}' − W_k'W_k'ᵀ = (1 − ημ)² (W_{k+1}ᵀW_{k+1} − W_kW_kᵀ)
                                  + η² (G_{k+1}ᵀG_{k+1} − G_kG_kᵀ)      (G2 for μ = 0, G3),

and at a stationary point of L + (μ/2)Σ‖W_k‖², G_k = −μW_k, so W_{k+1}ᵀW_{k+1} = W_kW_kᵀ.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from mpmath.ctx_mp import MPContext

from verify.evidence import Degenerate
from verify.linear import curvature as cv
from verify.linear import train
from verify.linear.network import LinearNetwork, Net
from verify.linear.polish import pinv_solve, shifted, vec
from verify.precision import exact

NEWTON_ITERATIONS = 60


@dataclass(frozen=True)
class MatrixRun:
    """A point of a matrix network (any weights, Σx and target), a step η, decay μ, steps."""

    network: LinearNetwork
    step: Fraction
    decay: Fraction
    steps: int


def decayed_step(net: Net, eta, mu) -> tuple[Net, list]:
    """W_k' = (1 − ημ) W_k − η G_k; returns the new net and the gradients G_k used."""
    grads = cv.gradient(net)
    weights = [(1 - eta * mu) * w - eta * g for w, g in zip(net.weights, grads, strict=True)]
    return Net(net.ctx, weights, net.sigma, net.target), grads


def gradient_balance(grads: list) -> list:
    """G_{k+1}ᵀG_{k+1} − G_kG_kᵀ, k = 1..N−1."""
    return [grads[k].T * grads[k] - grads[k - 1] * grads[k - 1].T for k in range(1, len(grads))]


def train_decayed(case: LinearNetwork, eta: float, mu: float, steps: int) -> list[np.ndarray]:
    """Float64 GD on L + (μ/2)Σ‖W_k‖² from the case's weights, until ‖∇J‖ < 1e-10 or
    `steps` (a start for Newton)."""
    w = [np.array(x, dtype=float) for x in case.weights]
    sigma = np.array(case.sigma_rows(), dtype=float)
    target = np.array(case.target_rows(), dtype=float)
    for _ in range(steps):
        grads = [g + mu * x for g, x in zip(train.gradient(w, sigma, target), w, strict=True)]
        if sum(float(np.sum(g * g)) for g in grads) < 1e-20:
            break
        w = [x - eta * g for x, g in zip(w, grads, strict=True)]
    return w


def decayed_stationary(net: Net, mu) -> tuple[Net, object]:
    """Newton (pseudo-inverse Hessian) on ∇J = G + μW from `net`; returns it and ‖∇J‖."""
    ctx = net.ctx
    goal = ctx.mpf(10) ** (-ctx.dps + 5)
    for _ in range(NEWTON_ITERATIONS):
        grad = vec(ctx, [g + mu * w for g, w in zip(cv.gradient(net), net.weights, strict=True)])
        size = ctx.norm(grad)
        if size <= goal:
            return net, size
        hessian = cv.full_hessian(net) + mu * ctx.eye(grad.rows)
        # the orthogonal gauge of J makes the Hessian singular: a pseudo-inverse step
        delta = pinv_solve(ctx, hessian, grad)
        net = Net(ctx, shifted(net.weights, delta, -1), net.sigma, net.target)
    raise Degenerate(f"Newton on the regularised loss stalled at ‖∇J‖ = {ctx.nstr(size, 3)}")


def decayed_minimum(case: MatrixRun, ctx: MPContext) -> tuple[Net, object]:
    """Where GD on L + (μ/2)Σ‖W_k‖² from the case's start lands: float64 GD
    (`train_decayed`), then Newton at ctx's precision (`decayed_stationary`); the stationary
    point and its ‖∇J‖."""
    start = train_decayed(case.network, float(case.step), float(case.decay), case.steps)
    base = case.network.at(ctx)
    net = Net(ctx, [ctx.matrix(w.tolist()) for w in start], base.sigma, base.target)
    return decayed_stationary(net, exact(ctx, case.decay))
