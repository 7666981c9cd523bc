"""`flatminima sharpness` at a global minimum of a large network (issue 16): every field of
`verify.linear.sharpness.measure`, from python-flint matrices instead of mpmath ones.

The mpmath route multiplies w×w matrices and diagonalises w×w Gram matrices in pure Python, at
both precisions. Here:

- every polynomial quantity is computed over ℚ (`fmpq_mat`: multi-modular integer products),
  once for both precisions: the products A_k, B_k and P, each layer's smaller Gram matrix
  G_k (W_k W_kᵀ or W_kᵀW_k, as `curvature.gram` chooses), the consecutive products
  W_{k+1} W_k, the d0×d0 A_kᵀA_k and the dN×dN B_k B_kᵀ;
- λ_max of H1's d0·dN × d0·dN matrix M = Σ_k (S A_kᵀA_k S) ⊗ (B_k B_kᵀ), S = Σx^{1/2}, the
  flattest sharpness and the top right singular vector q of T are computed by mpmath with the
  mpmath route's formulas, from those small matrices and T;
- tr H = Σ_k tr(A_kᵀA_k Σx) tr(B_k B_kᵀ) (= Σ_k ‖A_k S‖_F² ‖B_k‖_F², H1); with R = (P − T) Σx,
  ‖∂L/∂W_k‖_F² = tr(Rᵀ B_k B_kᵀ R A_kᵀA_k); the residual ‖P − T‖_F; all exactly 0 here, P = T;
- the balance ‖W_{k+1}ᵀW_{k+1} − W_k W_kᵀ‖_F² = ‖G_{k+1}‖_F² + ‖G_k‖_F² − 2‖W_{k+1} W_k‖_F²
  (tr(W_{k+1}ᵀW_{k+1} W_k W_kᵀ) = ‖W_{k+1} W_k‖_F², and ‖WᵀW‖_F = ‖W Wᵀ‖_F): exact, so
  nothing cancels, and no d_k × d_k matrix is formed for a thin layer;
- ‖W_k‖₂² = λ_max(G_k): by mpmath up to side SMALL_GRAM, else refined at working precision
  from float64 (`top_eigenvalue`);
- the coupling applies W_k W_kᵀ and W_{k+1}ᵀW_{k+1} to the top path as W (Wᵀ v), in balls.

Every result is a number of the caller's mpmath context (a rational rounded once, or a ball's
midpoint), so that `sharpness.report` compares the two precisions as for the mpmath route.
The work over ℚ grows with the numerators' bits; above MAX_EXACT_WORK it is refused
(`takes_fast_route`), before any product.
"""

from __future__ import annotations

from fractions import Fraction
from functools import cached_property

import numpy as np
from flint import arb, arb_mat, fmpq, fmpq_mat
from mpmath.ctx_mp import MPContext

from verify.errors import FlatminimaError
from verify.evidence import Degenerate
from verify.linear import curvature as cv
from verify.linear.balls import precision
from verify.linear.flattest import flattest, flattest_whitened
from verify.linear.flintnet import FlintMatrix, FlintRing
from verify.linear.inputs import MAX_DENSE, InputError
from verify.linear.network import LinearNetwork, Net
from verify.precision import exact

RATIONALS = FlintRing(fmpq_mat)
SMALL_GRAM = 8  # Gram matrices up to this side: all eigenvalues by mpmath, as the mpmath route
CLUSTER = 1e-8  # float64 eigenvalues within this relative distance of the top: one cluster
MAX_CLUSTER = 8  # up to this size the top cluster is refined as a block (Rayleigh–Ritz)
STALLS = 3  # consecutive iterations that shrink the residual less than 10×: a stall
# Products over ℚ: multiply-adds × (numerator bits + 10), ~1–1.6e-10 s each on one core
# (300×300 Gram matrices with 14- to 512-bit numerators). [4, 1000, 1000, 1000, 4] is 7e10
# with 4-decimal entries (17 s in all), 2.6e11 with 17-digit ones (35–50 s); refused above
# this (width ~900 with 17-digit entries, ~30 s), before any product.
MAX_EXACT_WORK = 2 * 10**11


class NotConverged(FlatminimaError, ArithmeticError):
    """The refinement of a top eigenvalue stalled (a cluster float64 cannot resolve)."""


def _rationals(rows) -> fmpq_mat:
    return fmpq_mat([[fmpq(x.numerator, x.denominator) for x in row] for row in rows])


def _numerator_bits(m: fmpq_mat) -> int:
    numerators, _ = m.numer_denom()
    return max(x.bit_length() for x in numerators.entries())


def _squares(m: fmpq_mat) -> fmpq:
    """‖m‖_F², from the integer numerators over a common denominator."""
    numerators, denominator = m.numer_denom()
    return fmpq(sum((x * x for x in numerators.entries()), 0), denominator**2)


def _trace(m: FlintMatrix) -> fmpq:
    return sum((m[i, i] for i in range(m.rows)), fmpq(0))


class Rational:
    """The network over ℚ and everything `measure` needs that does not depend on the
    precision, each computed when first asked for and kept."""

    def __init__(self, case: LinearNetwork) -> None:
        self.case = case
        self.weights = [FlintMatrix(_rationals(w)) for w in case.weights]
        sigma = FlintMatrix(_rationals(case.sigma_rows()))
        self.net = Net(RATIONALS, self.weights, sigma, None)
        self._grams: dict = {}
        self._spectra: dict = {}
        self._small: tuple[list, list] | None = None

    @property
    def depth(self) -> int:
        return self.net.depth

    @cached_property
    def minimum(self) -> bool:
        """P = T, exactly (T = P when the case has no target); sets the net's target."""
        product = self.net.product()
        case = self.case
        self.net.target = product if case.target is None else FlintMatrix(_rationals(case.target))
        return product.m == self.net.target.m

    def work(self) -> int:
        """Multiply-adds × (bits + 10) of the products over ℚ (`MAX_EXACT_WORK`)."""
        widths = self.case.widths
        adds = sum(
            widths[k - 1] * widths[k] * (min(widths[k - 1], widths[k]) + widths[0] + widths[-1])
            for k in range(1, self.depth + 1)
        ) + sum(widths[k - 1] * widths[k] * widths[k + 1] for k in range(1, self.depth))
        return adds * (max(_numerator_bits(w.m) for w in self.weights) + 10)

    def gram(self, k: int) -> FlintMatrix:
        """G_k, the smaller of W_k W_kᵀ and WᵀW (as `curvature.gram`: W Wᵀ if it is smaller)."""
        if k not in self._grams:
            w = self.weights[k - 1]
            self._grams[k] = w * w.T if w.rows < w.cols else w.T * w
        return self._grams[k]

    def spectrum(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        if k not in self._spectra:
            w = self.weights[k - 1]
            self._spectra[k] = float_spectrum(w.m, w.rows < w.cols)
        return self._spectra[k]

    def small(self) -> tuple[list, list]:
        """[A_kᵀA_k] (d0×d0) and [B_k B_kᵀ] (dN×dN), k = 1..N."""
        if self._small is None:
            n, net = self.depth, self.net
            self._small = (
                [net.a(k).T * net.a(k) for k in range(1, n + 1)],
                [net.b(k) * net.b(k).T for k in range(1, n + 1)],
            )
        return self._small

    def trace(self) -> fmpq:
        """tr H = Σ_k tr(A_kᵀA_k Σx) tr(B_k B_kᵀ)."""
        a, b = self.small()
        return sum((_trace(x * self.net.sigma) * _trace(y) for x, y in zip(a, b, strict=True)), 0)

    def gradient_squares(self) -> fmpq:
        """‖∇L‖² = Σ_k tr(Rᵀ B_k B_kᵀ R A_kᵀA_k), R = (P − T) Σx."""
        a, b = self.small()
        r = self.net.residual() * self.net.sigma
        return sum((_trace(r.T * y * r * x) for x, y in zip(a, b, strict=True)), fmpq(0))

    def balance_squares(self) -> list[fmpq]:
        """‖W_{k+1}ᵀW_{k+1} − W_k W_kᵀ‖_F² = ‖G_{k+1}‖² + ‖G_k‖² − 2‖W_{k+1} W_k‖², k < N."""
        return [
            _squares(self.gram(k + 1).m)
            + _squares(self.gram(k).m)
            - 2 * _squares(self.net.chain(k, k + 1).m)
            for k in range(1, self.depth)
        ]


_last: list = []  # [Rational]: the last case's, found by identity (report measures it twice)


def rational_case(case: LinearNetwork) -> Rational:
    if not (_last and _last[0].case is case):
        _last[:] = [Rational(case)]
    return _last[0]


def takes_fast_route(case: LinearNetwork) -> bool:
    """Whether a large network (more than MAX_MPMATH_PARAMETERS parameters: `sharpness`
    decides) is at a global minimum, decided exactly; InputError at once if the products over
    ℚ would exceed MAX_EXACT_WORK, or if it is not (the full Hessian would be needed)."""
    net = rational_case(case)
    work = net.work()  # first: deciding P = T is itself a product over ℚ
    if work > MAX_EXACT_WORK:
        raise InputError(
            f"the products over ℚ would take {work:.1e} multiply-adds × numerator bits (the "
            f"weights' numerators over a common denominator have up to "
            f"{max(_numerator_bits(w.m) for w in net.weights)} bits); the limit is "
            f"{MAX_EXACT_WORK:.0e} (about 30 s)"
        )
    if not net.minimum:
        n = sum(w.rows * w.cols for w in net.weights)
        raise InputError(
            f"not a global minimum, so the full Hessian is needed: it is {n}×{n}; the limit is "
            f"{MAX_DENSE}×{MAX_DENSE} (dense, at two precisions)"
        )
    return True


def _mp(ctx: MPContext, x):
    """A flint number as a number of `ctx`: a rational rounded once, a ball's midpoint."""
    if isinstance(x, fmpq):
        return exact(ctx, Fraction(int(x.p), int(x.q)))
    if isinstance(x, int):
        return ctx.mpf(x)
    return ctx.mpf(x.mid())


def _mp_matrix(ctx: MPContext, m: FlintMatrix):
    values = [_mp(ctx, x) for x in m.m.entries()]
    return ctx.matrix([values[i * m.cols : (i + 1) * m.cols] for i in range(m.rows)])


# --- ‖W‖₂² of a large layer -------------------------------------------------------------


def float_spectrum(w: fmpq_mat, rows: bool) -> tuple[np.ndarray, np.ndarray]:
    """Eigenvalues (ascending, divided by the largest) and eigenvectors of W Wᵀ (`rows`) or
    WᵀW in float64, from W's integer numerators over a common denominator shifted to at most
    480 bits (no overflow; only directions and ratios are used). All 0 only when W = 0."""
    numerators, _ = w.numer_denom()
    values = [int(x) for x in numerators.entries()]
    shift = max(0, max(abs(v).bit_length() for v in values) - 480)
    f = np.array([v >> shift if v >= 0 else -((-v) >> shift) for v in values], dtype=float)
    f = f.reshape(w.nrows(), w.ncols())
    eigenvalues, vectors = np.linalg.eigh(f @ f.T if rows else f.T @ f)
    top = eigenvalues[-1]
    return (eigenvalues / top if top > 0 else eigenvalues), vectors


def _column(values) -> arb_mat:
    return arb_mat([[x] for x in values])


def _dot(u: arb_mat, v: arb_mat) -> arb:
    return (u.transpose() * v)[0, 0]


def _orthonormal(vectors: list[arb_mat]) -> list[arb_mat]:
    """Modified Gram–Schmidt; the results' midpoints (exact vectors, orthonormal to working
    precision)."""
    out: list[arb_mat] = []
    for x in vectors:
        for u in out:
            x = x - u * _dot(u, x)
        out.append((x * (1 / _dot(x, x).sqrt())).mid())
    return out


def _ritz_top(ctx: MPContext, h: list[list[arb]]):
    """The largest eigenvalue of the small symmetric matrix h (mpmath)."""
    if len(h) == 1:
        return _mp(ctx, h[0][0])
    m = len(h)
    sym = ctx.matrix(
        [[(_mp(ctx, h[i][j]) + _mp(ctx, h[j][i])) / 2 for j in range(m)] for i in range(m)]
    )
    return max(cv.eigenvalues(ctx, sym))


def top_eigenvalue(ctx: MPContext, g: arb_mat, spectrum: tuple[np.ndarray, np.ndarray]):
    """λ_max of the symmetric positive semidefinite G (balls at the working precision), from
    float64's eigenvalues λ_i (divided by the largest) and eigenvectors q_i of G.

    The top cluster C = {i: λ_i ≥ 1 − CLUSTER} (repeated singular values at balanced minima)
    is refined as a block V (orthonormal; the top float64 vector alone if |C| > MAX_CLUSTER,
    which converges when the cluster is one repeated eigenvalue): H = VᵀGV, θ its largest
    eigenvalue (Rayleigh–Ritz), R = GV − VH in balls (O(n²) a column), and
    V ← orthonormal(V − Σ_{i∉C} q_i (q_iᵀR) / (λ_i − θ)), with float64 q_i and λ_i (about 13
    digits an iteration). It stops when ‖R‖_F ≤ 10^-(dps+5) θ: each eigenvalue of H is then
    within ‖R‖₂ of one of G (Weyl, V orthonormal). NotConverged if the residual stops
    shrinking (STALLS iterations that do not gain a digit) or is not finite."""
    values, vectors = spectrum
    if values[-1] <= 0:
        return ctx.zero
    top = values >= 1 - CLUSTER
    block = vectors[:, top] if top.sum() <= MAX_CLUSTER else vectors[:, -1:]
    others, gaps = vectors[:, ~top], values[~top] - 1  # (λ_i − θ)/θ
    basis = [_column(block[:, j].tolist()) for j in range(block.shape[1])]
    tolerance = ctx.mpf(10) ** -(ctx.dps + 5)
    last, stalls, relative = None, 0, ctx.inf
    for _ in range(10 + (ctx.dps + 5) // 4):
        basis = _orthonormal(basis)
        images = [g * v for v in basis]
        h = [[_dot(v, y) for y in images] for v in basis]
        residuals = []
        for j, y in enumerate(images):
            r = y
            for i, v in enumerate(basis):
                r = r - v * h[i][j]
            residuals.append(r)
        theta = _ritz_top(ctx, h)
        squares = sum((_dot(r, r) for r in residuals), arb(0)).nonnegative_part()
        relative = _mp(ctx, squares.upper().sqrt()) / theta  # an upper bound of ‖R‖_F / θ
        if relative <= tolerance:
            return theta
        if last is not None:
            stalls = stalls + 1 if not relative * 10 <= last else 0
        if stalls >= STALLS or not ctx.isfinite(relative):
            break
        last = relative
        # R / ‖R‖ in float64 (R / θ would underflow past 300 digits). ‖R‖'s midpoint is > 0:
        # the relative residual √(the squares' upper end) / θ is finite and above the
        # tolerance here, and the squares are ≥ 0, so their square root's midpoint is > 0.
        size = squares.sqrt().mid()
        unit = 1 / size
        scaled = np.array([[float(x) for x in (r * unit).entries()] for r in residuals]).T
        delta = -others @ ((others.T @ scaled) / gaps[:, None])  # × ‖R‖/θ, below
        factor = size / arb(theta)
        basis = [v + _column(delta[:, j].tolist()) * factor for j, v in enumerate(basis)]
    cluster = int(top.sum())
    raise NotConverged(
        f"the top eigenvalue of a {g.nrows()}×{g.nrows()} Gram matrix did not converge: "
        f"relative residual {ctx.nstr(relative, 3)}, not below 1e-{ctx.dps + 5}"
        + (
            f" (its top {cluster} float64 eigenvalues lie within a relative {CLUSTER:g}: a "
            "cluster float64 cannot resolve)"
            if cluster > 1
            else ""
        )
    )


def _layer_norm(ctx: MPContext, net: Rational, k: int):
    g = net.gram(k)
    if g.rows <= SMALL_GRAM:
        return ctx.sqrt(max(cv.eigenvalues(ctx, _mp_matrix(ctx, g))))
    return ctx.sqrt(top_eigenvalue(ctx, arb_mat(g.m), net.spectrum(k)))


# --- coupling ---------------------------------------------------------------------------


def _alignment(ctx: MPContext, image: arb_mat, v):
    """|cos ∠(G v, v)| from `image` = G v (balls), as `structure._eigen_alignment`."""
    y = ctx.matrix([_mp(ctx, x) for x in image.entries()])
    size = ctx.norm(y)
    return ctx.one if size == 0 else abs((v.T * y)[0]) / size


def coupling(ctx: MPContext, net: Rational, t) -> list:
    """`structure.coupling`: q the top eigenvector of TᵀT (mpmath), v_k = A_{k+1} q /
    ‖A_{k+1} q‖ (A_{k+1} is d_k × d0, over ℚ), and for k = 1..N−1 the smaller alignment of
    v_k under W_k W_kᵀ and W_{k+1}ᵀW_{k+1}, applied as W (Wᵀ v) in balls."""
    q = cv.top_eigenvector(ctx, t.T * t)
    path = [q]
    for k in range(1, net.depth + 1):
        forward = _mp_matrix(ctx, net.net.a(k + 1)) * q
        size = ctx.norm(forward)
        if size == 0:
            raise Degenerate(f"the top path dies at layer {k}: W_{k}⋯W_1 q = 0")
        path.append(forward / size)
    balls = [arb_mat(w.m) for w in net.weights]
    out = []
    for k in range(1, net.depth):
        v = _column([arb(path[k][i]) for i in range(path[k].rows)])
        before, after = balls[k - 1], balls[k]
        out.append(
            min(
                _alignment(ctx, before * (before.transpose() * v), path[k]),
                _alignment(ctx, after.transpose() * (after * v), path[k]),
            )
        )
    return out


# --- everything -------------------------------------------------------------------------


def measure(case: LinearNetwork, ctx: MPContext) -> dict:
    """`sharpness.measure` of a case at a global minimum, at the precision of `ctx`."""
    net = rational_case(case)
    if not net.minimum:
        raise ValueError("the fast route is for global minima (P = T)")
    depth = net.depth
    with precision(ctx.dps):
        sigma, t = _mp_matrix(ctx, net.net.sigma), _mp_matrix(ctx, net.net.target)
        s = cv.spd_sqrt(ctx, sigma)
        a, b = net.small()
        terms = [
            cv.kron(ctx, s * _mp_matrix(ctx, x) * s, _mp_matrix(ctx, y))
            for x, y in zip(a, b, strict=True)
        ]
        lam = max(cv.eigenvalues(ctx, sum(terms[1:], terms[0])))
        try:
            best = (
                flattest_whitened(ctx, t, depth)
                if case.whitened
                else flattest(ctx, t, sigma, depth).value
            )
        except Degenerate:
            best = None
        try:
            couplings = coupling(ctx, net, t)
        except Degenerate:
            couplings = []
        return {
            "lambda_max": lam,
            "trace": _mp(ctx, net.trace()),
            "is_global_minimum": True,
            "residual": ctx.sqrt(_mp(ctx, _squares(net.net.residual().m))),
            "gradient_norm": ctx.sqrt(_mp(ctx, net.gradient_squares())),
            "flattest": best,
            "flatness_ratio": None if not best else lam / best,
            "layer_norms": [_layer_norm(ctx, net, k) for k in range(1, depth + 1)],
            "balance": [ctx.sqrt(_mp(ctx, x)) for x in net.balance_squares()],
            "coupling": couplings,
        }
