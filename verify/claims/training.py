"""Where gradient descent lands on a deep linear network (THEORY.md F4, F9; variants F4b, F4c,
F9b).

Each case is a training setting (`TrainingCase`): widths, a rational target T, whitened data
(Σx = I), an initialisation, a seed and a step size η given as a fraction c of 2/λ_flat,
where λ_flat = N σ1^{2−2/N} is the flattest sharpness over the global minima (F1). A check
trains in float64 (deterministically from the case; cached, so the two working precisions
share one run), polishes the end point onto {P = T} at ctx.dps digits by minimum-norm
Gauss–Newton (`polish.py`) and evaluates λ_max = λ_max(M) there (`curvature.sharpness`).

Polishing tolerance. λ_max(M(W)) is Lipschitz along the weights: with R ≥ ‖W_k‖₂ at both
points, Weyl's inequality and telescoping the products A_kᵀA_k ⊗ B_kB_kᵀ give
    |λ_max(W) − λ_max(W′)| ≤ 2 (N − 1) √N R^{2N−3} ‖W − W′‖_F        (whitened data).
The point GD converged to, W∞, is not known exactly; the polished point W_p is taken to be as
far from it as polishing moved the float64 end point (‖W_p − W∞‖ ≈ d, the polishing distance,
since the float64 end point is within rounding of W∞ and polishing moves normally to the
minimum set). So F9's bound on λ_max(W∞) is checked at W_p up to slack = Lipschitz · d.

F9: runs that diverge or stall are outside the hypothesis ("GD converged"); they hold
vacuously and are reported through the value `converged` (0). Step sizes c ∈ [1/10, 19/20]
of 2/λ_flat make stable minima exist, so most runs converge (≈ 90 of 100 under "thorough").
F4: float64 rounding perturbs the symmetric trajectory at first order (|λ_max − flattest|
≈ 1e-16 at the polished float64 end point, reported as `float64_gap`), so the run is redone
at working precision (fixed point, `gd_fixed`) before polishing; see `f4_resnet_flattest`.
F4b (non-whitened Σx, compared with F2's flattest value) and F4c (T = I + E, E non-symmetric)
are the same check on other cases. F9b: a case is a whole experiment (`StepExperiment`), see
`f9b_step_trend`; F9c is the same from large init, with 8 seeds and η = c · 2/max(λ_flat, λ_0)
over c ∈ [1/16, 1], λ_0 the Gauss–Newton sharpness at the seed's init. F9d is F9's check on
mini-batch SGD runs over a finite data set X (`sgd_data`), whose loss and Hessian are those
of Σx = X Xᵀ / n (exact from the float64 X), see `f9d_sgd_stability`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction
from functools import lru_cache

import numpy as np
from hypothesis import strategies as st
from mpmath.ctx_mp import MPContext

from verify.claim import Claim, Status
from verify.claims.mulayoff import coupling_evidence
from verify.evidence import (
    Degenerate,
    Evidence,
    InvalidCase,
    Relation,
    at_most,
    equal,
    evidence,
    require,
)
from verify.linear import curvature as cv
from verify.linear import train
from verify.linear.flattest import flattest, flattest_whitened
from verify.linear.network import Rows, identity_rows, rows_at, rows_product, transpose
from verify.linear.polish import Polished, polish
from verify.linear.strategies import diagonal, orthogonal, spd
from verify.precision import exact, tolerance, workcontext
from verify.rationals import nonzero_rationals, rationals
from verify.stats import bootstrap_mean, bootstrap_rho, pearson

STEPS = 20_000  # float64 step budget per run


@dataclass(frozen=True)
class TrainingCase:
    """A GD run: widths (d_0, …, d_N), target T (d_N × d_0), init ("small", "large",
    "resnet"), init scale, seed and η = step_fraction · 2 / λ_flat; data whitened."""

    widths: tuple[int, ...]
    target: Rows
    init: str
    scale: Fraction
    seed: int
    step_fraction: Fraction
    steps: int = STEPS
    sigma: Rows | None = None  # Σx (rational SPD); None: whitened
    batch: int | None = None  # SGD mini-batch size B (1 ≤ B ≤ samples); None: full-batch GD
    reference: str = "flat"  # η = c · 2 / λ_flat ("flat") or c · 2 / max(λ_flat, λ_0) ("init")
    samples: int = 0  # SGD: n data points X = `sgd_data(d_0, n, seed)`

    def __post_init__(self) -> None:
        if self.batch is not None:
            if self.sigma is not None:
                raise ValueError("an SGD case takes Σx = X Xᵀ / n from its data, not `sigma`")
            if self.samples < self.widths[0]:
                d0, n = self.widths[0], self.samples
                raise ValueError(f"SGD needs n ≥ d_0 = {d0} samples, got n = {n}")
            train.check_batch(self.batch, self.samples)

    @property
    def depth(self) -> int:
        return len(self.widths) - 1

    def sigma_rows(self) -> Rows:
        """Σx: given, I (whitened) or, for SGD, the exact X Xᵀ / n of the float64 data X."""
        if self.batch is not None:
            return sample_covariance(self.widths[0], self.samples, self.seed)
        return self.sigma if self.sigma is not None else identity_rows(self.widths[0])


@lru_cache(maxsize=256)
def sgd_data(d0: int, samples: int, seed: int) -> np.ndarray:
    """The SGD data set X (d_0 × n): `train.synthetic_data(I, n)` from the generator seeded
    [seed, 1] (independent of the init's), so X Xᵀ / n = I up to float64 rounding."""
    return train.synthetic_data(np.eye(d0), samples, np.random.default_rng([seed, 1]))


@lru_cache(maxsize=256)
def sample_covariance(d0: int, samples: int, seed: int) -> Rows:
    """Σx = X Xᵀ / n exactly, in rationals, from the float64 entries of X = `sgd_data`."""
    x = [[Fraction(float(v)) for v in row] for row in sgd_data(d0, samples, seed)]
    n = len(x[0])
    return tuple(
        tuple(sum((a * b for a, b in zip(r, q, strict=True)), Fraction(0)) / n for q in x)
        for r in x
    )


def _target64(case: TrainingCase) -> np.ndarray:
    return np.array([[float(x) for x in row] for row in case.target])


def _sigma64(case: TrainingCase) -> np.ndarray:
    return np.array([[float(x) for x in row] for row in case.sigma_rows()])


@lru_cache(maxsize=512)
def _flat64(target: Rows, sigma: Rows | None, depth: int) -> float:
    """λ_flat as a float: N σ1^{2−2/N} (whitened, F1) or F2's value at 30 digits (any Σx)."""
    if sigma is None:
        s1 = float(np.linalg.norm(np.array([[float(x) for x in r] for r in target]), 2))
        return depth * s1 ** (2 - 2 / depth)
    ctx = workcontext(30)
    return float(flattest(ctx, rows_at(ctx, target), rows_at(ctx, sigma), depth).value)


def step_size(case: TrainingCase) -> float:
    """η = c · 2 / λ_flat in float64 (λ_flat of F1, or of F2 when a Σx ≠ I is given; SGD cases
    use F1's, their X Xᵀ / n being I up to rounding); with reference "init",
    η = c · 2 / max(λ_flat, λ_0), λ_0 = `train.gauss_newton_sharpness` at the case's init (the
    edge of stability where GD starts). The claims use this float exactly."""
    scale = _flat64(case.target, case.sigma, case.depth)
    if case.reference == "init":
        scale = max(scale, _init_sharpness(case))
    return float(case.step_fraction) * 2 / scale


def _init(case: TrainingCase) -> train.Weights:
    """The case's initial weights (random ones from the generator seeded `case.seed`)."""
    if case.init == "resnet":
        return train.resnet_init(case.widths[0], case.depth)
    rng = np.random.default_rng(case.seed)
    return train.random_init(case.widths, float(case.scale), rng)


@lru_cache(maxsize=4096)
def _init_sharpness(case: TrainingCase) -> float:
    return train.gauss_newton_sharpness(_init(case), _sigma64(case))


@lru_cache(maxsize=4096)
def run(case: TrainingCase) -> train.TrainResult:
    """The float64 run of a case (deterministic; cached across precisions)."""
    weights = _init(case)
    sigma, target, eta = _sigma64(case), _target64(case), step_size(case)
    if case.batch is None:
        return train.gd(weights, sigma, target, eta, case.steps)
    data = sgd_data(case.widths[0], case.samples, case.seed)
    batches = np.random.default_rng([case.seed, 2])
    return train.gd(weights, sigma, target, eta, case.steps, case.batch, batches, data=data)


def lipschitz(ctx: MPContext, first, second) -> object:
    """2 (N − 1) √N R^{2N−3}, R = max ‖W_k‖₂ over the layers of two points (see module doc)."""
    n = len(first)
    r = max(cv.spectral_norm(ctx, w) for w in [*first, *second])
    return 2 * (n - 1) * ctx.sqrt(n) * r ** (2 * n - 3)


def _polished(case: TrainingCase, ctx: MPContext, result: train.TrainResult) -> Polished:
    return polish(ctx, result.weights, rows_at(ctx, case.sigma_rows()), rows_at(ctx, case.target))


def _start(ctx: MPContext, result: train.TrainResult) -> list:
    return [
        ctx.matrix([[ctx.mpf(float(x)) for x in row] for row in w.tolist()]) for w in result.weights
    ]


def f9_stability(case: TrainingCase, ctx: MPContext) -> Evidence:
    """A GD (or SGD) run with step η that converged ends at a minimum with
    λ_max ≤ 2/η + slack, slack = ‖Σx‖₂ · Lipschitz · polishing distance (module doc; ‖Σx‖₂
    scales the whitened Lipschitz constant, = 1 when Σx = I). SGD runs also report
    `sgd_context`."""
    result = run(case)
    if not result.converged:
        # Outside the hypothesis ("GD converged"): vacuous, reported through `converged`.
        return evidence(
            Relation("run did not converge: outside the hypothesis", "true", True),
            converged=0,
            steps=result.steps,
        )
    p = _polished(case, ctx, result)
    lam = cv.sharpness(p.net)
    eta = ctx.mpf(step_size(case))
    edge = 2 / eta
    s_norm = cv.spectral_norm(ctx, p.net.sigma)
    slack = s_norm * lipschitz(ctx, p.net.weights, _start(ctx, result)) * p.distance
    flat = flattest_whitened(ctx, p.net.target, case.depth)
    extra = {} if case.batch is None else sgd_context(case, result, lam * eta)
    return evidence(
        at_most(lam, edge + slack, "λ_max ≤ 2/η + ‖Σx‖₂ · Lipschitz · polishing distance"),
        converged=1,
        steps=result.steps,
        lambda_max=lam,
        edge=edge,
        ratio_to_flattest=lam / flat,
        ratio_to_edge=lam / edge,
        polish_distance=p.distance,
        slack=slack,
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


def _fixed(rows: Rows, bits: int) -> np.ndarray:
    """A rational matrix in fixed point: round(x · 2^bits) as Python ints (object array)."""
    return np.array(
        [
            [(2 * x.numerator * (1 << bits) + x.denominator) // (2 * x.denominator) for x in row]
            for row in rows
        ],
        dtype=object,
    )


def gd_fixed(case: TrainingCase, dps: int, goal_sq: Fraction, budget: int):
    """Full-batch GD from W_k = I at ≥ dps digits in fixed-point integer arithmetic, until
    ‖P − T‖_F² < goal_sq or `budget` steps; returns (weights, ‖P − T‖_F² < goal_sq, steps).

    Numbers are Python ints scaled by 2^bits, bits = ⌈dps log2 10⌉ + 64 (the weights are
    returned exactly, as lists of rows of Fractions); each product is
    rescaled by a floor shift (error ≤ 2^−bits per entry). Near its limit GD contracts except
    along the minimum set, where rounding errors add up: after s steps the drift is
    O(s · 2^−bits), s ≪ 2^64, so this is the exact GD trajectory to well beyond 10^−dps. It is
    the GD of `train.gd_precise` (∂L/∂W_k = B_kᵀ (P − T) Σx A_kᵀ, η = the float
    `step_size(case)` exactly), several times faster than mpmath matrices.
    """
    bits = int(dps * 3.33) + 64
    one = 1 << bits
    eta = Fraction(step_size(case))
    eta_fixed = eta.numerator * one // eta.denominator
    target, sigma = _fixed(case.target, bits), _fixed(case.sigma_rows(), bits)
    d0, n = case.widths[0], case.depth
    eye = np.array([[one if i == j else 0 for j in range(d0)] for i in range(d0)], dtype=object)
    weights = [eye.copy() for _ in range(n)]
    limit = goal_sq * one * one  # ‖P − T‖_F² in units of 2^(−2 bits)

    def mul(a, b):
        return (a @ b) >> bits

    for t in range(budget + 1):
        prefix = [eye]  # A_1..A_{N+1}
        for w in weights:
            prefix.append(mul(w, prefix[-1]))
        error = prefix[-1] - target
        reached = int(np.sum(error * error)) < limit
        if reached or t == budget:
            exact_weights = [
                [[Fraction(x, one) for x in row] for row in w.tolist()] for w in weights
            ]
            return exact_weights, reached, t
        suffix = [eye]  # B_N, B_{N−1}, …, B_0
        for w in reversed(weights):
            suffix.append(mul(suffix[-1], w))
        r = mul(error, sigma)
        grads = [mul(mul(suffix[n - 1 - k].T, r), prefix[k].T) for k in range(n)]
        weights = [w - ((eta_fixed * g) >> bits) for w, g in zip(weights, grads, strict=True)]
    raise AssertionError("unreachable")


def _resnet_limit(case: TrainingCase, ctx: MPContext, result: train.TrainResult) -> Polished:
    """Rerun the zero-init ResNet's GD at ≥ ctx.dps digits (fixed point, `gd_fixed`, with the
    case's Σx) until ‖P − T‖_F < 10^(5−dps) max(1, ‖T‖_F), and polish the end point onto
    {P = T} at ctx.dps digits."""
    norm_sq = sum((x * x for row in case.target for x in row), Fraction(0))
    goal_sq = Fraction(10) ** (10 - 2 * ctx.dps) * max(Fraction(1), norm_sq)
    budget = 4 * result.steps * (ctx.dps // 12 + 1) + 100
    weights, reached, steps = gd_fixed(case, ctx.dps, goal_sq, budget)
    if not reached:
        raise Degenerate(f"GD at {ctx.dps} digits did not reach ‖P − T‖ < goal in {steps} steps")
    start = [ctx.matrix([[exact(ctx, x) for x in row] for row in w]) for w in weights]
    sigma = rows_at(ctx, case.sigma_rows())
    return polish(ctx, start, sigma, rows_at(ctx, case.target))


def _resnet_evidence(case, ctx, relation_name: str, flat, **extra) -> Evidence:
    """The float64 run (cached) decides that GD converges; the decision itself is made on the
    same GD rerun at working precision (`_resnet_limit`): λ_max = flattest to working
    precision. The polished float64 end point is only reported (`float64_gap` against
    `float64_slack` = ‖Σx‖₂ · Lipschitz · polishing distance, module doc): float64 rounding
    alone moves λ_max by more than the heuristic slack in some cases, so it never decides."""
    result = run(case)
    if not result.converged:
        raise Degenerate(f"GD did not converge ({result.status} after {result.steps} steps)")
    rough = _polished(case, ctx, result)
    lam64 = cv.sharpness(rough.net)
    s_norm = cv.spectral_norm(ctx, rows_at(ctx, case.sigma_rows()))
    slack = s_norm * lipschitz(ctx, rough.net.weights, _start(ctx, result)) * rough.distance
    p = _resnet_limit(case, ctx, result)
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
    limit = _resnet_limit(case, ctx, result)
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


# --- F9b: the trend of λ_max with η -------------------------------------------------------

FRACTIONS = (Fraction(1, 10), Fraction(3, 10), Fraction(6, 10), Fraction(9, 10))
EXPERIMENT_STEPS = 3_000  # float64 step budget per run of an experiment
# F9c (large init): 8 seeds, η = c · 2 / max(λ_flat, λ_0) over a geometric grid spanning a
# factor 16 of the stability range at the init, and a larger step budget for the small steps.
# (With F9b's grid, 2/λ_flat, most large-init runs diverged: 0–11 of 12 converged per
# experiment.) Under "quick" (6 experiments, seed 0) five experiments show the trend
# (24–44 of 48 runs converge, mean within-seed ρ ≤ −0.83, 90% upper bounds ≤ −0.55), but one
# ill-conditioned experiment (widths (3, 3, 1, 3), scale 23/12: λ_0 / λ_flat ≈ 50–200, so
# 41 of 48 runs stall within 10 000 steps) leaves 7 converged runs, 3 seeds with a trend and
# the interval [−1.00, 0.33]: undecided, so F9c stays inconclusive. Deciding such experiments
# would need ~10⁵ steps per run at the small c (the rate per step is ~ c λ_min / λ_0).
LARGE_FRACTIONS = tuple(Fraction(k, 16) for k in (1, 2, 4, 8, 12, 16))
LARGE_STEPS = 10_000


@dataclass(frozen=True)
class StepExperiment:
    """A whole F9b/F9c experiment: random init ("small" or "large") of the given scale, one run
    per (seed, step fraction) pair, η = c · 2/λ_flat (reference "flat") or
    c · 2/max(λ_flat, λ_0(seed)) (reference "init", `step_size`); data whitened."""

    widths: tuple[int, ...]
    target: Rows
    scale: Fraction
    seeds: tuple[int, ...]
    fractions: tuple[Fraction, ...] = FRACTIONS
    steps: int = EXPERIMENT_STEPS
    init: str = "small"
    reference: str = "flat"

    def runs(self) -> list[TrainingCase]:
        return [
            TrainingCase(
                self.widths,
                self.target,
                self.init,
                self.scale,
                s,
                c,
                self.steps,
                reference=self.reference,
            )
            for s in self.seeds
            for c in self.fractions
        ]


def tie_ranks(values: list, ctx: MPContext) -> list[Fraction]:
    """Ranks 1..n with ties averaged; values within working-precision tolerance of their
    neighbour (relative to max(1, |value|)) are one tie group."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    tol = tolerance(ctx)
    groups: list[list[int]] = []
    for i in order:
        if groups:
            last = values[groups[-1][-1]]
            if values[i] - last <= tol * max(ctx.one, abs(last), abs(values[i])):
                groups[-1].append(i)
                continue
        groups.append([i])
    ranks: list[Fraction] = [Fraction(0)] * len(values)
    position = 0
    for group in groups:
        mean = Fraction(2 * position + len(group) + 1, 2)
        for i in group:
            ranks[i] = mean
        position += len(group)
    return ranks


@lru_cache(maxsize=4096)
def _polished_sharpness(case: TrainingCase, dps: int):
    """λ_max at the polished end point of a converged float64 run, at dps digits (cached:
    experiments that Hypothesis shrinks share most of their runs)."""
    ctx = workcontext(dps)
    return cv.sharpness(_polished(case, ctx, run(case)).net)


def f9b_step_trend(exp: StepExperiment, ctx: MPContext) -> Evidence:
    """F9b / F9c: from small (large) random init, larger η reaches flatter minima.

    Every (seed, c) run is trained in float64, polished onto {P = T} at ctx.dps digits and its
    λ_max evaluated. The design is blocked: every seed (one random init) is trained at every
    step size, so the init is a shared nuisance factor. The statistic is the mean over seeds of
    the within-seed Spearman ρ between η and λ_max (ties: λ_max values equal to working
    precision share a rank); a seeded percentile bootstrap over the seeds (1000 resamples)
    gives a 90% interval, and the relation is that its upper end — the one-sided 95% upper
    confidence bound — is ≤ 0, i.e. the data support a non-increasing trend; it fails (a
    counterexample) only when the whole interval lies above 0, and an interval containing 0 is
    undecided (Degenerate: the claim comes out inconclusive, never refuted, for lack of
    power). Seeds where fewer
    than two runs converged, or whose runs are all equally flat to working precision (ρ
    undefined), carry no trend; if no seed carries one, the trend is trivially non-increasing:
    the relation holds and `all_tied` = 1. The pooled (unblocked) Spearman ρ over all converged
    runs and its pair bootstrap are reported as `pooled_rho`, `pooled_ci_low/high` (ranked by
    c: with reference "init" the same c is a different η for each seed, so only the
    within-seed statistic compares step sizes).
    """
    runs, lams = [], []
    for case in exp.runs():
        if run(case).converged:
            runs.append(case)
            lams.append(ctx.mpf(_polished_sharpness(case, ctx.dps)))
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
    all_tied = not per_seed
    rho = float(np.mean(per_seed)) if per_seed else 0.0
    low, high = bootstrap_mean(per_seed) if per_seed else (0.0, 0.0)
    if not all_tied and low <= 0 < high:
        raise Degenerate(
            f"undecided: the 90% bootstrap interval [{low:.2f}, {high:.2f}] of the mean "
            f"within-seed ρ over {len(per_seed)} seeds contains 0"
        )
    ratios = [lam / flat for lam in lams]
    relation = (
        Relation("all converged runs equally flat: non-increasing trivially", "true", True)
        if all_tied
        else at_most(high, 0, "bootstrap 95% upper bound of mean within-seed ρ(η, λ_max) ≤ 0")
    )
    return evidence(
        relation,
        converged=len(runs),
        runs=len(exp.seeds) * len(exp.fractions),
        seeds_with_trend=len(per_seed),
        seeds_strictly_decreasing=decreasing,
        rho_within_seed=rho,
        rho_ci_low=low,
        rho_ci_high=high,
        all_tied=int(all_tied),
        pooled_rho=0.0 if pooled is None else pooled,
        pooled_ci_low=pooled_low,
        pooled_ci_high=pooled_high,
        min_ratio_to_flattest=min(ratios),
        max_ratio_to_flattest=max(ratios),
        ratio_at_smallest_step=_mean_at(ctx, ratios, eta_keys, min(eta_keys)),
        ratio_at_largest_step=_mean_at(ctx, ratios, eta_keys, max(eta_keys)),
    )


def _mean_at(ctx: MPContext, ratios: list, keys: list, key) -> object:
    chosen = [r for r, k in zip(ratios, keys, strict=True) if k == key]
    return ctx.fsum(chosen) / len(chosen)


# --- strategies ---------------------------------------------------------------------------


def _targets(ds: tuple[int, ...]):
    """T = Q_N D Q_0ᵀ (rational orthogonal Q, rank min(ds), singular values in [1/2, 2])."""
    r = min(ds)
    return st.builds(
        lambda left, s, right: rows_product(
            rows_product(left, diagonal(ds[-1], ds[0], s)), transpose(right)
        ),
        orthogonal(ds[-1]),
        st.lists(nonzero_rationals(Fraction(1, 2), 2, 4), min_size=r, max_size=r),
        orthogonal(ds[0]),
    )


@st.composite
def gd_runs(draw, depth=(2, 3), width=(1, 3), inits=("small", "large", "resnet")):
    """F9 settings: any widths, small / large / (square widths) ResNet init, c ∈ [1/10, 19/20]."""
    n = draw(st.integers(*depth))
    ds = tuple(draw(st.lists(st.integers(*width), min_size=n + 1, max_size=n + 1)))
    init = draw(st.sampled_from(inits))
    if init == "resnet" and len(set(ds)) > 1:
        init = "small"
    scale = draw(
        rationals(Fraction(1, 20), Fraction(1, 2), 20) if init == "small" else rationals(1, 2, 4)
    )
    return TrainingCase(
        ds,
        draw(_targets(ds)),
        init,
        scale if init != "resnet" else Fraction(0),
        draw(st.integers(0, 2**16)),
        draw(rationals(Fraction(1, 10), Fraction(19, 20), 20)),
    )


@st.composite
def sgd_runs(draw, samples=(2, 12)):
    """F9d settings: an F9 setting with small or large init, n ∈ [max(2, d_0), 12] samples
    (`sgd_data`) and a batch size B ∈ [1, n]."""
    case = draw(gd_runs(inits=("small", "large")))
    n = draw(st.integers(max(samples[0], case.widths[0]), samples[1]))
    return replace(case, batch=draw(st.integers(1, n)), samples=n)


def _entries():
    return rationals(Fraction(-1, 4), Fraction(1, 4), 8)


def _symmetric(n: int):
    count = n * (n + 1) // 2

    def build(xs):
        cells = iter(xs)
        e = [[Fraction(0)] * n for _ in range(n)]
        for i in range(n):
            for j in range(i, n):
                e[i][j] = e[j][i] = next(cells)
        return tuple(tuple(row) for row in e)

    return st.lists(_entries(), min_size=count, max_size=count).map(build)


def _non_symmetric(n: int):
    """E with |E_ij| ≤ 1/4 and E ≠ Eᵀ (a symmetric draw has E_01 moved by 1/8)."""

    def build(xs):
        e = [list(xs[i * n : (i + 1) * n]) for i in range(n)]
        if all(e[i][j] == e[j][i] for i in range(n) for j in range(n)):
            e[0][1] = e[1][0] + (Fraction(1, 8) if e[1][0] <= Fraction(1, 8) else Fraction(-1, 8))
        return tuple(tuple(row) for row in e)

    return st.lists(_entries(), min_size=n * n, max_size=n * n).map(build)


def _diagonal_sigma(n: int):
    return st.lists(rationals(Fraction(1, 2), 2, 4), min_size=n, max_size=n).map(
        lambda xs: diagonal(n, n, xs)
    )


@st.composite
def resnet_runs(draw, depth=(2, 3), width=(2, 3), symmetric=True, whitened=True):
    """F4 settings: square widths, W_k = I, T = I + E with |E_ij| ≤ 1/4, small step
    c ∈ [1/10, 1/2]. E symmetric (‖E‖₂ ≤ 3/4, so T is SPD: F4, F4b) or not (F4c: ‖E‖_F < 1,
    T invertible, near I); Σx = I, or (F4b) rational SPD L Lᵀ (`strategies.spd`) or diagonal
    with entries in [1/2, 2]."""
    n, d = draw(st.integers(*depth)), draw(st.integers(*width))
    e = draw(_symmetric(d) if symmetric else _non_symmetric(d))
    eye = identity_rows(d)
    t = tuple(tuple(a + b for a, b in zip(r, s, strict=True)) for r, s in zip(eye, e, strict=True))
    sigma = None if whitened else draw(st.one_of(_diagonal_sigma(d), spd(d)))
    return TrainingCase(
        (d,) * (n + 1),
        t,
        "resnet",
        Fraction(0),
        0,
        draw(rationals(Fraction(1, 10), Fraction(1, 2), 10)),
        sigma=sigma,
    )


@st.composite
def step_experiments(draw, depth=(2, 3), width=(1, 3), seeds=(3, 3), init="small"):
    """F9b/F9c experiments: any widths, target as F9, `seeds` consecutive seeds. Small init
    (F9b): scale in [1/20, 1/4], the grid c ∈ {1/10, 3/10, 3/5, 9/10} of 2/λ_flat, 3000 steps.
    Large init (F9c): scale in [1, 2], c ∈ {1/16, 1/8, 1/4, 1/2, 3/4, 1} of 2/max(λ_flat, λ_0)
    (reference "init"), 10000 steps."""
    n = draw(st.integers(*depth))
    ds = tuple(draw(st.lists(st.integers(*width), min_size=n + 1, max_size=n + 1)))
    base, count = draw(st.integers(0, 2**16)), draw(st.integers(*seeds))
    scales = (Fraction(1, 20), Fraction(1, 4)) if init == "small" else (Fraction(1), Fraction(2))
    target, scale = draw(_targets(ds)), draw(rationals(*scales, 20))
    experiment = StepExperiment(ds, target, scale, tuple(range(base, base + count)), init=init)
    if init == "small":
        return experiment
    return replace(experiment, fractions=LARGE_FRACTIONS, steps=LARGE_STEPS, reference="init")


CLAIMS = [
    Claim(
        "F9",
        "GD with step η that converges reaches a global minimum with λ_max ≤ 2/η",
        "classical (stability of GD)",
        Status.PAPER,
        gd_runs(),
        f9_stability,
        family="linear",
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
        family="linear",
        cost=0.5,
    ),
    Claim(
        "F4",
        "Zero-init linear ResNet, small-step GD, whitened, T SPD: converges to a flattest minimum",
        "Mulayoff & Michaeli 2020",
        Status.PAPER,
        resnet_runs(),
        f4_resnet_flattest,
        family="linear",
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
        family="linear",
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
        family="linear",
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
        family="linear",
        cost=0.5,
    ),
    Claim(
        "F9b",
        "From small random init, GD with larger η reaches flatter minima (Spearman ρ(η, λ_max) "
        "has a bootstrap 95% upper confidence bound ≤ 0)",
        "Mulayoff & Michaeli 2020 / classical",
        Status.PAPER,
        step_experiments(),
        f9b_step_trend,
        family="linear",
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
        family="linear",
        cost=0.5,
    ),
]
