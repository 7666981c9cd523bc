"""Gardner's capacity of the spherical perceptron (THEORY.md §5; Gardner 1988): P1.

For margins κ ∈ [0, 3]: the quadrature ∫_{−κ}^∞ Dz (z + κ)² equals its closed form
(1 + κ²) H(−κ) + κ G(κ); α_c(0) = 2; α_c decreases in κ, its integral having κ-derivative
2[κ H(−κ) + G(κ)] > 0. The binary first-moment bound ln 2 / (−ln H(κ)) is reported as a value.
"""

from __future__ import annotations

from fractions import Fraction

from mpmath.ctx_mp import MPContext

from verify.claim import Claim, Status
from verify.evidence import Evidence, Relation, at_most, equal, evidence
from verify.perceptron.capacity import (
    annealed_bound,
    gardner_capacity,
    gardner_closed_form,
    gardner_integral,
)
from verify.perceptron.gaussian import gauss_average, gauss_density, gauss_tail
from verify.precision import exact
from verify.rationals import rationals

SOURCE = "Gardner 1988"
STEP = Fraction(1, 2)  # α_c(κ + STEP) < α_c(κ): the monotonicity comparison


def p1_gardner_capacity(case: Fraction, ctx: MPContext) -> Evidence:
    """α_c(κ) = 1/∫_{−κ}^∞ Dz (z+κ)² = 1/[(1+κ²)H(−κ) + κG(κ)]; α_c(0) = 2; α_c decreasing."""
    kappa = exact(ctx, case)
    quadrature = gardner_integral(ctx, kappa)
    closed = gardner_closed_form(ctx, kappa)
    alpha = gardner_capacity(ctx, kappa)
    further = gardner_capacity(ctx, exact(ctx, case + STEP))
    slope = 2 * gauss_average(ctx, lambda z: z + kappa, -kappa)  # Leibniz: no boundary term
    return evidence(
        equal(quadrature, closed, "∫_{−κ}^∞ Dz (z+κ)² (quadrature) = (1+κ²)H(−κ) + κG(κ)"),
        equal(gardner_capacity(ctx, ctx.zero, quadrature=True), 2, "α_c(0) = 2 (quadrature)"),
        equal(
            slope,
            2 * (kappa * gauss_tail(ctx, -kappa) + gauss_density(ctx, kappa)),
            "d/dκ ∫_{−κ}^∞ Dz (z+κ)² = 2∫_{−κ}^∞ Dz (z+κ) (quadrature) = 2[κH(−κ) + G(κ)]",
        ),
        Relation("α_c(κ + ½) < α_c(κ)", "true", further < alpha),
        at_most(1 / (1 + kappa**2), alpha, "α_c(κ) ≥ 1/(1+κ²) (the integrand is ≥ 0)"),
        alpha_c=alpha,
        alpha_c_at_kappa_plus_half=further,
        integral=closed,
        binary_first_moment_bound=annealed_bound(ctx, kappa),
    )


CLAIMS = [
    Claim(
        "P1",
        "Spherical perceptron, margin κ ≥ 0: α_c(κ) = 1/∫_{−κ}^∞ Dz (z+κ)² ="
        " 1/[(1+κ²)H(−κ) + κG(κ)], α_c(0) = 2, decreasing in κ",
        SOURCE,
        Status.PROVED,
        rationals(0, 3),
        p1_gardner_capacity,
        family="perceptron",
        derivation="P1",
    ),
]
