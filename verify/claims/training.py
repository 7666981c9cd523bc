"""Where gradient descent lands on a deep linear network (THEORY.md F4, F9).

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
at working precision before polishing; see `f4_resnet_flattest`.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

import numpy as np
from hypothesis import strategies as st
from mpmath.ctx_mp import MPContext

from verify.claim import Claim, Status
from verify.evidence import Degenerate, Evidence, Relation, at_most, equal, evidence
from verify.linear import curvature as cv
from verify.linear import train
from verify.linear.flattest import flattest_whitened
from verify.linear.network import Net, Rows, identity_rows, rows_at, rows_product
from verify.linear.polish import Polished, polish
from verify.linear.strategies import diagonal, orthogonal, transpose
from verify.rationals import nonzero_rationals, rationals

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

    @property
    def depth(self) -> int:
        return len(self.widths) - 1


def _target64(case: TrainingCase) -> np.ndarray:
    return np.array([[float(x) for x in row] for row in case.target])


def step_size(case: TrainingCase) -> float:
    """η = c · 2 / (N σ1^{2−2/N}) in float64; the claims use this float exactly."""
    n = case.depth
    s1 = float(np.linalg.norm(_target64(case), 2))
    return float(case.step_fraction) * 2 / (n * s1 ** (2 - 2 / n))


@lru_cache(maxsize=512)
def run(case: TrainingCase) -> train.TrainResult:
    """The float64 run of a case (deterministic; cached across precisions)."""
    rng = np.random.default_rng(case.seed)
    if case.init == "resnet":
        weights = train.resnet_init(case.widths[0], case.depth)
    else:
        weights = train.random_init(case.widths, float(case.scale), rng)
    d0 = case.widths[0]
    return train.gd(weights, np.eye(d0), _target64(case), step_size(case), case.steps)


def lipschitz(ctx: MPContext, first, second) -> object:
    """2 (N − 1) √N R^{2N−3}, R = max ‖W_k‖₂ over the layers of two points (see module doc)."""
    n = len(first)
    r = max(cv.spectral_norm(ctx, w) for w in [*first, *second])
    return 2 * (n - 1) * ctx.sqrt(n) * r ** (2 * n - 3)


def _polished(case: TrainingCase, ctx: MPContext, result: train.TrainResult) -> Polished:
    d0 = case.widths[0]
    return polish(ctx, result.weights, ctx.eye(d0), rows_at(ctx, case.target))


def _start(ctx: MPContext, result: train.TrainResult) -> list:
    return [
        ctx.matrix([[ctx.mpf(float(x)) for x in row] for row in w.tolist()]) for w in result.weights
    ]


def f9_stability(case: TrainingCase, ctx: MPContext) -> Evidence:
    """A GD run with step η that converged ends at a minimum with λ_max ≤ 2/η (+ slack)."""
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
    edge = 2 / ctx.mpf(step_size(case))
    slack = lipschitz(ctx, p.net.weights, _start(ctx, result)) * p.distance
    flat = flattest_whitened(ctx, p.net.target, case.depth)
    return evidence(
        at_most(lam, edge + slack, "λ_max ≤ 2/η + Lipschitz · polishing distance"),
        converged=1,
        steps=result.steps,
        lambda_max=lam,
        edge=edge,
        ratio_to_flattest=lam / flat,
        ratio_to_edge=lam / edge,
        polish_distance=p.distance,
        slack=slack,
    )


def f4_resnet_flattest(case: TrainingCase, ctx: MPContext) -> Evidence:
    """Zero-init linear ResNet, small-step GD, whitened, T SPD: the limit is a flattest minimum,
    λ_max = N σ1^{2−2/N}, to working precision.

    The float64 run (cached) decides that GD converges. Because float64 rounding perturbs the
    trajectory at first order (measured: |λ_max − flattest| ≈ 1e-16 at the polished float64
    end point), the same GD is then rerun at ctx.dps digits from W_k = I until
    ‖P − T‖ < 10^(5−dps) and polished; the polishing distance is then ~10^(−dps) and the
    equality is tested at working precision. `float64_gap` reports the float64-only result.
    """
    result = run(case)
    if not result.converged:
        raise Degenerate(f"GD did not converge ({result.status} after {result.steps} steps)")
    target = rows_at(ctx, case.target)
    d0 = case.widths[0]
    goal = ctx.mpf(10) ** (5 - ctx.dps) * max(ctx.one, ctx.mnorm(target, "F"))
    net = Net(ctx, [ctx.eye(d0) for _ in range(case.depth)], ctx.eye(d0), target)
    budget = 4 * result.steps * (ctx.dps // 12 + 1) + 100
    residual, steps = train.gd_precise(net, step_size(case), goal, budget)
    if not residual < goal:
        raise Degenerate(f"GD at {ctx.dps} digits did not reach ‖P − T‖ < goal in {steps} steps")
    p = polish(ctx, net.weights, ctx.eye(d0), target)
    lam = cv.sharpness(p.net)
    flat = flattest_whitened(ctx, target, case.depth)
    rough = _polished(case, ctx, result)
    imbalance = max((ctx.mnorm(m, "F") for m in cv.balance(p.net)), default=ctx.zero)
    return evidence(
        equal(lam, flat, "λ_max = N σ1^{2−2/N}"),
        float64_steps=result.steps,
        lambda_max=lam,
        flattest=flat,
        float64_gap=cv.sharpness(rough.net) - flat,
        float64_polish_distance=rough.distance,
        polish_distance=p.distance,
        imbalance=imbalance,
    )


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
def gd_runs(draw, depth=(2, 3), width=(1, 3)):
    """F9 settings: any widths, small / large / (square widths) ResNet init, c ∈ [1/10, 19/20]."""
    n = draw(st.integers(*depth))
    ds = tuple(draw(st.lists(st.integers(*width), min_size=n + 1, max_size=n + 1)))
    init = draw(st.sampled_from(("small", "large", "resnet")))
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


def _symmetric(n: int):
    count = n * (n + 1) // 2
    entries = rationals(Fraction(-1, 4), Fraction(1, 4), 8)

    def build(xs):
        cells = iter(xs)
        e = [[Fraction(0)] * n for _ in range(n)]
        for i in range(n):
            for j in range(i, n):
                e[i][j] = e[j][i] = next(cells)
        return tuple(tuple(row) for row in e)

    return st.lists(entries, min_size=count, max_size=count).map(build)


@st.composite
def resnet_runs(draw, depth=(2, 3), width=(2, 3)):
    """F4 settings: square widths, W_k = I, T = I + E (E symmetric, |E_ij| ≤ 1/4, so
    ‖E‖₂ ≤ 3/4 and T is SPD), small step c ∈ [1/10, 1/2]."""
    n, d = draw(st.integers(*depth)), draw(st.integers(*width))
    e = draw(_symmetric(d))
    eye = identity_rows(d)
    t = tuple(tuple(a + b for a, b in zip(r, s, strict=True)) for r, s in zip(eye, e, strict=True))
    return TrainingCase(
        (d,) * (n + 1),
        t,
        "resnet",
        Fraction(0),
        0,
        draw(rationals(Fraction(1, 10), Fraction(1, 2), 10)),
    )


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
        "F4",
        "Zero-init linear ResNet, small-step GD, whitened, T SPD: converges to a flattest minimum",
        "Mulayoff & Michaeli 2020",
        Status.PAPER,
        resnet_runs(),
        f4_resnet_flattest,
        family="linear",
        cost=0.5,
    ),
]
