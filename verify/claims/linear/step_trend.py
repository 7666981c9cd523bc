"""F9b and F9c: GD with larger η reaches flatter minima, from small (F9b) or large (F9c)
random init.

A case is a whole experiment (`runs.StepExperiment`): one float64 run per (seed, step
fraction), each converged run polished onto {P = T} at ctx.dps digits and its λ_max
evaluated. F9b: η = c · 2/λ_flat, c ∈ {1/10, 3/10, 3/5, 9/10}; F9c is the same from large
init, with 8 seeds and η = c · 2/max(λ_flat, λ_0) over c ∈ [1/16, 1], λ_0 the Gauss–Newton
sharpness at the seed's init.

Both are statistical (verify/population.py, rule `STEP_TREND_RULE`): an experiment's effect
is −ρ̄, minus the mean over seeds of the within-seed Spearman ρ(η, λ_max), with λ_max values
within Δλ/λ ≤ 1e-3 of each other tied (the same flatness, not a trend; a seed whose runs all
tie has ρ = 0); it supports the claim when −ρ̄ > 0.1, contradicts it when −ρ̄ < −0.1, and
ties otherwise. An experiment where no seed has two converged runs is vacuous.
"""

from __future__ import annotations

import numpy as np
from mpmath.ctx_mp import MPContext

from verify.claim import Claim, Family, Status
from verify.evidence import Evidence, Vacuous, observed
from verify.linear.flattest import flattest_whitened
from verify.linear.network import rows_at
from verify.linear.run_strategies import step_experiments
from verify.linear.runs import StepExperiment, polished_sharpness, run
from verify.population import Rule, tendency
from verify.precision import exact
from verify.stats import bootstrap_mean, bootstrap_rho, pearson, tie_ranks

LAMBDA_TIE = 1e-3  # relative Δλ_max below this is the same flatness
RHO_THRESHOLD = 0.1  # |ρ̄| below this is no trend

STEP_TREND_RULE = Rule(
    effect="−ρ̄: minus the mean over seeds of the within-seed Spearman ρ(η, λ_max), "
    "λ_max within Δλ/λ ≤ 1e-3 tied",
    supports="−ρ̄ > 0.1 (contradicts: −ρ̄ < −0.1; else a tie)",
    threshold=RHO_THRESHOLD,
)


def f9b_step_trend(exp: StepExperiment, ctx: MPContext) -> Evidence:
    """F9b / F9c: from small (large) random init, larger η reaches flatter minima.

    Every (seed, c) run is trained in float64, polished onto {P = T} at ctx.dps digits and its
    λ_max evaluated; the largest `polish_distance` and `endpoint_uncertainty` over the runs
    (`runs.endpoint`) are reported. The design is blocked: every seed (one random init) is
    trained at every step size, so the init is a shared nuisance factor; the effect is −ρ̄
    (module doc), with a seeded 90% percentile bootstrap interval over the seeds. The pooled
    (unblocked) Spearman ρ over all converged runs and its pair bootstrap are reported as
    `pooled_rho`,
    `pooled_ci_low/high` (ranked by c: with reference "init" the same c is a different η for
    each seed, so only the within-seed statistic compares step sizes).
    """
    runs, lams, ends = [], [], []
    for case in exp.runs():
        if run(case).converged:
            lam, end = polished_sharpness(case, ctx.dps)
            runs.append(case)
            lams.append(ctx.mpf(lam))
            ends.append(end)
    eta_keys = [case.step_fraction for case in runs]
    eta_ranks = tie_ranks([exact(ctx, c) for c in eta_keys], ctx)
    lam_ranks = tie_ranks(lams, ctx, LAMBDA_TIE)
    per_seed, decreasing, tied = [], 0, 0
    for seed in exp.seeds:
        idx = [i for i, case in enumerate(runs) if case.seed == seed]
        if len({eta_keys[i] for i in idx}) < 2:
            continue
        etas = tie_ranks([exact(ctx, eta_keys[i]) for i in idx], ctx)  # ranked within the seed
        r = pearson(etas, tie_ranks([lams[i] for i in idx], ctx, LAMBDA_TIE))
        tied += r is None
        per_seed.append(0.0 if r is None else r)
        decreasing += r is not None and abs(r + 1) < 1e-9  # ρ = −1 up to float rounding
    if not per_seed:
        raise Vacuous(f"no seed has converged runs at two step sizes ({len(runs)} converged)")
    effect = -float(np.mean(per_seed))
    low, high = bootstrap_mean([-r for r in per_seed])
    pooled = pearson(eta_ranks, lam_ranks)
    pooled_low, pooled_high, _ = (
        (0.0, 0.0, 0) if pooled is None else bootstrap_rho(eta_ranks, lam_ranks)
    )
    flat = flattest_whitened(ctx, rows_at(ctx, exp.target), len(exp.widths) - 1)
    ratios = [lam / flat for lam in lams]
    spread = f"λ_max/λ_flat ∈ [{float(min(ratios)):.4f}, {float(max(ratios)):.4f}]"
    return observed(
        tendency({"−ρ̄": (effect, low, high)}, RHO_THRESHOLD, f"larger η, flatter ({spread})"),
        converged=len(runs),
        runs=len(exp.seeds) * len(exp.fractions),
        seeds_with_trend=len(per_seed) - tied,
        seeds_all_tied=tied,
        seeds_strictly_decreasing=decreasing,
        rho_within_seed=-effect,
        rho_ci_low=-high,
        rho_ci_high=-low,
        pooled_rho=0.0 if pooled is None else pooled,
        pooled_ci_low=pooled_low,
        pooled_ci_high=pooled_high,
        min_ratio_to_flattest=min(ratios),
        max_ratio_to_flattest=max(ratios),
        ratio_at_smallest_step=_mean_at(ctx, ratios, eta_keys, min(eta_keys)),
        ratio_at_largest_step=_mean_at(ctx, ratios, eta_keys, max(eta_keys)),
        **{key: max(ctx.mpf(e[key]) for e in ends) for key in ends[0]},
    )


def _mean_at(ctx: MPContext, ratios: list, keys: list, key) -> object:
    chosen = [r for r, k in zip(ratios, keys, strict=True) if k == key]
    return ctx.fsum(chosen) / len(chosen)


CLAIMS = [
    Claim(
        "F9b",
        "From small random init, GD with larger η reaches flatter minima (in most experiments, "
        "the mean within-seed Spearman ρ(η, λ_max) < −0.1, Δλ/λ ≤ 1e-3 tied)",
        "Mulayoff & Michaeli 2020 / classical",
        Status.PAPER,
        step_experiments(),
        f9b_step_trend,
        family=Family.LINEAR,
        cost=0.5,
        rule=STEP_TREND_RULE,
    ),
    Claim(
        "F9c",
        "From large random init, GD with larger η (c · 2/λ_0, c ∈ [1/16, 1]) reaches flatter "
        "minima (same rule as F9b, 8 seeds per experiment)",
        "flatminima (large-init variant of F9b)",
        Status.OPEN,
        step_experiments(seeds=(8, 8), init="large"),
        f9b_step_trend,
        family=Family.LINEAR,
        cost=0.5,
        rule=STEP_TREND_RULE,
    ),
]
