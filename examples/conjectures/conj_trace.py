"""A true conjecture: at a whitened global minimum, tr H = Σ_k ‖A_k‖_F² ‖B_k‖_F².

(H1's trace formula with Σx = I: tr(A_kᵀA_k ⊗ B_kB_kᵀ) = ‖A_k‖_F²‖B_k‖_F².)
"""

from verify import cases, conjecture


def frobenius_sq(m):
    return sum(m[i, j] ** 2 for i in range(m.rows) for j in range(m.cols))


@conjecture(
    "X1",
    "Whitened global minima: tr H = Σ_k ‖A_k‖_F² ‖B_k‖_F²",
    cases=cases.global_minima(depth=(2, 4), whitened=True),
)
def trace_formula(m):
    expected = sum(frobenius_sq(m.a(k)) * frobenius_sq(m.b(k)) for k in range(1, m.depth + 1))
    return m.hessian_trace() - expected  # a residual: the conjecture holds where it is 0
