"""Gradient flow of a matrix network, Ẇ_k = −G_k = −B_kᵀ(P − T)Σx A_kᵀ, by the Taylor method.

Matrices are lists of rows whose entries are numbers or `taylor.Series`, so the same code
forms the field for the integrator and evaluates it.
"""

from __future__ import annotations

from mpmath.ctx_mp import MPContext

from verify import taylor
from verify.linear.network import LinearNetwork, matmul, transpose
from verify.precision import exact

Matrix = list[list]


def _eye(n: int) -> Matrix:
    return [[1 if i == j else 0 for j in range(n)] for i in range(n)]


def _chain(weights: list[Matrix], first: int, last: int, size: int) -> Matrix:
    """W_last ⋯ W_first (1-based), the identity of `size` when empty."""
    out = _eye(size)
    for w in weights[first - 1 : last]:
        out = matmul(w, out)
    return out


def gradients(weights: list[Matrix], sigma: Matrix, target: Matrix) -> list[Matrix]:
    """G_k = B_kᵀ (P − T) Σx A_kᵀ."""
    n, d0 = len(weights), len(weights[0][0])
    sizes = [d0, *(len(w) for w in weights)]
    p = _chain(weights, 1, n, d0)
    r = matmul(
        [[x - y for x, y in zip(pr, tr, strict=True)] for pr, tr in zip(p, target, strict=True)],
        sigma,
    )
    return [
        matmul(
            matmul(transpose(_chain(weights, k + 1, n, sizes[k])), r),
            transpose(_chain(weights, 1, k - 1, d0)),
        )
        for k in range(1, n + 1)
    ]


def flow(ctx: MPContext, weights: list[Matrix], sigma: Matrix, target: Matrix, horizon) -> list:
    """The weights at time `horizon` of the gradient flow, to about ctx.dps digits."""
    shapes = [(len(w), len(w[0])) for w in weights]

    def unpack(ys: list) -> list[Matrix]:
        out, at = [], 0
        for rows, cols in shapes:
            out.append([ys[at + i * cols : at + (i + 1) * cols] for i in range(rows)])
            at += rows * cols
        return out

    def field(ys: list) -> list:
        return [-x for g in gradients(unpack(ys), sigma, target) for row in g for x in row]

    flat = [x for w in weights for row in w for x in row]
    return unpack(taylor.integrate(ctx, field, flat, horizon))


def flowed(ctx: MPContext, network: LinearNetwork, horizon) -> tuple[list, list]:
    """(W(0), W(τ)): the network's weights, exact at ctx, and their gradient flow to
    τ = horizon under its Σx and T."""

    def rows(m) -> Matrix:
        return [[exact(ctx, x) for x in row] for row in m]

    start = [rows(w) for w in network.weights]
    target, sigma = rows(network.target_rows()), rows(network.sigma_rows())
    return start, flow(ctx, start, sigma, target, exact(ctx, horizon))


def balance(weights: list[Matrix]) -> list[Matrix]:
    """W_{k+1}ᵀW_{k+1} − W_kW_kᵀ, k = 1..N−1."""
    return [
        [
            [a - b for a, b in zip(ra, rb, strict=True)]
            for ra, rb in zip(
                matmul(transpose(weights[k]), weights[k]),
                matmul(weights[k - 1], transpose(weights[k - 1])),
                strict=True,
            )
        ]
        for k in range(1, len(weights))
    ]
