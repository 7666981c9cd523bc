"""F9b and F9c: GD with larger η reaches flatter minima, from small (F9b) or large (F9c)
random init.

A case is a whole experiment (`runs.StepExperiment`): one float64 run per (seed, step
fraction), each converged run polished onto {P = T} at ctx.dps digits and its λ_max
evaluated. The statistic is the mean over seeds of the within-seed Spearman ρ(η, λ_max), with
a seeded percentile bootstrap interval over the seeds, see `f9b_step_trend`. F9b:
η = c · 2/λ_flat, c ∈ {1/10, 3/10, 3/5, 9/10}; F9c is the same from large init, with 8 seeds
and η = c · 2/max(λ_flat, λ_0) over c ∈ [1/16, 1], λ_0 the Gauss–Newton sharpness at the
seed's init.
"""

from __future__ import annotations

import numpy as np
from mpmath.ctx_mp import MPContext

from verify.claim import Claim, Family, Status
from verify.evidence import Degenerate, Evidence, Vacuous, at_most, evidence
from verify.linear.flattest import flattest_whitened
from verify.linear.network import rows_at
from verify.linear.run_strategies import step_experiments
from verify.linear.runs import StepExperiment, polished_sharpness, run
from verify.precision import exact
from verify.stats import bootstrap_mean, bootstrap_rho, pearson, tie_ranks


def f9b_step_trend(exp: StepExperiment, ctx: MPContext) -> Evidence:
    """F9b / F9c: from small (large) random init, larger η reaches flatter minima.

    Every (seed, c) run is trained in float64, polished onto {P = T} at ctx.dps digits and its
    λ_max evaluated; the largest `polish_distance` and `endpoint_uncertainty` over the runs
    (`runs.endpoint`) are reported. The design is blocked: every seed (one random init) is
    trained at every step size, so the init is a shared nuisance factor. The statistic is the
    mean over seeds of the within-seed Spearman ρ between η and λ_max (ties: λ_max values
    equal to working precision share a rank); a seeded percentile bootstrap over the seeds
    (1000 resamples) gives a 90% interval, and the relation is that its upper end — the
    one-sided 95% upper confidence bound — is ≤ 0, i.e. the data support a non-increasing
    trend; it fails (a counterexample) only when the whole interval lies above 0, and an
    interval containing 0 is undecided (Degenerate: the claim comes out inconclusive, never
    refuted, for lack of power). Seeds where fewer than two runs converged, or whose runs are
    all equally flat to working precision (ρ undefined), carry no trend; if no seed carries
    one, the experiment does not meet the claim's hypothesis (Vacuous: counted apart, neither
    for nor against). The pooled (unblocked) Spearman ρ over all converged runs and its pair
    bootstrap are reported as `pooled_rho`, `pooled_ci_low/high` (ranked by c: with reference
    "init" the same c is a different η for each seed, so only the within-seed statistic
    compares step sizes).
    """
    runs, lams, ends = [], [], []
    for case in exp.runs():
        if run(case).converged:
            lam, end = polished_sharpness(case, ctx.dps)
            runs.append(case)
            lams.append(ctx.mpf(lam))
            ends.append(end)
    fractions = {case.step_fraction for case in runs}
    if len(runs) < 4 or len(fractions) < 2:
        raise Degenerate(f"only {len(runs)} runs over {len(fractions)} step sizes converged")
    flat = flattest_whitened(ctx, rows_at(ctx, exp.target), len(exp.widths) - 1)
    eta_keys = [case.step_fraction for case in runs]
    eta_ranks = tie_ranks([exact(ctx, c) for c in eta_keys], ctx)
    lam_ranks = tie_ranks(lams, ctx)
    pooled = pearson(eta_ranks, lam_ranks)
    pooled_low, pooled_high, _ = (
        (0.0, 0.0, 0) if pooled is None else bootstrap_rho(eta_ranks, lam_ranks)
    )
    per_seed, decreasing = [], 0
    for seed in exp.seeds:
        idx = [i for i, case in enumerate(runs) if case.seed == seed]
        if len(idx) < 2:
            continue
        seed_lams = [lams[i] for i in idx]
        r = pearson([eta_ranks[i] for i in idx], tie_ranks(seed_lams, ctx))
        if r is not None:
            per_seed.append(r)
            decreasing += abs(r + 1) < 1e-9  # ρ = −1 up to float rounding
    if not per_seed:  # no seed carries a trend: nothing to test (counted apart)
        raise Vacuous("every seed's converged runs are equally flat to working precision")
    rho = float(np.mean(per_seed))
    low, high = bootstrap_mean(per_seed)
    if low <= 0 < high:
        raise Degenerate(
            f"undecided: the 90% bootstrap interval [{low:.2f}, {high:.2f}] of the mean "
            f"within-seed ρ over {len(per_seed)} seeds contains 0"
        )
    ratios = [lam / flat for lam in lams]
    relation = at_most(high, 0, "bootstrap 95% upper bound of mean within-seed ρ(η, λ_max) ≤ 0")
    return evidence(
        relation,
        converged=len(runs),
        runs=len(exp.seeds) * len(exp.fractions),
        seeds_with_trend=len(per_seed),
        seeds_strictly_decreasing=decreasing,
        rho_within_seed=rho,
        rho_ci_low=low,
        rho_ci_high=high,
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
        "From small random init, GD with larger η reaches flatter minima (Spearman ρ(η, λ_max) "
        "has a bootstrap 95% upper confidence bound ≤ 0)",
        "Mulayoff & Michaeli 2020 / classical",
        Status.PAPER,
        step_experiments(),
        f9b_step_trend,
        family=Family.LINEAR,
        cost=0.5,
    ),
    Claim(
        "F9c",
        "From large random init, GD with larger η (c · 2/λ_0, c ∈ [1/16, 1]) reaches flatter "
        "minima (same statistic as F9b, 8 seeds)",
        "flatminima (large-init variant of F9b)",
        Status.OPEN,
        step_experiments(seeds=(8, 8), init="large"),
        f9b_step_trend,
        family=Family.LINEAR,
        cost=0.5,
    ),
]
