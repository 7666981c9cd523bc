"""Full-batch GD from the zero-init linear ResNet (W_k = I) at working precision, in fixed-point
integer arithmetic (F4, F4b, F4c, F6b): the run the ResNet claims decide on; and the
extrapolation of F4c's excess to step size η → 0 (`extrapolate`)."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from mpmath.ctx_mp import MPContext

from verify.evidence import Degenerate
from verify.linear import train
from verify.linear.network import Rows, rows_at
from verify.linear.polish import Polished, polish
from verify.linear.runs import (
    TrainingCase,
    step_size,
)
from verify.precision import exact


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


def resnet_limit(case: TrainingCase, ctx: MPContext, result: train.TrainResult) -> Polished:
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


HALVINGS = 4  # F4c: GD at step fractions c, c/2, c/4, c/8


@dataclass(frozen=True)
class StepLimit:
    """excess(η) = limit + a η^order + …, extrapolated to η → 0 (`extrapolate`)."""

    order: object
    limit: object
    uncertainty: object


def extrapolate(ctx: MPContext, excesses: list, floor) -> StepLimit:
    """Richardson extrapolation with fitted order of excesses e_0, …, e_m (m ≥ 3) at step sizes
    η_j = η_0 2^−j. Each consecutive triple, D = e_j − e_{j+1}, D′ = e_{j+1} − e_{j+2}, gives
    the order p = log₂(D/D′) and the limit e_{j+2} − D′/(2^p − 1) of e = L + a η^p; the
    finest triple's order and limit are returned, with uncertainty |limit − the next coarser
    triple's limit| (the size of the neglected higher-order terms). Differences |D| ≤ floor
    count as 0: if D = D′ = 0 the excess does not depend on η (order 0, limit e_{j+2}).
    Degenerate unless every triple has D/D′ > 1 or D = D′ = 0 (no power law in η)."""
    if len(excesses) < 4:
        raise ValueError("extrapolate needs excesses at ≥ 4 step sizes")
    fits = []
    for e0, e1, e2 in zip(excesses, excesses[1:], excesses[2:], strict=False):
        d, d_next = e0 - e1, e1 - e2
        if abs(d) <= floor and abs(d_next) <= floor:
            fits.append((ctx.zero, e2))
        elif abs(d_next) > floor and d / d_next > 1:
            ratio = d / d_next
            fits.append((ctx.log(ratio, 2), e2 - d_next / (ratio - 1)))
        else:
            shown = ", ".join(ctx.nstr(e, 3) for e in excesses)
            raise Degenerate(f"the excess does not fall as a power of η (excesses {shown})")
    (_, coarser), (order, limit) = fits[-2], fits[-1]
    return StepLimit(order, limit, abs(limit - coarser))
