"""Curvature at global minima of deep linear networks (docs/claims/linear.md): H1, H3
(Mulayoff & Michaeli 2020) and H2 (Kamber & Parhi 2025)."""

from __future__ import annotations

from mpmath.ctx_mp import MPContext

from verify import cases
from verify.claim import Claim, Family, Status
from verify.evidence import Evidence, at_most, equal, evidence
from verify.linear import curvature as cv
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


SMALL = {"depth": (2, 3), "width": (1, 3)}


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
    ),
    Claim(
        "H3",
        "Whitened, any depth: λ_max ≤ Σ_k ‖A_k‖₂² ‖B_k‖₂²",
        SOURCE,
        Status.PROVED,
        cases.global_minima(depth=(2, 5), width=(1, 4)),
        h3_upper_bound,
        family=Family.LINEAR,
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
    ),
]
