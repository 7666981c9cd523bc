"""F4, F4b, F4c and F6b: where small-step GD from the zero-init linear ResNet (W_k = I) lands.

F4 (whitened, T SPD): the limit is a flattest minimum, λ_max = N σ1^{2−2/N}. F4c (T = I + E,
E non-symmetric): GD's excess over N σ1^{2−2/N}, fitted against η, vanishes as η → 0.
F4b (non-whitened Σx, T SPD near I): it is flattest for that Σx, λ_max = F2's value
N max_v f(v). F6b: the limit satisfies F6's path equations
W_k v_{k−1} = σ1^{1/N} v_k, W_kᵀ v_k = σ1^{1/N} v_{k−1} along the top path, and so do the
minima weight-decay GD reaches from random starts (G3b: flattest for their own product).

F4: float64 rounding perturbs the symmetric trajectory at first order (|λ_max − flattest|
≈ 1e-16 at the polished float64 end point, reported as `float64_gap`), so the run is redone
at working precision (fixed point, `gd_fixed`) before polishing; see `f4_resnet_flattest`.
F4b (non-whitened Σx, compared with F2's flattest value) is the same check on other cases;
F4c runs that GD at four step sizes (`f4c_step_limit`); F6b checks F6 at F4's limit and at
weight-decay minima.
"""

from __future__ import annotations

from dataclasses import replace

from mpmath.ctx_mp import MPContext

from verify.claim import Claim, Family, Status
from verify.dynamics.matrix import MatrixRun, decayed_minimum
from verify.dynamics.runs import decayed_problems
from verify.evidence import (
    Degenerate,
    Evidence,
    InvalidCase,
    Vacuous,
    at_most,
    equal,
    evidence,
    require,
)
from verify.linear import curvature as cv
from verify.linear import train
from verify.linear.flattest import flattest, flattest_whitened, top_singular_value
from verify.linear.network import Net, rows_at
from verify.linear.polish import Polished
from verify.linear.resnet import HALVINGS, extrapolate, resnet_limit
from verify.linear.run_strategies import resnet_runs
from verify.linear.runs import TrainingCase, endpoint, polish_run, run
from verify.linear.structure import coupling_evidence
from verify.precision import tolerance


def _gd_limit(case: TrainingCase, ctx: MPContext) -> tuple[train.TrainResult, Polished]:
    """The float64 run (cached; it decides that GD converges) and the same GD rerun at
    working precision and polished (`resnet_limit`), the point the ResNet claims decide on."""
    result = run(case)
    if not result.converged:
        raise Degenerate(f"GD did not converge ({result.status} after {result.steps} steps)")
    return result, resnet_limit(case, ctx, result)


def _float64_values(case: TrainingCase, ctx: MPContext, result: train.TrainResult, flat) -> dict:
    """The polished float64 end point, only reported: `float64_gap` = its λ_max − flattest,
    `polish_distance` and `endpoint_uncertainty` = ‖Σx‖₂ · Lipschitz · polishing distance
    (`runs.endpoint`). Float64 rounding alone moves λ_max by more than that bound in some
    cases, so it never decides."""
    rough = polish_run(case, ctx, result)
    return {"float64_gap": cv.sharpness(rough.net) - flat, **endpoint(ctx, result, rough)}


def _imbalance(ctx: MPContext, net) -> object:
    """max_k ‖W_{k+1}ᵀW_{k+1} − W_kW_kᵀ‖_F (0 under gradient flow from W_k = I)."""
    return max((ctx.mnorm(m, "F") for m in cv.balance(net)), default=ctx.zero)


def _resnet_evidence(case, ctx, relation_name: str, flat, **extra) -> Evidence:
    """λ_max at the working-precision GD limit (`_gd_limit`) = flattest to working precision;
    the polished float64 end point is reported beside it (`_float64_values`)."""
    result, p = _gd_limit(case, ctx)
    lam = cv.sharpness(p.net)
    return evidence(
        equal(lam, flat, relation_name),
        float64_steps=result.steps,
        lambda_max=lam,
        flattest=flat,
        ratio_to_flattest=lam / flat,
        excess=lam - flat,
        **_float64_values(case, ctx, result, flat),
        limit_polish_distance=p.distance,
        imbalance=_imbalance(ctx, p.net),
        **extra,
    )


def f4_resnet_flattest(case: TrainingCase, ctx: MPContext) -> Evidence:
    """Zero-init linear ResNet, small-step GD, whitened: the limit is a flattest minimum,
    λ_max = N σ1^{2−2/N}, to working precision (F4, T SPD).

    The float64 run (cached) decides that GD converges (see `_resnet_evidence`). Because
    float64 rounding perturbs the trajectory at first order (measured:
    |λ_max − flattest| ≈ 1e-16 at the polished float64 end point), the same GD is rerun at
    ctx.dps digits from W_k = I until ‖P − T‖ < 10^(5−dps) and polished; the polishing distance
    is then ~10^(−dps) and the equality is tested at working precision. `lambda_max`,
    `limit_polish_distance` and `imbalance` are those of the point the decision used;
    `imbalance` is max_k ‖W_{k+1}ᵀW_{k+1} − W_kW_kᵀ‖_F at the limit (0 under gradient flow;
    discrete GD changes it by η²(G_{k+1}ᵀG_{k+1} − G_kG_kᵀ) per step).
    """
    if case.sigma is not None:
        raise InvalidCase("F4 is about whitened data")
    flat = flattest_whitened(ctx, rows_at(ctx, case.target), case.depth)
    return _resnet_evidence(case, ctx, "λ_max = N σ1^{2−2/N}", flat)


def f4c_step_limit(case: TrainingCase, ctx: MPContext) -> Evidence:
    """F4c: GD from W_k = I (whitened, T = I + E non-symmetric) at c, c/2, c/4, c/8 of
    2/λ_flat, each rerun at working precision and polished (`_gd_limit`); the excesses
    e(η) = λ_max − N σ1^{2−2/N} are extrapolated to η → 0 (`resnet.extrapolate`:
    e = L + a η^p, p fitted), and the limit L must be 0 within its uncertainty u:
    |L| ≤ u. Reports `fitted_order` p, `limit_excess` L, `limit_uncertainty` u, the
    `excesses` and, for the run at c, the float64 end point (`_float64_values`)."""
    if case.sigma is not None:
        raise InvalidCase("F4c is about whitened data")
    flat = flattest_whitened(ctx, rows_at(ctx, case.target), case.depth)
    fractions = [case.step_fraction / 2**j for j in range(HALVINGS)]
    runs = [_gd_limit(replace(case, step_fraction=c), ctx) for c in fractions]
    excesses = [cv.sharpness(p.net) - flat for _, p in runs]
    fit = extrapolate(ctx, excesses, tolerance(ctx) * flat)
    result, p = runs[0]
    return evidence(
        at_most(abs(fit.limit), fit.uncertainty, "excess → 0 as η → 0 (|L| ≤ u)"),
        step_fractions=[float(c) for c in fractions],
        excesses=excesses,
        fitted_order=fit.order,
        limit_excess=fit.limit,
        limit_uncertainty=fit.uncertainty,
        flattest=flat,
        float64_steps=result.steps,
        **_float64_values(case, ctx, result, flat),
        imbalance=_imbalance(ctx, p.net),
    )


def f6_trained_coupling(case: TrainingCase | MatrixRun, ctx: MPContext) -> Evidence:
    """F6 on minima found by training, two ways: the zero-init ResNet's GD limit (whitened,
    T SPD; F4), rerun at working precision and polished; or weight-decay GD from a random
    start (whitened; G3b), Newton-polished to its stationary point, a minimum of its own
    product P. Each must be flattest (N σ1^{2−2/N}; else the case is invalid) and then
    satisfies W_k v_{k−1} = σ1^{1/N} v_k, W_kᵀ v_k = σ1^{1/N} v_{k−1} along the top path."""
    if isinstance(case, MatrixRun):
        found, residual = decayed_minimum(case, ctx)
        net = Net(ctx, found.weights, found.sigma, found.product())
        values = {"trained": "weight decay", "gradient_residual": residual}
    else:
        result, limit = _gd_limit(case, ctx)
        net = limit.net
        values = {"limit_polish_distance": limit.distance, "float64_steps": result.steps}
    top = top_singular_value(ctx, net.target)
    if top < ctx.mpf(1) / 100:
        raise Vacuous(f"training reached P ≈ 0 (σ1 = {float(top):.1e}): no top path")
    flat = flattest_whitened(ctx, net.target, net.depth)
    require(equal(cv.sharpness(net), flat, "the trained minimum is flattest (F4, G3b)"), ctx)
    return coupling_evidence(net, **values)


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
        "Zero-init linear ResNet, whitened, T = I + E with E non-symmetric: as η → 0, GD "
        "converges to a flattest minimum (the excess λ_max − N σ1^{2−2/N} at c, c/2, c/4, c/8, "
        "fitted as L + a η^p, extrapolates to L = 0)",
        "Mulayoff & Michaeli 2020 (non-symmetric variant)",
        Status.OPEN,
        resnet_runs(symmetric=False),
        f4c_step_limit,
        family=Family.LINEAR,
        cost=0.5,
    ),
    Claim(
        "F6b",
        "F6 on minima found by training: zero-init linear ResNet GD limits (whitened, T SPD) "
        "and weight-decay GD minima from random starts (whitened) are coupled along the top "
        "path",
        "Mulayoff & Michaeli 2020",
        Status.PROVED,
        resnet_runs() | decayed_problems(whitened=True),
        f6_trained_coupling,
        family=Family.LINEAR,
        cost=0.5,
    ),
]
