"""F9 and F9d: a GD (F9) or mini-batch SGD (F9d) run with step η that converged ends at a
global minimum with λ_max ≤ 2/η.

A converged run is polished onto {P = T} at ctx.dps digits and λ_max is checked against
2/η + slack, slack = ‖Σx‖₂ · Lipschitz · polishing distance (`runs.lipschitz`; derivation in
the `verify.linear.runs` module doc).

F9: runs that diverge or stall are outside the hypothesis ("GD converged"); they hold
vacuously and are reported through the value `converged` (0). Step sizes c ∈ [1/10, 19/20]
of 2/λ_flat make stable minima exist, so most runs converge (≈ 90 of 100 under "thorough").
F9d is F9's check on mini-batch SGD runs over a finite data set X (`runs.sgd_data`), whose loss
and Hessian are those of Σx = X Xᵀ / n (exact from the float64 X), see `f9d_sgd_stability`.
"""

from __future__ import annotations

import numpy as np
from mpmath.ctx_mp import MPContext

from verify.claim import Claim, Family, Status
from verify.evidence import Evidence, InvalidCase, Vacuous, at_most, evidence
from verify.linear import curvature as cv
from verify.linear import train
from verify.linear.flattest import flattest_whitened
from verify.linear.run_strategies import gd_runs, sgd_runs
from verify.linear.runs import (
    TrainingCase,
    endpoint,
    polish_run,
    run,
    sgd_data,
    step_size,
)


def f9_stability(case: TrainingCase, ctx: MPContext) -> Evidence:
    """A GD (or SGD) run with step η that converged ends at a minimum with
    λ_max ≤ 2/η + slack, slack = ‖Σx‖₂ · Lipschitz · polishing distance (`runs` doc; ‖Σx‖₂
    scales the whitened Lipschitz constant, = 1 when Σx = I), reported as `polish_distance`
    and `endpoint_uncertainty` (`runs.endpoint`). SGD runs also report `sgd_context`."""
    result = run(case)
    if not result.converged:  # outside the hypothesis "GD converged": counted apart
        raise Vacuous(f"the run did not converge ({result.status} after {result.steps} steps)")
    p = polish_run(case, ctx, result)
    lam = cv.sharpness(p.net)
    eta = ctx.mpf(step_size(case))
    edge = 2 / eta
    uncertainty = endpoint(ctx, result, p)
    slack = uncertainty["endpoint_uncertainty"]  # listed beside λ_max, so the report shows it
    flat = flattest_whitened(ctx, p.net.target, case.depth)
    extra = {} if case.batch is None else sgd_context(case, result, lam * eta)
    return evidence(
        at_most(lam, edge + slack, "λ_max ≤ 2/η + ‖Σx‖₂ · Lipschitz · polishing distance"),
        converged=1,
        steps=result.steps,
        lambda_max=lam,
        endpoint_uncertainty=slack,
        edge=edge,
        ratio_to_edge=lam / edge,
        ratio_to_flattest=lam / flat,
        polish_distance=uncertainty["polish_distance"],
        **extra,
    )


def sgd_context(case: TrainingCase, result: train.TrainResult, lam_eta) -> dict:
    """Context of an SGD run (Wu, Ma & E 2018): η λ_max (≤ 2 is F9d) and, at the float64 end
    point, the non-uniformity s = λ_max(Σ)^{1/2} (`train.sgd_noise`) and its share
    η s √((n − B) / (B (n − 1))) of their stability condition (≤ 1 is necessary for SGD with
    batch B drawn without replacement from n samples to be linearly stable)."""
    n, b = case.samples, case.batch
    eta = step_size(case)
    _, s = train.sgd_noise(result.weights, sgd_data(case.widths[0], n, case.seed))
    factor = 0.0 if b == n else (n - b) / (b * (n - 1))
    return {
        "batch": b,
        "samples": n,
        "lambda_max_times_step": lam_eta,
        "non_uniformity": s,
        "noise_ratio": eta * s * float(np.sqrt(factor)),
    }


def f9d_sgd_stability(case: TrainingCase, ctx: MPContext) -> Evidence:
    """F9d: mini-batch SGD (batch B of n samples X, exactly realisable Y = T X) with step η
    that converged ends at a global minimum of the finite-sample loss
    L = (1/n) Σ_i ½ ‖(P − T) x_i‖² = ½ tr((P − T) Σx (P − T)ᵀ), Σx = X Xᵀ / n (exact from
    the float64 X), with λ_max(∇²L) ≤ 2/η + slack: F9's check (`f9_stability`) on SGD runs."""
    if case.batch is None:
        raise InvalidCase("F9d is about mini-batch SGD runs")
    return f9_stability(case, ctx)


CLAIMS = [
    Claim(
        "F9",
        "GD with step η that converges reaches a global minimum with λ_max ≤ 2/η",
        "classical (stability of GD)",
        Status.PAPER,
        gd_runs(),
        f9_stability,
        family=Family.LINEAR,
        cost=0.5,
    ),
    Claim(
        "F9d",
        "Mini-batch SGD with step η that converges reaches a global minimum of the finite-sample "
        "loss with λ_max ≤ 2/η (linear stability)",
        "Wu, Ma & E 2018, 'How SGD selects the global minima'",
        Status.PAPER,
        sgd_runs(),
        f9d_sgd_stability,
        family=Family.LINEAR,
        cost=0.5,
    ),
]
