"""Polish a float64 point onto the exact minimum set {P = T} at working precision.

Minimum-norm Gauss–Newton: with J the Jacobian of vec(P) with respect to all weights,
vec(dP) = Σ_k (A_kᵀ ⊗ B_k) vec(dW_k) (column-stacking), each step solves J δ = −vec(P − T) in
the least-norm sense, δ = Jᵀ (J Jᵀ)⁺ (−vec(P − T)), the pseudo-inverse dropping eigenvalues of
J Jᵀ up to 10^(−⌊dps/2⌋) λ_max(J Jᵀ) (structurally zero when a hidden width is below
min(d_0, d_N)). Near a point where J has constant rank the iteration converges
quadratically to a nearby point of {P = T}; the distance moved is reported, so that a claim
can bound how far the polished point may be from the limit a float64 run approximated.
P = T is only reachable when every width is at least rank T.
"""

from __future__ import annotations

from dataclasses import dataclass

from mpmath.ctx_mp import MPContext

from verify.evidence import Degenerate
from verify.linear.curvature import kron
from verify.linear.network import Net


@dataclass
class Polished:
    """A point of {P = T}: its network, the Frobenius distance moved over all weights, the
    final ‖P − T‖_F and the number of Gauss–Newton steps taken."""

    net: Net
    distance: object
    residual: object
    iterations: int


def vec(ctx: MPContext, matrices: list):
    """vec(M_1); vec(M_2); … as one column: each matrix column-stacked, in order (the
    parameter order of `jacobian` and `curvature.full_hessian`)."""
    return ctx.matrix([m[i, j] for m in matrices for j in range(m.cols) for i in range(m.rows)])


def shifted(weights: list, delta, scale=1) -> list:
    """W_k + scale · unvec_k(δ) for every layer, δ in the order of `vec` (new matrices)."""
    out, offset = [], 0
    for w in weights:
        new = w.copy()
        for j in range(w.cols):
            for i in range(w.rows):
                new[i, j] += scale * delta[offset + j * w.rows + i]
        offset += w.rows * w.cols
        out.append(new)
    return out


def pinv_solve(ctx: MPContext, s, rhs, singular: str = "the matrix vanishes"):
    """S⁺ rhs for symmetric S: eigenvalues with |λ| ≤ 10^(−⌊dps/2⌋) max|λ| are dropped
    (Degenerate with the message `singular` when S = 0)."""
    values, vectors = ctx.eigsy(s)
    top = max(abs(values[i]) for i in range(s.rows))
    if top == 0:
        raise Degenerate(singular)
    cut = top * ctx.mpf(10) ** (-(ctx.dps // 2))
    out = ctx.matrix(s.rows, 1)
    for i in range(s.rows):
        if abs(values[i]) > cut:
            u = vectors[:, i]
            out += u * ((u.T * rhs)[0] / values[i])
    return out


def jacobian(net: Net):
    """J = [A_1ᵀ ⊗ B_1, …, A_Nᵀ ⊗ B_N]: d_0 d_N × (number of weights)."""
    ctx = net.ctx
    blocks = [kron(ctx, net.a(k).T, net.b(k)) for k in range(1, net.depth + 1)]
    rows = blocks[0].rows
    cols = sum(b.cols for b in blocks)
    j = ctx.matrix(rows, cols)
    offset = 0
    for b in blocks:
        for r in range(rows):
            for c in range(b.cols):
                j[r, offset + c] = b[r, c]
        offset += b.cols
    return j


def _least_norm_step(ctx: MPContext, jac, rhs):
    """δ = Jᵀ (J Jᵀ)⁺ rhs."""
    gram = jac * jac.T
    singular = "the Jacobian of P vanishes: no Gauss–Newton direction"
    return jac.T * pinv_solve(ctx, gram, rhs, singular)


def polish(ctx: MPContext, weights, sigma, target, max_iterations: int = 40) -> Polished:
    """Move `weights` (float64 arrays or mpmath matrices) onto {P = T} at ctx.dps digits.

    Stops when ‖P − T‖_F < 10^(−dps+5) max(1, ‖T‖_F); raises Degenerate if that does not
    happen within `max_iterations` steps (rank-deficient Jacobian, unreachable T, or a start
    too far from the minimum set).
    """
    start = [ctx.matrix([[_number(ctx, x) for x in row] for row in _rows(w)]) for w in weights]
    net = Net(ctx, [w.copy() for w in start], sigma, target)
    goal = ctx.mpf(10) ** (5 - ctx.dps) * max(ctx.one, ctx.mnorm(target, "F"))
    residual = ctx.mnorm(net.residual(), "F")
    iterations = 0
    while residual >= goal:
        if iterations >= max_iterations or not ctx.isfinite(residual):
            raise Degenerate(
                f"Gauss–Newton polishing did not reach ‖P − T‖ < {ctx.nstr(goal, 3)} "
                f"(residual {ctx.nstr(residual, 3)} after {iterations} steps)"
            )
        delta = _least_norm_step(ctx, jacobian(net), -vec(ctx, [net.residual()]))
        net.weights = shifted(net.weights, delta)
        residual = ctx.mnorm(net.residual(), "F")
        iterations += 1
    distance = ctx.sqrt(
        ctx.fsum(
            (w[i, j] - s[i, j]) ** 2
            for w, s in zip(net.weights, start, strict=True)
            for i in range(w.rows)
            for j in range(w.cols)
        )
    )
    return Polished(net, distance, residual, iterations)


def _rows(w) -> list[list]:
    if hasattr(w, "tolist"):
        return w.tolist()
    return [[w[i, j] for j in range(w.cols)] for i in range(w.rows)]


def _number(ctx: MPContext, x):
    """An mpmath number as is (no rounding through float64), anything else via float."""
    return ctx.mpf(x) if hasattr(x, "_mpf_") else ctx.mpf(float(x))
