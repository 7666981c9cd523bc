"""Curvature at global minima of deep linear networks (THEORY.md §2; Mulayoff & Michaeli 2020).

This issue covers the scalar case H4; H1–H3 and F1–F9 join this module later.
"""

from __future__ import annotations

from fractions import Fraction

from mpmath.ctx_mp import MPContext

from verify import cases, scalar
from verify.claim import Claim, Status
from verify.evidence import Evidence, equal, evidence


def h4_rank_one_hessian(case: scalar.ScalarNetwork, ctx: MPContext) -> Evidence:
    """At Π w = t: H = ∇P∇Pᵀ, so λ_max = Σ_i Π_{j≠i} w_j² = t² Σ_i 1/w_i², others 0."""
    ws, t = case.at(ctx), case.target_at(ctx)
    h = scalar.hessian(ctx, ws, t)
    spectrum = scalar.eigenvalues(ctx, h)
    lam = spectrum[-1]
    partial = [scalar.others(ws, i) for i in range(len(ws))]
    outer_gap = max(
        abs(h[i, j] - partial[i] * partial[j]) for i in range(h.rows) for j in range(h.rows)
    )
    rest = max((abs(v) for v in spectrum[:-1]), default=ctx.zero)
    return evidence(
        equal(lam, sum(p**2 for p in partial), "λ_max = Σ_i Π_{j≠i} w_j²"),
        equal(lam, t**2 * sum(1 / w**2 for w in ws), "λ_max = t² Σ_i 1/w_i²"),
        equal(outer_gap, 0, "H = ∇P ∇Pᵀ", size=lam),
        equal(rest, 0, "rank one: other eigenvalues vanish", size=lam),
        lambda_max=lam,
        second_eigenvalue=spectrum[-2],
    )


CLAIMS = [
    Claim(
        "H4",
        "Scalar network at a minimum: H = ∇P∇Pᵀ is rank one, λ_max = t² Σ_i 1/w_i²",
        "standard (scalar case of H1)",
        Status.PROVED,
        cases.scalar_minima(magnitude=(Fraction(1, 2), 2)),
        h4_rank_one_hessian,
        family="scalar",
        derivation="H4",
    ),
]
