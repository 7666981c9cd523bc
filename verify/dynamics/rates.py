"""Measured rates of the two phases of training (G5, G7), one number per seeded run.

G5: on the minimum set, SGD multiplies D_ij each step by 1 − η² r_B² Π_{k≠i,j} w_k², and
E r_B² = s²/B there, so the predicted decay rate of ln|D_ij| per step is η² s²/B · Π w_k².
G7: with weight decay, phase 1 shrinks g = P − 1 at ~ ηλ per step (λ = Σ_i Π_{k≠i} w_k², the
curvature across the minimum set); phase 2 shrinks D_ij at ~ 2ημ per step ((1 − ημ)² ≈ 1 − 2ημ).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations

from mpmath.ctx_mp import MPContext

from verify.dynamics import data as samples
from verify.dynamics import steps
from verify.dynamics.runs import PhaseExperiment, SgdExperiment
from verify.precision import exact
from verify.scalar import others


def widest_pair(ws: tuple[Fraction, ...]) -> tuple[int, int]:
    """The pair (i, j) with the largest |D_ij| at the start (nonzero unless balanced)."""
    return max(combinations(range(len(ws)), 2), key=lambda p: abs(ws[p[0]] ** 2 - ws[p[1]] ** 2))


@dataclass
class SgdRate:
    """One SGD run: measured and predicted decay rate of ln|D_ij| per step."""

    measured: object
    predicted: object

    @property
    def ratio(self):
        return self.measured / self.predicted


def sgd_rate(ctx: MPContext, exp: SgdExperiment, seed: int) -> SgdRate:
    """Run seeded SGD (batches with replacement) and measure −Δ ln|D_ij| / steps."""
    steps.check_schedule(exp.step, batch=exp.batch, n=exp.data.size)
    i, j = widest_pair(exp.start)
    eta, spread = exact(ctx, exp.step), exact(ctx, exp.data.spread())
    ws = [exact(ctx, w) for w in exp.start]
    start = ws[i] ** 2 - ws[j] ** 2
    weight = ctx.zero
    for t, batch in enumerate(samples.batches(seed, exp.data.size, exp.batch, exp.steps)):
        r = exp.data.batch_factor(ctx, others(ws), batch)
        weight += others(ws, i, j) ** 2
        ws = steps.step(ws, r, eta)
        steps.guard(ws, t + 1)
    end = ws[i] ** 2 - ws[j] ** 2
    measured = (ctx.ln(abs(start)) - ctx.ln(abs(end))) / exp.steps
    return SgdRate(measured, eta**2 * spread / exp.batch * weight / exp.steps)


@dataclass
class Phases:
    """One weight-decay run: the phase boundary and both rates, measured and predicted."""

    boundary: int | None
    monotone_until_boundary: bool
    fast_measured: object
    fast_predicted: object
    slow_measured: object
    slow_predicted: object
    loss_at_boundary: object
    loss_at_end: object
    losses: list
    imbalances: list


def phases(ctx: MPContext, exp: PhaseExperiment, seed: int) -> Phases:
    """GD on ½(P − 1)² + (μ/2)Σw² from starts[seed].

    Boundary t*: the first step at which the relative change of g is at most that of D_ij
    (imbalance decay has become the dominant motion). Fast rate: the mean over phase-1 steps in
    the linear regime (|g − g*| ≤ 1/10) of −ln|(g_{t+1} − g*_t)/(g_t − g*_t)|, where
    g*_t = −μNP_t/λ_t is the fixed point of the linearised step (the floor of the valley),
    against the mean of ηλ_t; slow rate: −Δln|D_ij| per step after t*, against 2ημ.
    """
    steps.check_schedule(exp.step, exp.decay)
    eta, mu = exact(ctx, exp.step), exact(ctx, exp.decay)
    i, j = widest_pair(exp.starts[seed])
    ws = [exact(ctx, w) for w in exp.starts[seed]]
    gs, floors, ds, lams, losses = [], [], [], [], []
    for t in range(exp.steps + 1):
        g = others(ws) - 1
        gs.append(g)
        ds.append(ws[i] ** 2 - ws[j] ** 2)
        lams.append(sum(others(ws, k) ** 2 for k in range(len(ws))))
        floors.append(-mu * len(ws) * others(ws) / lams[-1])
        losses.append(g * g / 2)
        if t < exp.steps:
            ws = steps.step(ws, g, eta, mu)
            steps.guard(ws, t + 1)
    boundary = next(
        (
            t
            for t in range(exp.steps)
            if abs(gs[t + 1] - gs[t]) * abs(ds[t]) <= abs(ds[t + 1] - ds[t]) * abs(gs[t])
        ),
        None,
    )
    end = boundary if boundary is not None else exp.steps
    linear = [t for t in range(end) if abs(gs[t] - floors[t]) <= ctx.mpf(1) / 10]
    linear = linear or list(range(end))
    fast = [
        -ctx.ln(abs((gs[t + 1] - floors[t]) / (gs[t] - floors[t])))
        for t in linear
        if gs[t] != floors[t]
    ]
    fast_measured = sum(fast) / len(fast) if fast else ctx.zero
    fast_predicted = eta * sum(lams[t] for t in linear) / max(len(linear), 1)
    tail = exp.steps - end
    slow_measured = (ctx.ln(abs(ds[end])) - ctx.ln(abs(ds[-1]))) / tail if tail else ctx.zero
    return Phases(
        boundary,
        all(losses[t + 1] <= losses[t] for t in range(end)),
        fast_measured,
        fast_predicted,
        slow_measured,
        2 * eta * mu,
        losses[end],
        losses[-1],
        losses,
        ds,
    )
