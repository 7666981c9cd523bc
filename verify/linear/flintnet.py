"""A linear network over python-flint matrices: ℚ (`fmpq_mat`, the exact tier) or real balls
(`arb_mat`, the certified tier), for the formulas of `verify.linear.curvature`.

Both tiers build the same matrix whose largest eigenvalue is λ_max:

- at a global minimum (P = T, decided exactly) H1's M = Σ_k (S A_kᵀA_k S) ⊗ (B_k B_kᵀ),
  S = Σx^{1/2}, is irrational for a general Σx; it is similar, through S ⊗ I, to
  M' = Σ_k (A_kᵀA_k Σx) ⊗ (B_k B_kᵀ), rational for a rational Σx, so χ_M = χ_M'
  (whitened, M' = M);
- elsewhere the full Hessian, whose entries are polynomials in W, Σx and T.
"""

from __future__ import annotations

from flint import fmpq

from verify.linear import curvature as cv
from verify.linear.network import LinearNetwork, Net, Rows


class FlintMatrix:
    """A flint matrix with the interface of an mpmath matrix that the formulas of
    `verify.linear.curvature` use: rows, cols, T, [i, j], +, − and ×."""

    __slots__ = ("m",)

    def __init__(self, m) -> None:
        self.m = m

    @property
    def rows(self) -> int:
        return self.m.nrows()

    @property
    def cols(self) -> int:
        return self.m.ncols()

    @property
    def T(self) -> FlintMatrix:  # mpmath's name for the transpose
        return FlintMatrix(self.m.transpose())

    def __mul__(self, other: FlintMatrix) -> FlintMatrix:
        return FlintMatrix(self.m * other.m)

    def __add__(self, other: FlintMatrix) -> FlintMatrix:
        return FlintMatrix(self.m + other.m)

    def __sub__(self, other: FlintMatrix) -> FlintMatrix:
        return FlintMatrix(self.m - other.m)

    def __getitem__(self, key: tuple[int, int]):
        return self.m[key]

    def __setitem__(self, key: tuple[int, int], value) -> None:
        self.m[key] = value


class FlintRing:
    """The part of an mpmath context the curvature formulas call (zero and unit matrices),
    for one flint matrix type. An `arb_mat` is rounded at the precision current when it is
    built (`flint.ctx.workprec`)."""

    def __init__(self, kind: type) -> None:
        self.kind = kind

    def matrix(self, rows: int, cols: int) -> FlintMatrix:
        return FlintMatrix(self.kind(rows, cols))

    def eye(self, n: int) -> FlintMatrix:
        out = self.kind(n, n)
        for i in range(n):
            out[i, i] = 1
        return FlintMatrix(out)

    def rows(self, rows: Rows) -> FlintMatrix:
        """A rational matrix in this ring (rounded outward for balls)."""
        return FlintMatrix(
            self.kind([[fmpq(x.numerator, x.denominator) for x in row] for row in rows])
        )


def gram(w: FlintMatrix):
    """The smaller of W Wᵀ and WᵀW (same nonzero eigenvalues σ_i(W)²), a flint matrix."""
    return (w * w.T).m if w.rows < w.cols else (w.T * w).m


def net_over(ring: FlintRing, case: LinearNetwork) -> Net:
    """The network's matrices in `ring`, as a `Net` the curvature formulas accept."""
    return Net(
        ring,
        [ring.rows(w) for w in case.weights],
        ring.rows(case.sigma_rows()),
        ring.rows(case.target_rows()),
    )


def curvature_matrix(ring: FlintRing, case: LinearNetwork):
    """The matrix whose largest eigenvalue is λ_max (of the Hessian, as `sharpness` measures
    it): at a global minimum M' = Σ_k (A_kᵀA_k Σx) ⊗ (B_k B_kᵀ) ~ M (H1), else the full
    Hessian. A flint matrix of `ring`'s type."""
    net = net_over(ring, case)
    if not case.at_global_minimum():
        return cv.full_hessian(net).m
    return reduced_matrix(ring, net).m


def reduced_matrix(ring: FlintRing, net: Net) -> FlintMatrix:
    """M' = Σ_k (A_kᵀA_k Σx) ⊗ (B_k B_kᵀ) at any point (the Hessian's at a global minimum
    only: H1 compares the two)."""
    terms = [
        cv.kron(ring, net.a(k).T * net.a(k) * net.sigma, net.b(k) * net.b(k).T)
        for k in range(1, net.depth + 1)
    ]
    return sum(terms[1:], terms[0])
