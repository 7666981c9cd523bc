"""Gaussian measure helpers at the precision of an mpmath context.

Dz = e^{−z²/2}/√(2π) dz,  G(κ) = e^{−κ²/2}/√(2π),  H(κ) = ∫_κ^∞ Dz = ½ erfc(κ/√2).
"""

from __future__ import annotations

from collections.abc import Callable

from mpmath.ctx_mp import MPContext


def gauss_density(ctx: MPContext, z):
    """G(z) = e^{−z²/2}/√(2π)."""
    return ctx.exp(-(z**2) / 2) / ctx.sqrt(2 * ctx.pi)


def gauss_tail(ctx: MPContext, kappa):
    """H(κ) = P(z > κ) = ½ erfc(κ/√2)."""
    return ctx.erfc(kappa / ctx.sqrt(2)) / 2


def gauss_average(ctx: MPContext, f: Callable, lower=None, upper=None):
    """∫ Dz f(z) over [lower, upper] (default the whole line), by mpmath.quad at ctx.dps; an
    interval around 0 is split there, so a kink of f at the origin (|z|, max(z, 0)) is exact."""
    lo = -ctx.inf if lower is None else lower
    hi = ctx.inf if upper is None else upper
    return ctx.quad(
        lambda z: gauss_density(ctx, z) * f(z), [lo, 0, hi] if lo < 0 < hi else [lo, hi]
    )
