"""The cases of the training claims (docs/claims/linear.md: F4, F9 and variants) and what their
checks share.

Each case is a training setting (`TrainingCase`): widths, a rational target T, whitened data
(Σx = I), an initialisation, a seed and a step size η given as a fraction c of 2/λ_flat,
where λ_flat = N σ1^{2−2/N} is the flattest sharpness over the global minima (F1). A check
trains in float64 (deterministically from the case; cached, so the two working precisions
share one run), polishes the end point onto {P = T} at ctx.dps digits by minimum-norm
Gauss–Newton (`polish.py`) and evaluates λ_max = λ_max(M) there (`curvature.sharpness`).
A whole F9b/F9c experiment is a `StepExperiment`: one `TrainingCase` per (seed, step fraction).

Polishing tolerance. λ_max(M(W)) is Lipschitz along the weights: with R ≥ ‖W_k‖₂ at both
points, Weyl's inequality and telescoping the products A_kᵀA_k ⊗ B_kB_kᵀ give
    |λ_max(W) − λ_max(W′)| ≤ 2 (N − 1) √N R^{2N−3} ‖W − W′‖_F        (whitened data).
The point GD converged to, W∞, is not known exactly; the polished point W_p is taken to be as
far from it as polishing moved the float64 end point (‖W_p − W∞‖ ≈ d, the polishing distance,
since the float64 end point is within rounding of W∞ and polishing moves normally to the
minimum set). So F9's bound on λ_max(W∞) is checked at W_p up to slack = Lipschitz · d.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

import numpy as np
from mpmath.ctx_mp import MPContext

from verify.linear import curvature as cv
from verify.linear import train
from verify.linear.flattest import flattest
from verify.linear.network import Rows, identity_rows, rows_at
from verify.linear.polish import Polished, polish
from verify.precision import workcontext

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


def polish_run(case: TrainingCase, ctx: MPContext, result: train.TrainResult) -> Polished:
    """The run's float64 end point polished onto {P = T} at ctx.dps digits."""
    return polish(ctx, result.weights, rows_at(ctx, case.sigma_rows()), rows_at(ctx, case.target))


def endpoint(ctx: MPContext, result: train.TrainResult, polished: Polished) -> dict:
    """How far the float64 end point's own λ_max may be from the polished point's:
    `polish_distance` d = ‖W_polished − W_float64‖_F and `endpoint_uncertainty`
    = ‖Σx‖₂ · 2 (N − 1) √N R^{2N−3} · d (`lipschitz` over both points, scaled by ‖Σx‖₂;
    module doc). `digits` says how well λ_max of the polished point is computed; this says
    how far the float64 end point's own value could differ from it."""
    bound = cv.spectral_norm(ctx, polished.net.sigma) * lipschitz(
        ctx, polished.net.weights, float64_end(ctx, result)
    )
    return {"polish_distance": polished.distance, "endpoint_uncertainty": bound * polished.distance}


def float64_end(ctx: MPContext, result: train.TrainResult) -> list:
    """The run's float64 end point as ctx matrices (the other point of `lipschitz`)."""
    return [
        ctx.matrix([[ctx.mpf(float(x)) for x in row] for row in w.tolist()]) for w in result.weights
    ]


@lru_cache(maxsize=4096)
def polished_sharpness(case: TrainingCase, dps: int) -> tuple[object, dict]:
    """λ_max at the polished end point of a converged float64 run, at dps digits, and its
    `endpoint` values (cached: experiments that Hypothesis shrinks share most of their runs)."""
    ctx = workcontext(dps)
    result = run(case)
    p = polish_run(case, ctx, result)
    return cv.sharpness(p.net), endpoint(ctx, result, p)


# --- F9b / F9c: a whole experiment per case -----------------------------------------------

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
