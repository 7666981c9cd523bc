"""Exact sharpness of depth-two networks (THEORY.md H2; Kamber & Parhi 2025)."""

from __future__ import annotations

from mpmath.ctx_mp import MPContext

from verify import cases
from verify.claim import Claim, Status
from verify.evidence import Evidence, equal, evidence
from verify.linear import curvature as cv
from verify.linear.network import LinearNetwork


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
        "H2",
        "Whitened depth two: λ_max = ‖W1‖₂² + ‖W2‖₂² at every global minimum",
        "Kamber & Parhi 2025",
        Status.PROVED,
        cases.global_minima(depth=(2, 2), width=(1, 4)),
        h2_depth_two,
        family="linear",
        derivation="H2",
    ),
]
