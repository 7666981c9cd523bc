"""Gradient flow θ̇ = −∇L(θ) of a homogeneous-activation network, integrated region by region.

Within one activation region σ'(z) is a constant (1 or a) per sample and hidden unit, so the
field is a polynomial and the Taylor method (`verify/taylor.py`) integrates it to ctx.dps
digits. `flow` cuts [0, τ] into `pieces`, reads the region at the start of each piece and
integrates that region's polynomial field; if any hidden pre-activation has changed sign by the
end of a piece the field used was wrong past the crossing, and the case is Degenerate
("crossed a kink"). A sign that flips and flips back inside one piece would go unseen; cases
keep τ well below the time any pre-activation needs to reach 0 (strategies.py).
"""

from __future__ import annotations

from fractions import Fraction

from mpmath.ctx_mp import MPContext

from verify import taylor
from verify.evidence import Degenerate
from verify.nonlinear.curvature import region
from verify.nonlinear.network import Matrix, Point, Pointwise, ReluNetwork, gradient_with
from verify.nonlinear.network import pre_activations as _pre
from verify.precision import exact


def integrate(
    ctx: MPContext, point: Point, inputs: Matrix, targets: Matrix, pointwise: Pointwise, horizon
) -> Point:
    """θ(τ) for θ̇ = −∇L with a fixed polynomial `pointwise` map (one region, or any
    polynomial activation), to about ctx.dps digits."""
    inv_n = exact(ctx, Fraction(1, len(inputs[0])))

    def field(ys: list) -> list:
        return [-g for g in gradient_with(point.like(ys), inputs, targets, pointwise, inv_n).flat()]

    return point.like(taylor.integrate(ctx, field, point.flat(), horizon))


def signs(point: Point, inputs: Matrix, net: ReluNetwork) -> list:
    """The sign (−1, 0, 1) of every hidden pre-activation: the activation region."""
    zs = _pre(point, inputs, net.activation)
    return [(x > 0) - (x < 0) for z in zs for row in z for x in row]


def flow(ctx: MPContext, net: ReluNetwork, horizon: Fraction, pieces: int = 4) -> Point:
    """θ(τ) from the net's own point, piece by piece (Degenerate "on a kink" / "crossed a
    kink" when a hidden pre-activation is 0 at the start of a piece or changes sign in one)."""
    point, (x, y) = net.point(ctx), net.data(ctx)
    piece = exact(ctx, Fraction(horizon, pieces))
    for _ in range(pieces):
        fixed = region(point, x, net.activation.pointwise)
        before = signs(point, x, net)
        point = integrate(ctx, point, x, y, fixed, piece)
        if net.activation.slope != 1 and signs(point, x, net) != before:
            raise Degenerate("crossed a kink: a hidden pre-activation changed sign")
    return point
