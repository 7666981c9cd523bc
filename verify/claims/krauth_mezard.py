"""Capacity of the binary perceptron (THEORY.md §5; Krauth & Mézard 1989): P2.

α_KM is the load where the replica-symmetric entropy of the zero-margin binary perceptron
vanishes at its saddle point (verify/perceptron/capacity.py). One deterministic case: the
saddle point is solved at each working precision, its stationarity checked by differentiating
the RS entropy under the integral sign, and α_KM compared with the 7 digits Krauth & Mézard
published.
"""

from __future__ import annotations

from fractions import Fraction

from hypothesis import strategies as st
from mpmath.ctx_mp import MPContext

from verify.claim import Claim, Status
from verify.evidence import Evidence, InvalidCase, at_most, equal, evidence
from verify.perceptron.capacity import (
    LITERATURE_ALPHA_KM,
    LITERATURE_DIGITS,
    annealed_bound,
    gardner_capacity,
    krauth_mezard,
    saddle_residuals,
)

SOURCE = "Krauth & Mézard 1989"


def p2_binary_capacity(case: Fraction, ctx: MPContext) -> Evidence:
    """s(α_KM; q, q̂) = 0 at the saddle point (∂s/∂q = ∂s/∂q̂ = 0); α_KM ≈ 0.8330786."""
    if case != 0:
        raise InvalidCase("P2 is computed at margin κ = 0 only")
    found = krauth_mezard(ctx)
    d_q, d_qhat = saddle_residuals(ctx, found.alpha, found.q, found.qhat)
    half_unit = ctx.mpf(10) ** -LITERATURE_DIGITS / 2  # the published value's rounding
    first_moment = annealed_bound(ctx, ctx.zero)
    return evidence(
        equal(found.entropy, 0, "RS entropy s(α_KM) = 0 at the saddle point"),
        equal(d_q, 0, "∂s/∂q = 0 (differentiated under the integral)", size=found.qhat),
        equal(d_qhat, 0, "∂s/∂q̂ = 0 (differentiated under the integral)"),
        at_most(
            abs(found.alpha - ctx.mpf(LITERATURE_ALPHA_KM)),
            half_unit,
            f"|α_KM − {LITERATURE_ALPHA_KM}| ≤ ½·10^−{LITERATURE_DIGITS} (Krauth & Mézard)",
        ),
        at_most(found.alpha, first_moment, "α_KM ≤ 1, the first-moment bound at κ = 0"),
        alpha_KM=found.alpha,
        q=found.q,
        qhat=found.qhat,
        annealed_bound_at_0=first_moment,
        alpha_c_at_0=gardner_capacity(ctx, ctx.zero),
    )


CLAIMS = [
    Claim(
        "P2",
        "Binary perceptron, κ = 0: the RS entropy vanishes at α_KM ≈ 0.8330786 (computed to"
        " ≥ 12 digits at two precisions)",
        SOURCE,
        Status.PAPER,
        st.just(Fraction(0)),
        p2_binary_capacity,
        family="perceptron",
        cost=0.01,  # one deterministic case
    ),
]
