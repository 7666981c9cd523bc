"""Loss, gradient and curvature of a linear network at working precision.

H1 (Gauss–Newton reduction): at a global minimum the nonzero spectrum of the Hessian equals
that of the d0·dN × d0·dN matrix M = Σ_k (S A_kᵀ A_k S) ⊗ (B_k B_kᵀ), S = Σx^{1/2}, and
tr H = Σ_k ‖A_k S‖_F² ‖B_k‖_F². `full_hessian` is the Hessian itself, at any point.
"""

from __future__ import annotations

from mpmath.ctx_mp import MPContext

from verify.evidence import Degenerate
from verify.linear.network import Net


def kron(ctx: MPContext, a, b):
    """Kronecker product a ⊗ b (so that vec(B X A) = (Aᵀ ⊗ B) vec(X), column-stacking)."""
    out = ctx.matrix(a.rows * b.rows, a.cols * b.cols)
    for i in range(a.rows):
        for j in range(a.cols):
            for r in range(b.rows):
                for c in range(b.cols):
                    out[i * b.rows + r, j * b.cols + c] = a[i, j] * b[r, c]
    return out


def eigenvalues(ctx: MPContext, m) -> list:
    """Eigenvalues of a symmetric matrix, ascending (values only: no eigenvectors are
    accumulated, which is most of `eigsy`'s work)."""
    values = ctx.eigsy(m, eigvals_only=True)
    return sorted(values[i] for i in range(m.rows))


def top_eigenvector(ctx: MPContext, m):
    """A unit eigenvector of the largest eigenvalue of a symmetric matrix."""
    values, vectors = ctx.eigsy(m)
    top = max(range(m.rows), key=lambda i: values[i])
    return vectors[:, top]


def spd_sqrt(ctx: MPContext, s):
    """Σ^{1/2} of a symmetric positive definite matrix; Degenerate if it is not one
    (symmetric: ‖Σ − Σᵀ‖₁ ≤ 10 ε ‖Σ‖₁, rounding's scale)."""
    if ctx.mnorm(s - s.T, 1) > ctx.eps * ctx.mnorm(s, 1) * 10:
        raise Degenerate("Σx is not symmetric")
    values, vectors = ctx.eigsy(s)
    if min(values[i] for i in range(s.rows)) <= 0:
        raise Degenerate("Σx is not positive definite")
    root = ctx.diag([ctx.sqrt(values[i]) for i in range(s.rows)])
    return vectors * root * vectors.T


def gram(ctx: MPContext, w, rows: bool | None = None):
    """G = W Wᵀ (`rows`) or WᵀW (not `rows`); by default the smaller of the two, which has the
    same nonzero eigenvalues σ_i(W)². Symmetric, so only G_ij, i ≤ j, are summed (`fdot`, as
    the matrix product does), half the work of `w * w.T`."""
    if rows is None:
        rows = w.rows < w.cols
    vectors = w.tolist() if rows else w.T.tolist()
    out = ctx.matrix(len(vectors), len(vectors))
    for i, u in enumerate(vectors):
        for j in range(i, len(vectors)):
            out[i, j] = out[j, i] = ctx.fdot(u, vectors[j])
    return out


def spectral_norm(ctx: MPContext, w):
    """‖W‖₂ = sqrt(λ_max(WᵀW)) = sqrt(λ_max(W Wᵀ)), from the smaller of the two (`gram`)."""
    return ctx.sqrt(max(eigenvalues(ctx, gram(ctx, w))))


def frobenius_sq(ctx: MPContext, w):
    return ctx.fsum(w[i, j] ** 2 for i in range(w.rows) for j in range(w.cols))


def loss(net: Net):
    """L = ½ tr((P − T) Σx (P − T)ᵀ)."""
    e = net.residual()
    return sum((e * net.sigma * e.T)[i, i] for i in range(e.rows)) / 2


def gradient(net: Net) -> list:
    """∂L/∂W_k = B_kᵀ (P − T) Σx A_kᵀ."""
    r = net.residual() * net.sigma
    return [net.b(k).T * r * net.a(k).T for k in range(1, net.depth + 1)]


def reduced_matrix(net: Net):
    """M = Σ_k (S A_kᵀ A_k S) ⊗ (B_k B_kᵀ) with S = Σx^{1/2}."""
    ctx, s = net.ctx, spd_sqrt(net.ctx, net.sigma)
    terms = []
    for k in range(1, net.depth + 1):
        a, b = net.a(k), net.b(k)
        terms.append(kron(ctx, s * a.T * a * s, b * b.T))
    return sum(terms[1:], terms[0])


def sharpness(net: Net):
    """λ_max of the Hessian at a global minimum, = λ_max(M) (H1)."""
    return max(eigenvalues(net.ctx, reduced_matrix(net)))


def trace_formula(net: Net):
    """tr H at a global minimum = Σ_k ‖A_k S‖_F² ‖B_k‖_F² (H1)."""
    ctx, s = net.ctx, spd_sqrt(net.ctx, net.sigma)
    return ctx.fsum(
        frobenius_sq(ctx, net.a(k) * s) * frobenius_sq(ctx, net.b(k))
        for k in range(1, net.depth + 1)
    )


def _layout(net: Net) -> list[tuple[int, int, int]]:
    """(layer k, row i, column j) of every parameter, column-stacked layer by layer."""
    return [
        (k, i, j)
        for k in range(1, net.depth + 1)
        for j in range(net.weights[k - 1].cols)
        for i in range(net.weights[k - 1].rows)
    ]


def full_hessian(net: Net):
    """The Hessian of L with respect to every weight, at any point (not only minima).

    H_ab = (A_k Σ A_lᵀ)[j_a, j_b] (B_kᵀ B_l)[i_a, i_b]
           + [k < l] (W_{l−1}⋯W_{k+1})[j_b, i_a] (B_lᵀ (P − T) Σ A_kᵀ)[i_b, j_a]
    for a = (k, i_a, j_a), b = (l, i_b, j_b); symmetric.
    """
    ctx, n = net.ctx, net.depth
    a = {k: net.a(k) for k in range(1, n + 1)}
    b = {k: net.b(k) for k in range(1, n + 1)}
    r = net.residual() * net.sigma
    gn = {(k, m): (a[k] * net.sigma * a[m].T, b[k].T * b[m]) for k in a for m in a}
    between = {(k, m): net.chain(k + 1, m - 1) for k in a for m in a if k < m}
    mixed = {(k, m): b[m].T * r * a[k].T for k, m in between}
    layout = _layout(net)
    h = ctx.matrix(len(layout), len(layout))
    for p, (k, ia, ja) in enumerate(layout):
        for q in range(p, len(layout)):
            m, ib, jb = layout[q]
            ya, zb = gn[(k, m)]
            value = ya[ja, jb] * zb[ia, ib]
            if k < m:
                value += between[(k, m)][jb, ia] * mixed[(k, m)][ib, ja]
            h[p, q] = h[q, p] = value
    return h


def balance(net: Net) -> list:
    """Balance matrices W_{k+1}ᵀ W_{k+1} − W_k W_kᵀ, k = 1..N−1."""
    ctx, w = net.ctx, net.weights
    return [gram(ctx, w[k], False) - gram(ctx, w[k - 1], True) for k in range(1, net.depth)]
