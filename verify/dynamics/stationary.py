"""Stationary points of the weight-decayed scalar loss J = ½(P − t)² + (μ/2) Σ w_i², by Newton.

∇J_i = (P − t) Π_{k≠i} w_k + μ w_i,   ∇²J = ∇²L + μ I.
"""

from __future__ import annotations

from collections.abc import Sequence

from mpmath.ctx_mp import MPContext

from verify import scalar
from verify.evidence import Degenerate

NEWTON_ITERATIONS = 80


def decayed_gradient(ctx: MPContext, ws: Sequence, t, mu) -> list:
    """∇J = ∇L + μ w."""
    return [g + mu * w for g, w in zip(scalar.gradient(ctx, ws, t), ws, strict=True)]


def decayed_hessian(ctx: MPContext, ws: Sequence, t, mu):
    """∇²J = ∇²L + μ I."""
    return scalar.hessian(ctx, ws, t) + mu * ctx.eye(len(ws))


def _size(ctx: MPContext, vector: Sequence):
    return ctx.sqrt(sum(v * v for v in vector))


def stationary_point(ctx: MPContext, ws: Sequence, t, mu) -> list:
    """Damped Newton on ∇J = 0 from ws, to the working precision (Degenerate if it stalls)."""
    goal = ctx.mpf(10) ** (-ctx.dps + 5)
    ws = list(ws)
    grad = decayed_gradient(ctx, ws, t, mu)
    for _ in range(NEWTON_ITERATIONS):
        if _size(ctx, grad) <= goal:
            return ws
        try:
            direction = ctx.lu_solve(decayed_hessian(ctx, ws, t, mu), ctx.matrix(grad))
        except ZeroDivisionError as error:
            raise Degenerate("singular Hessian of the regularised loss") from error
        damping = ctx.one
        while damping > goal:
            trial = [w - damping * d for w, d in zip(ws, direction, strict=True)]
            trial_grad = decayed_gradient(ctx, trial, t, mu)
            if _size(ctx, trial_grad) < _size(ctx, grad):
                break
            damping /= 2
        ws, grad = trial, trial_grad
    raise Degenerate("Newton on the regularised loss did not converge")
