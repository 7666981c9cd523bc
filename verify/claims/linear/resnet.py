"""F4, F4b, F4c and F6b: where small-step GD from the zero-init linear ResNet (W_k = I) lands.

F4 (whitened, T SPD) and F4c (T = I + E, E non-symmetric): the limit is a flattest minimum,
λ_max = N σ1^{2−2/N}. F4b (non-whitened Σx, T SPD near I): it is flattest for that Σx,
λ_max = F2's value N max_v f(v). F6b: the limit satisfies F6's path equations
W_k v_{k−1} = σ1^{1/N} v_k, W_kᵀ v_k = σ1^{1/N} v_{k−1} along the top path.

F4: float64 rounding perturbs the symmetric trajectory at first order (|λ_max − flattest|
≈ 1e-16 at the polished float64 end point, reported as `float64_gap`), so the run is redone
at working precision (fixed point, `gd_fixed`) before polishing; see `f4_resnet_flattest`.
F4b (non-whitened Σx, compared with F2's flattest value) and F4c (T = I + E, E non-symmetric)
are the same check on other cases; F6b checks F6 at the same working-precision limit.
"""

from __future__ import annotations

from mpmath.ctx_mp import MPContext

from verify.claim import Claim, Family, Status
from verify.evidence import Degenerate, Evidence, InvalidCase, equal, evidence, require
from verify.linear import curvature as cv
from verify.linear.flattest import flattest, flattest_whitened
from verify.linear.network import rows_at
from verify.linear.resnet import resnet_limit
from verify.linear.run_strategies import resnet_runs
from verify.linear.runs import (
    TrainingCase,
    float64_end,
    lipschitz,
    polish_run,
    run,
)
from verify.linear.structure import coupling_evidence


def _resnet_evidence(case, ctx, relation_name: str, flat, **extra) -> Evidence:
    """The float64 run (cached) decides that GD converges; the decision itself is made on the
    same GD rerun at working precision (`resnet_limit`): λ_max = flattest to working
    precision. The polished float64 end point is only reported (`float64_gap` against
    `float64_slack` = ‖Σx‖₂ · Lipschitz · polishing distance, `runs` doc): float64 rounding
    alone moves λ_max by more than the heuristic slack in some cases, so it never decides."""
    result = run(case)
    if not result.converged:
        raise Degenerate(f"GD did not converge ({result.status} after {result.steps} steps)")
    rough = polish_run(case, ctx, result)
    lam64 = cv.sharpness(rough.net)
    s_norm = cv.spectral_norm(ctx, rows_at(ctx, case.sigma_rows()))
    slack = s_norm * lipschitz(ctx, rough.net.weights, float64_end(ctx, result)) * rough.distance
    p = resnet_limit(case, ctx, result)
    lam = cv.sharpness(p.net)
    imbalance = max((ctx.mnorm(m, "F") for m in cv.balance(p.net)), default=ctx.zero)
    return evidence(
        equal(lam, flat, relation_name),
        float64_steps=result.steps,
        lambda_max=lam,
        flattest=flat,
        ratio_to_flattest=lam / flat,
        excess=lam - flat,
        float64_gap=lam64 - flat,
        float64_slack=slack,
        float64_polish_distance=rough.distance,
        polish_distance=p.distance,
        imbalance=imbalance,
        **extra,
    )


def f4_resnet_flattest(case: TrainingCase, ctx: MPContext) -> Evidence:
    """Zero-init linear ResNet, small-step GD, whitened: the limit is a flattest minimum,
    λ_max = N σ1^{2−2/N}, to working precision (F4 with T SPD; F4c with T non-symmetric).

    The float64 run (cached) decides that GD converges (see `_resnet_evidence`). Because
    float64 rounding perturbs the trajectory at first order (measured:
    |λ_max − flattest| ≈ 1e-16 at the polished float64 end point), the same GD is rerun at
    ctx.dps digits from W_k = I until ‖P − T‖ < 10^(5−dps) and polished; the polishing distance
    is then ~10^(−dps) and the equality is tested at working precision. `lambda_max`,
    `polish_distance` and `imbalance` are those of the point the decision used;
    `imbalance` is max_k ‖W_{k+1}ᵀW_{k+1} − W_kW_kᵀ‖_F at the limit (0 under gradient flow;
    discrete GD changes it by η²(G_{k+1}ᵀG_{k+1} − G_kG_kᵀ) per step).
    """
    if case.sigma is not None:
        raise InvalidCase("F4 / F4c are about whitened data")
    flat = flattest_whitened(ctx, rows_at(ctx, case.target), case.depth)
    return _resnet_evidence(case, ctx, "λ_max = N σ1^{2−2/N}", flat)


def f6_trained_coupling(case: TrainingCase, ctx: MPContext) -> Evidence:
    """F6 on minima found by training: the zero-init ResNet's GD limit (whitened, T SPD), rerun
    at working precision and polished, must be flattest (F4; else the case is invalid) and
    then satisfies W_k v_{k−1} = σ1^{1/N} v_k, W_kᵀ v_k = σ1^{1/N} v_{k−1} along the top path."""
    result = run(case)
    if not result.converged:
        raise Degenerate(f"GD did not converge ({result.status} after {result.steps} steps)")
    limit = resnet_limit(case, ctx, result)
    flat = flattest_whitened(ctx, limit.net.target, case.depth)
    require(equal(cv.sharpness(limit.net), flat, "the GD limit is flattest (F4)"), ctx)
    return coupling_evidence(limit.net, polish_distance=limit.distance, float64_steps=result.steps)


def f4b_resnet_non_whitened(case: TrainingCase, ctx: MPContext) -> Evidence:
    """F4b: as F4 but with non-whitened data Σx (GD on L = ½ tr((P − T) Σx (P − T)ᵀ) in float64
    and at working precision): is the limit flattest for that Σx, λ_max = F2's value
    N max_v f(v)? F3 predicts that balance (which gradient flow from W_k = I conserves) no
    longer implies flatness. `flattest_stationarity` is F2's Newton residual."""
    target, sigma = rows_at(ctx, case.target), rows_at(ctx, case.sigma_rows())
    best = flattest(ctx, target, sigma, case.depth)
    return _resnet_evidence(
        case,
        ctx,
        "λ_max = F2's flattest value for Σx",
        best.value,
        flattest_stationarity=best.stationarity,
        whitened_value=flattest_whitened(ctx, target, case.depth),
    )


CLAIMS = [
    Claim(
        "F4",
        "Zero-init linear ResNet, small-step GD, whitened, T SPD: converges to a flattest minimum",
        "Mulayoff & Michaeli 2020",
        Status.PAPER,
        resnet_runs(),
        f4_resnet_flattest,
        family=Family.LINEAR,
        cost=0.5,
    ),
    Claim(
        "F4b",
        "Zero-init linear ResNet, small-step GD, non-whitened Σx, T SPD near I: converges to a "
        "flattest minimum for that Σx (F2's value)",
        "Mulayoff & Michaeli 2020 (non-whitened variant)",
        Status.OPEN,
        resnet_runs(whitened=False),
        f4b_resnet_non_whitened,
        family=Family.LINEAR,
        cost=0.5,
    ),
    Claim(
        "F4c",
        "Zero-init linear ResNet, small-step GD, whitened, T = I + E with E non-symmetric: "
        "converges to a flattest minimum",
        "Mulayoff & Michaeli 2020 (non-symmetric variant)",
        Status.OPEN,
        resnet_runs(symmetric=False),
        f4_resnet_flattest,
        family=Family.LINEAR,
        cost=0.5,
    ),
    Claim(
        "F6b",
        "F6 on minima found by training: zero-init linear ResNet GD limits (whitened, T SPD) "
        "are coupled along the top path",
        "Mulayoff & Michaeli 2020",
        Status.PROVED,
        resnet_runs(),
        f6_trained_coupling,
        family=Family.LINEAR,
        cost=0.5,
    ),
]
