"""The Hessian of the loss of a homogeneous-activation network, away from kinks.

Within the activation region of a point (signs of every hidden pre-activation fixed) the loss
is a polynomial in θ, so ∇²L = ∂/∂θ of that region's gradient polynomial. Column a is the t¹
coefficient of ∇L(θ + t e_a) computed with `taylor.Series` entries (exact differentiation of a
polynomial, rounded once per operation); blocks within one layer's weights vanish (multilinear).
"""

from __future__ import annotations

from fractions import Fraction

from mpmath.ctx_mp import MPContext

from verify.nonlinear.network import (
    Matrix,
    Point,
    Pointwise,
    ReluNetwork,
    check_kinks,
    forward_with,
    gradient_with,
)
from verify.precision import exact
from verify.taylor import Series


def region(point: Point, inputs: Matrix, pointwise: Pointwise) -> Pointwise:
    """The region's fixed map z ↦ (D_k ⊙ z, D_k), D_k = σ'(z_k) read at `point` (Degenerate
    "on a kink" when a pre-activation is 0)."""
    masks = forward_with(point, inputs, pointwise)[1]
    return lambda k, z: (
        [
            [x * m for x, m in zip(rz, rm, strict=True)]
            for rz, rm in zip(z, masks[k - 1], strict=True)
        ],
        masks[k - 1],
    )


def hessian(ctx: MPContext, net: ReluNetwork, point: Point | None = None):
    """∇²L (a ctx.matrix in `Point.flat` order) at a point off every kink."""
    if point is None:
        check_kinks(net)
        point = net.point(ctx)
    x, y = net.data(ctx)
    fixed = region(point, x, net.activation.pointwise)
    flat = point.flat()
    inv_n = exact(ctx, Fraction(1, net.samples))
    out = ctx.matrix(len(flat), len(flat))
    for a in range(len(flat)):
        moved = point.like([_line(ctx, v, i == a) for i, v in enumerate(flat)])
        column = gradient_with(moved, x, y, fixed, inv_n).flat()
        for b, s in enumerate(column):
            out[b, a] = s[1]
    return out


def _line(ctx: MPContext, value, moving: bool) -> Series:
    """value + t (moving) or value, as a power series in t."""
    slope = ctx.one if moving else ctx.zero
    return Series(ctx, lambda k: value if k == 0 else slope if k == 1 else ctx.zero)
