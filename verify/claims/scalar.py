"""Scalar deep linear networks, P = w_1 ⋯ w_N (docs/claims/scalar.md): H4, G1, G2, G6.

H4 is the scalar case of H1 (standard); G1, G2 and G6 are Ginsburg 2020's imbalance identities
for D_ij = w_i² − w_j², checked exactly along whole trajectories at the working precision.
"""

from __future__ import annotations

from fractions import Fraction

from flint import arb, fmpq, fmpq_mat
from mpmath.ctx_mp import MPContext

from verify import algebraic, cases, scalar
from verify.algebraic import power, rational
from verify.certificate import (
    Certificate,
    certificate,
    enclosed_equal,
    exactly,
    exactly_at_most,
    exactly_equal,
    undecided,
)
from verify.claim import Claim, Family, Status
from verify.dynamics import steps
from verify.evidence import Evidence, Relation, at_most, equal, evidence
from verify.linear import balls
from verify.linear import curvature as cv
from verify.linear.curvature import eigenvalues
from verify.precision import exact, tolerance


def _exact_spectrum(network: scalar.ScalarNetwork) -> tuple[fmpq_mat, list]:
    """The exact Hessian and its distinct real eigenvalues, ascending (algebraic numbers)."""
    h = fmpq_mat(
        [[fmpq(x.numerator, x.denominator) for x in row] for row in scalar.exact_hessian(network)]
    )
    return h, algebraic.eigenvalues(h)


def h4_exact(case: scalar.ScalarNetwork, dps: int) -> Certificate:
    """H4 over ℚ: H = ∇P∇Pᵀ and rank H = 1 exactly; λ_max, a root of χ_H, equals both sums."""
    ws, t = case.weights, case.target
    h, spectrum = _exact_spectrum(case)
    lam = spectrum[-1]
    partial = [scalar.others(ws, i) for i in range(len(ws))]
    outer = all(
        h[i, j] == fmpq(*_parts(partial[i] * partial[j]))
        for i in range(len(ws))
        for j in range(len(ws))
    )
    return certificate(
        exactly_equal("λ_max = Σ_i Π_{j≠i} w_j²", lam, rational(sum(p**2 for p in partial))),
        exactly_equal("λ_max = t² Σ_i 1/w_i²", lam, rational(t**2 * sum(1 / w**2 for w in ws))),
        exactly("H = ∇P ∇Pᵀ", outer),
        exactly("rank one: other eigenvalues vanish", h.rank() == 1),
    )


def _parts(q: Fraction) -> tuple[int, int]:
    return q.numerator, q.denominator


def h4_rank_one_hessian(case: scalar.ScalarNetwork, ctx: MPContext) -> Evidence:
    """At Π w = t: H = ∇P∇Pᵀ, so λ_max = Σ_i Π_{j≠i} w_j² = t² Σ_i 1/w_i², others 0."""
    ws, t = case.at(ctx), case.target_at(ctx)
    h = scalar.hessian(ctx, ws, t)
    spectrum = cv.eigenvalues(ctx, h)
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


SOURCE = "Ginsburg 2020"


def g1_flow_conserves_imbalance(case: scalar.ScalarFlow, ctx: MPContext) -> Evidence:
    """Gradient flow: D_ij(T) = D_ij(0) for every pair (Taylor integration at ctx.dps)."""
    start = case.network.at(ctx)
    end = scalar.flow(
        ctx,
        start,
        case.network.target_at(ctx),
        exact(ctx, case.horizon),
    )
    before, after = scalar.imbalances(start), scalar.imbalances(end)
    size = max(w**2 for w in start + end)
    relations = [
        equal(after[p], before[p], f"D_{p[0] + 1}{p[1] + 1} conserved", size=size) for p in before
    ]
    return evidence(
        *relations,
        loss_at_horizon=(scalar.others(end) - case.network.target_at(ctx)) ** 2 / 2,
        D_12_at_horizon=after[(0, 1)],
    )


def g2_gd_step_shrinks_imbalance(case: scalar.ScalarRun, ctx: MPContext) -> Evidence:
    """Every GD step: D_ij' = D_ij [1 - η² g² Π_{k≠i,j} w_k²], along the whole trajectory."""
    ws, t = case.network.at(ctx), case.network.target_at(ctx)
    eta = exact(ctx, case.step)
    worst = ctx.zero
    for _ in range(case.steps):
        nxt = scalar.gd_step(ctx, ws, t, eta)
        worst = max(worst, steps.worst_factor_error(ctx, ws, nxt, scalar.others(ws) - t, eta))
        ws = nxt
    return evidence(
        equal(worst, 0, "max over steps and pairs of |D_ij' - D_ij (1 - η²g²Π w_k²)| / scale"),
        final_loss=(scalar.others(ws) - t) ** 2 / 2,
        final_D_12=ws[0] ** 2 - ws[1] ** 2,
    )


def g1_certify(case: scalar.ScalarFlow, dps: int) -> Certificate:
    """G1's flow is integrated by a Taylor method without an error enclosure: undecided."""
    return certificate(
        undecided("D_ij conserved", "a Taylor-integrated flow has no error enclosure here")
    )


def g2_enclosed(case: scalar.ScalarRun, dps: int) -> Certificate:
    """G2 in Arb balls: every step and pair, D_ij' − D_ij (1 − η²g²Π w_k²) enclosed around 0."""
    with balls.precision(dps):
        ws = [arb(fmpq(*_parts(w))) for w in case.network.weights]
        t, eta = arb(fmpq(*_parts(case.network.target))), arb(fmpq(*_parts(case.step)))
        proofs = []
        for step in range(1, case.steps + 1):
            nxt = scalar.gd_step(None, ws, t, eta)
            g = scalar.others(ws) - t
            before, after = scalar.imbalances(ws), scalar.imbalances(nxt)
            for (i, j), d in before.items():
                size = 1 + ws[i] ** 2 + ws[j] ** 2 + nxt[i] ** 2 + nxt[j] ** 2
                predicted = d * steps.imbalance_factor(ws, i, j, g, eta)
                name = f"step {step}: D_{i + 1}{j + 1}' = D_{i + 1}{j + 1}(1 − η²g²Π w_k²)"
                proofs.append(enclosed_equal(name, after[(i, j)], predicted, dps, size))
            ws = nxt
    return certificate(*proofs)


def g6_exact(case: scalar.ScalarNetwork, dps: int) -> Certificate:
    """G6 over ℚ: λ_max (a root of χ_H) = Σ 1/w_i² ≥ N, = N iff balanced, N = 2: λ² = D² + 4."""
    ws = case.weights
    n = len(ws)
    *_, spectrum = _exact_spectrum(case)
    lam = spectrum[-1]
    balanced = all(w * w == 1 for w in ws)
    proofs = [
        exactly_equal("λ_max = Σ 1/w_i²", lam, rational(sum(1 / w**2 for w in ws))),
        exactly_at_most("λ_max ≥ N", rational(n), lam),
        exactly("λ_max = N iff balanced", (algebraic.compare(lam, rational(n)) == 0) == balanced),
    ]
    if n == 2:
        d = ws[0] ** 2 - ws[1] ** 2
        proofs.append(exactly_equal("N = 2: λ_max = √(D² + 4)", power(lam, 2), rational(d**2 + 4)))
    return certificate(*proofs)


def g6_imbalance_measures_flatness(case: scalar.ScalarNetwork, ctx: MPContext) -> Evidence:
    """On W = 1: λ_max = Σ 1/w_i² ≥ N, with equality iff balanced; N = 2: λ_max = √(D² + 4)."""
    ws = case.at(ctx)
    n = len(ws)
    lam = eigenvalues(ctx, scalar.hessian(ctx, ws, ctx.one))[-1]
    balanced = all(w * w == 1 for w in case.weights)  # exact, on the rationals
    at_bound = abs(lam - n) <= tolerance(ctx) * n
    relations = [
        equal(lam, sum(1 / w**2 for w in ws), "λ_max = Σ 1/w_i²"),
        at_most(n, lam, "λ_max ≥ N"),
        Relation("λ_max = N iff balanced", "true", at_bound == balanced),
    ]
    if n == 2:
        d = ws[0] ** 2 - ws[1] ** 2
        relations.append(equal(lam, ctx.sqrt(d**2 + 4), "N = 2: λ_max = √(D² + 4)"))
    return evidence(*relations, lambda_max=lam, excess_over_N=lam - n)


CLAIMS = [
    Claim(
        "H4",
        "Scalar network at a minimum: H = ∇P∇Pᵀ is rank one, λ_max = t² Σ_i 1/w_i²",
        "standard (scalar case of H1)",
        Status.PROVED,
        cases.scalar_minima(magnitude=(Fraction(1, 2), 2)),
        h4_rank_one_hessian,
        family=Family.SCALAR,
        derivation="H4",
        certify=h4_exact,
    ),
    Claim(
        "G1",
        "Gradient flow conserves every layer imbalance D_ij = w_i² − w_j²",
        SOURCE,
        Status.PROVED,
        cases.scalar_flows(),
        g1_flow_conserves_imbalance,
        family=Family.SCALAR,
        cost=0.5,
        derivation="G1",
        certify=g1_certify,
    ),
    Claim(
        "G2",
        "A GD step multiplies D_ij by 1 − η²g²Π_{k≠i,j} w_k² (exactly, every step)",
        SOURCE,
        Status.PROVED,
        cases.scalar_runs(),
        g2_gd_step_shrinks_imbalance,
        family=Family.SCALAR,
        derivation="G2",
        certify=g2_enclosed,
    ),
    Claim(
        "G6",
        "On the scalar minimum set λ_max = Σ 1/w_i² ≥ N, equality iff balanced; N=2: √(D²+4)",
        SOURCE,
        Status.PROVED,
        cases.scalar_minima(target=1) | cases.balanced_scalar_minima(),
        g6_imbalance_measures_flatness,
        family=Family.SCALAR,
        derivation="G6",
        certify=g6_exact,
    ),
]
