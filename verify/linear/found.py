"""Minima found by GD for the linear family's figures (F1, F5, F9): a depth-3 network trained
on whitened data from small and large random inits at step sizes η = c · 2/λ_flat, each
converged run polished onto P = T at high precision.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from verify.linear import curvature as cv
from verify.linear import train
from verify.linear.flattest import flattest_whitened, top_singular_value
from verify.linear.network import Net
from verify.linear.polish import polish
from verify.linear.structure import top_path
from verify.precision import workcontext

TARGET = np.diag([2.0, 0.5])  # whitened data; σ1 = 2, flattest λ_max = 3 · 2^{4/3} at depth 3
WIDTHS = (2, 3, 3, 2)
FRACTIONS = tuple(float(c) for c in np.linspace(0.05, 0.95, 10))  # η as a fraction of 2/λ_flat
SEEDS = 3  # random inits per step size and init scale
INITS = {"small": 0.2, "large": 1.0}  # init scale by name
STEPS = 20_000  # GD steps per run


@dataclass(frozen=True)
class FoundMinimum:
    """A GD run that converged, polished onto P = T: step η, λ_max and top-path gains."""

    step: float
    init: str
    sharpness: float
    gains: tuple[float, ...]  # ‖A_{k+1} q‖ / σ1^{k/N}, k = 0..N


def _gains(net: Net, s1) -> tuple[float, ...]:
    """‖A_{k+1} q‖ / σ1^{k/N} along the top path q of the polished network, k = 0..N."""
    ctx, q = net.ctx, top_path(net)[0]
    return tuple(
        float(ctx.norm(net.a(k + 1) * q) / s1 ** (ctx.mpf(k) / net.depth))
        for k in range(net.depth + 1)
    )


def _run(ctx, target, s1, eta: float, init: str, seed: int) -> FoundMinimum | None:
    """One seeded GD run from the named init, polished onto P = T (None: it did not converge)."""
    start = train.random_init(WIDTHS, INITS[init], np.random.default_rng(seed))
    run = train.gd(start, np.eye(2), TARGET, eta, STEPS)
    if not run.converged:
        return None
    net = polish(ctx, run.weights, ctx.eye(2), target).net
    return FoundMinimum(eta, init, float(cv.sharpness(net)), _gains(net, s1))


def gd_minima(
    fractions: tuple[float, ...] = FRACTIONS, seeds: int = SEEDS, dps: int = 30
) -> tuple[list[FoundMinimum], float]:
    """The converged runs, polished, from small and large random inits at steps
    η = c · 2/λ_flat for each fraction c; and λ_flat (F1's flattest sharpness)."""
    ctx = workcontext(dps)
    target = ctx.matrix(TARGET.tolist())
    flat = flattest_whitened(ctx, target, len(WIDTHS) - 1)
    s1 = top_singular_value(ctx, target)
    runs = [
        _run(ctx, target, s1, c * 2 / float(flat), init, seed)
        for c in fractions
        for seed in range(seeds)
        for init in INITS
    ]
    return [m for m in runs if m is not None], float(flat)
