"""Curvature at global minima of deep linear networks (docs/claims/linear.md): H1, H3
(Mulayoff & Michaeli 2020) and H2 (Kamber & Parhi 2025)."""

from __future__ import annotations

from functools import reduce

from flint import arb, fmpq_poly
from mpmath.ctx_mp import MPContext

from verify import algebraic, cases
from verify.certificate import (
    Certificate,
    certificate,
    decided_at_most,
    exactly,
    exactly_equal,
)
from verify.claim import Claim, Family, Status
from verify.evidence import Evidence, at_most, equal, evidence
from verify.linear import balls
from verify.linear import curvature as cv
from verify.linear import exact as ex
from verify.linear.flintnet import reduced_matrix
from verify.linear.network import LinearNetwork

SOURCE = "Mulayoff & Michaeli 2020"


def _rounding_size(net):
    """Σ_k ‖A_k‖_F² ‖Σx‖_F ‖B_k‖_F²: the size of the products H and M are formed from, which
    their rounding errors scale with; it exceeds λ_max when Σx is ill-conditioned and a large
    row of A_k meets a small eigenvalue of Σx (cancellation loses log10 cond(Σx) digits)."""
    ctx = net.ctx
    sigma = ctx.mnorm(net.sigma, "F")
    return ctx.fsum(
        ctx.mnorm(net.a(k), "F") ** 2 * sigma * ctx.mnorm(net.b(k), "F") ** 2
        for k in range(1, net.depth + 1)
    )


def h1_gauss_newton(case: LinearNetwork, ctx: MPContext) -> Evidence:
    """At P = T the nonzero spectrum of H equals that of M, and tr H = Σ‖A_kS‖²‖B_k‖²."""
    net = case.at(ctx)
    h = cv.full_hessian(net)
    full = sorted(cv.eigenvalues(ctx, h), reverse=True)
    reduced = sorted(cv.eigenvalues(ctx, cv.reduced_matrix(net)), reverse=True)
    size = max(len(full), len(reduced))
    full += [ctx.zero] * (size - len(full))
    reduced += [ctx.zero] * (size - len(reduced))
    gap = max(abs(x - y) for x, y in zip(full, reduced, strict=True))
    size = max(full[0], _rounding_size(net))
    return evidence(
        equal(full[0], reduced[0], "λ_max(H) = λ_max(M)", size=size),
        equal(gap, 0, "nonzero spectra of H and M agree", size=size),
        equal(
            sum(h[i, i] for i in range(h.rows)),
            cv.trace_formula(net),
            "tr H = Σ‖A_kS‖²‖B_k‖²",
            size=size,
        ),
        lambda_max=full[0],
        trace=cv.trace_formula(net),
        parameters=h.rows,
    )


def h3_upper_bound(case: LinearNetwork, ctx: MPContext) -> Evidence:
    """Whitened: λ_max ≤ Σ_k ‖A_k‖₂² ‖B_k‖₂²."""
    net = case.at(ctx)
    lam = cv.sharpness(net)
    bound = ctx.fsum(
        cv.spectral_norm(ctx, net.a(k)) ** 2 * cv.spectral_norm(ctx, net.b(k)) ** 2
        for k in range(1, net.depth + 1)
    )
    return evidence(at_most(lam, bound, "λ_max ≤ Σ‖A_k‖₂²‖B_k‖₂²"), lambda_max=lam, gap=bound - lam)


def h1_exact(case: LinearNetwork, dps: int) -> Certificate:
    """H1 over ℚ: χ_H(x) = x^{P−m} χ_M'(x), so the nonzero spectra agree with multiplicity and
    (both positive semidefinite) so do the largest eigenvalues; tr H = Σ tr(A_kᵀA_kΣx) ‖B_k‖_F²
    (= Σ‖A_kS‖²‖B_k‖²)."""
    net = ex.exact_net(case)
    # M' at any point, never `ex.curvature_matrix` (the full Hessian itself off a minimum)
    h, m = cv.full_hessian(net).m, reduced_matrix(ex.RATIONALS, net).m
    x = fmpq_poly([0, 1])
    left = h.charpoly() * x ** max(0, m.nrows() - h.nrows())
    right = m.charpoly() * x ** max(0, h.nrows() - m.nrows())
    same = left == right
    formula = sum(
        _trace(net.a(k).T * net.a(k) * net.sigma) * _trace(net.b(k).T * net.b(k))
        for k in range(1, net.depth + 1)
    )
    top = "λ_max(H) = λ_max(M)"
    return certificate(
        exactly(top, True, "from χ_H x^a = χ_M' x^b (both spectra ≥ 0)")
        if same  # different spectra may still share their top: compared on their own
        else exactly_equal(top, ex.top_eigenvalue(h), ex.top_eigenvalue(m)),
        exactly("nonzero spectra of H and M agree", same, "χ_H x^a = χ_M' x^b exactly"),
        exactly("tr H = Σ‖A_kS‖²‖B_k‖²", sum(h[i, i] for i in range(h.nrows())) == formula),
    )


def _trace(m) -> object:
    return sum(m[i, i] for i in range(m.rows))


def _norm_terms(net) -> list[tuple[object, object]]:
    """(‖A_k‖₂², ‖B_k‖₂²) for k = 1..N, in the tier of `net` (balls or exact)."""
    return [(net.a(k), net.b(k)) for k in range(1, net.depth + 1)]


def h3_certify(case: LinearNetwork, dps: int) -> Certificate:
    """H3 by enclosures; a tight case (depth two: equality, H2) exactly, by algebraic sums and
    products of the ‖A_k‖₂², ‖B_k‖₂²."""

    def enclosures():
        net = balls.ball_net(case)
        bound = sum(
            (balls.norm_squared(a) * balls.norm_squared(b) for a, b in _norm_terms(net)), arb(0)
        )
        return balls.sharpness(case), bound

    def exact_sides():
        terms = [
            algebraic.multiply(ex.norm_squared(a), ex.norm_squared(b))
            for a, b in _norm_terms(ex.exact_net(case))
        ]
        return ex.exact_sharpness(case), reduce(algebraic.add, terms)

    with balls.precision(dps):
        proof = decided_at_most("λ_max ≤ Σ‖A_k‖₂²‖B_k‖₂²", enclosures, exact_sides)
    return certificate(proof)


SMALL = {"depth": (2, 3), "width": (1, 3)}


def h2_exact(case: LinearNetwork, dps: int) -> Certificate:
    """H2 over ℚ: M = I ⊗ W2W2ᵀ + W1ᵀW1 ⊗ I as matrices, and λ_max (the top root of χ_M)
    = ‖W1‖₂² + ‖W2‖₂² as algebraic numbers."""
    net = ex.exact_net(case)
    w1, w2 = net.weights
    ring = ex.RATIONALS
    kron_sum = cv.kron(ring, ring.eye(w1.cols), w2 * w2.T) + cv.kron(
        ring, w1.T * w1, ring.eye(w2.rows)
    )
    m = ex.curvature_matrix(case)
    norms = algebraic.add(ex.norm_squared(w1), ex.norm_squared(w2))
    return certificate(
        exactly("M = I⊗W2W2ᵀ + W1ᵀW1⊗I", m == kron_sum.m),
        exactly_equal("λ_max = ‖W1‖₂² + ‖W2‖₂²", ex.top_eigenvalue(m), norms),
    )


def h2_depth_two(case: LinearNetwork, ctx: MPContext) -> Evidence:
    """Whitened, N = 2: M = I ⊗ W2W2ᵀ + W1ᵀW1 ⊗ I, so λ_max = ‖W1‖₂² + ‖W2‖₂²."""
    net = case.at(ctx)
    w1, w2 = net.weights
    kron_sum = cv.kron(ctx, ctx.eye(w1.cols), w2 * w2.T) + cv.kron(ctx, w1.T * w1, ctx.eye(w2.rows))
    m = cv.reduced_matrix(net)
    lam = max(cv.eigenvalues(ctx, m))
    norms = cv.spectral_norm(ctx, w1) ** 2 + cv.spectral_norm(ctx, w2) ** 2
    return evidence(
        equal(ctx.mnorm(m - kron_sum, "F"), 0, "M = I⊗W2W2ᵀ + W1ᵀW1⊗I", size=lam),
        equal(lam, norms, "λ_max = ‖W1‖₂² + ‖W2‖₂²"),
        lambda_max=lam,
    )


CLAIMS = [
    Claim(
        "H1",
        "At a global minimum H = JᵀJ: nonzero spectrum of H = spectrum of M; tr H = Σ‖A_kS‖²‖B_k‖²",
        SOURCE,
        Status.PROVED,
        cases.global_minima(**SMALL, whitened=None),
        h1_gauss_newton,
        family=Family.LINEAR,
        derivation="H1",
        certify=h1_exact,
    ),
    Claim(
        "H3",
        "Whitened, any depth: λ_max ≤ Σ_k ‖A_k‖₂² ‖B_k‖₂²",
        SOURCE,
        Status.PROVED,
        cases.global_minima(depth=(2, 5), width=(1, 4)),
        h3_upper_bound,
        family=Family.LINEAR,
        certify=h3_certify,
    ),
    Claim(
        "H2",
        "Whitened depth two: λ_max = ‖W1‖₂² + ‖W2‖₂² at every global minimum",
        "Kamber & Parhi 2025",
        Status.PROVED,
        cases.global_minima(depth=(2, 2), width=(1, 4)),
        h2_depth_two,
        family=Family.LINEAR,
        derivation="H2",
        certify=h2_exact,
    ),
]
