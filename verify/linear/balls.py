"""The certified tier's numerics: enclosures (Arb balls, python-flint) of a linear network's
products, curvature matrix, λ_max, spectral norms and residuals.

Every function returns an `arb` that contains the true value, computed from the case's exact
rationals (rounded outward) at the precision set by `precision(dps)`.

Eigenvalues (of matrices with real spectra: M', Gram matrices, Hessians) by Gershgorin after a
similarity: Q holds approximate eigenvectors (of a symmetric M mpmath's orthonormal `eigsy`,
else Arb's unverified `eig`; midpoints: an exact matrix), B = Q⁻¹ M Q is formed in ball
arithmetic (Q⁻¹ enclosed too), so B has M's eigenvalues, and every eigenvalue lies in the
union of the intervals b_ii ± Σ_{j≠i} |b_ij|; a connected component made of k intervals holds
exactly k of them (Gershgorin). So repeated eigenvalues (balanced minima) are enclosed as one
tight cluster, where Arb's certified `eig` gives up (it fails on diag(4.25, 8, 0.5, 4.25));
λ_max lies in the top component. `sharpness` hands over only symmetric matrices (a
non-whitened M' through a similarity).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import replace
from fractions import Fraction

import flint
import mpmath
from flint import acb_mat, arb, arb_mat, fmpq

from verify.linear import curvature as cv
from verify.linear.flintnet import FlintMatrix, FlintRing, curvature_matrix, gram, net_over
from verify.linear.network import LinearNetwork, Net, Rows

BALLS = FlintRing(arb_mat)
GUARD_BITS = 64  # bits above the requested digits, so that rounding leaves dps digits


class NotEnclosed(ArithmeticError):
    """Arb could not isolate the eigenvalue clusters at this precision."""


def bits(dps: int) -> int:
    """Working precision in bits for `dps` digits: ⌈dps · log2 10⌉ + GUARD_BITS."""
    return math.ceil(dps * math.log2(10)) + GUARD_BITS


def precision(dps: int) -> AbstractContextManager:
    """Arb's working precision for `dps` digits (python-flint's precision is global)."""
    return flint.ctx.workprec(bits(dps))


def ball_net(case: LinearNetwork) -> Net:
    """The network's matrices as balls, as a `Net` the curvature formulas accept."""
    return net_over(BALLS, case)


def from_mpmath(x) -> arb:
    """A finite mpmath number (or an int) as the exact arb it is: (−1)^sign · man · 2^exp
    (mpmath's `man_exp` drops the sign with the gmpy backend, so `_mpf_` is read)."""
    if isinstance(x, int):
        return arb(x)
    sign, man, exp, _ = x._mpf_
    return arb(-int(man) if sign else int(man)) * arb(2) ** int(exp)


def to_mpmath(ctx: mpmath.MPContext, x: arb):
    """An exact arb (a midpoint or a radius) as the mpmath number of `ctx` it is."""
    man, exp = x.man_exp()
    return ctx.ldexp(int(man), int(exp))


def _mpmath_matrix(m: arb_mat, symmetrize: bool) -> mpmath.matrix:
    """mid(m) (or its symmetric part) as an mpmath matrix at Arb's working precision."""
    n, mid = m.nrows(), m.mid()
    ctx = mpmath.MPContext()
    ctx.prec = flint.ctx.prec
    a = ctx.matrix(n, n)
    for i in range(n):
        for j in range(n):
            entry = ((mid[i, j] + mid[j, i]) / 2).mid() if symmetrize else mid[i, j]
            a[i, j] = to_mpmath(ctx, entry)
    return a


def _exact_matrix(vectors) -> arb_mat:
    """An mpmath matrix (real parts) as an exact arb matrix."""
    n = vectors.rows
    return arb_mat([[from_mpmath(mpmath.re(vectors[i, j])) for j in range(n)] for i in range(n)])


def _eigenvector_guesses(m: arb_mat) -> Iterator[arb_mat]:
    """Exact matrices Q of approximate eigenvectors (columns), best first.

    Any invertible Q keeps the enclosure certified; only its tightness depends on Q. A matrix
    that may be symmetric (M − Mᵀ contains 0) gets orthonormal eigenvectors (mpmath's `eigsy`
    at the working precision) first: for a repeated eigenvalue Arb's `eig` (for general
    matrices) returns nearly parallel vectors, or does not converge, and the Gershgorin
    intervals of Q⁻¹ M Q then hold no correct digit (λ_max of a whitened network with a
    bottleneck came out as [+/- 29.6], a balanced 9×9 M' as [+/- 117]). Then Arb's vectors,
    then mpmath's general `eig`."""
    n = m.nrows()
    if (m - m.transpose()).contains(arb_mat(n, n)):
        symmetric = _mpmath_matrix(m, True)
        yield _exact_matrix(symmetric.ctx.eigsy(symmetric)[1])
    _, vectors = acb_mat(m).eig(algorithm="approx", right=True)
    yield vectors.real.mid()
    yield (vectors.real + vectors.imag).mid()
    a = _mpmath_matrix(m, False)
    yield _exact_matrix(a.ctx.eig(a)[1])


def _gershgorin(b: arb_mat) -> list[tuple[arb, int]]:
    """The components of the Gershgorin intervals b_ii ± Σ_{j≠i} |b_ij|, ascending, with how
    many intervals (eigenvalues) each holds."""
    n = b.nrows()
    discs = []
    for i in range(n):
        radius = sum((abs(b[i, j]) for j in range(n) if j != i), arb(0))
        discs.append(((b[i, i] - radius).lower(), (b[i, i] + radius).upper()))
    if not all(lo.is_finite() and hi.is_finite() for lo, hi in discs):
        raise NotEnclosed(f"the Gershgorin intervals of a {n}×{n} matrix are not finite")
    clusters: list[list] = []
    for lo, hi in sorted(discs, key=lambda d: d[0].mid()):
        if clusters and lo <= clusters[-1][1]:
            clusters[-1][1] = clusters[-1][1].max(hi)
            clusters[-1][2] += 1
        else:
            clusters.append([lo, hi, 1])
    return [(lo.union(hi), count) for lo, hi, count in clusters]


def _width(clusters: list[tuple[arb, int]]) -> float:
    """The widest cluster's radius relative to the largest |eigenvalue| (at least 1)."""
    scale = max(1.0, *(float(abs(c).upper()) for c, _ in clusters))
    return max(float(c.rad()) for c, _ in clusters) / scale


def eigenvalue_clusters(m: arb_mat) -> list[tuple[arb, int]]:
    """Disjoint intervals, ascending, each with how many eigenvalues (with multiplicity) it
    holds: the Gershgorin components of Q⁻¹ M Q for the first guess Q that pins them to the
    working precision (else the tightest found)."""
    tight = 2.0 ** -(flint.ctx.prec - GUARD_BITS)
    best = None
    for q in _eigenvector_guesses(m):
        try:
            clusters = _gershgorin(q.inv() * m * q)
        except (ZeroDivisionError, NotEnclosed):  # dependent vectors, an infinite interval
            continue
        if _width(clusters) <= tight:
            return clusters
        if best is None or _width(clusters) < _width(best):
            best = clusters
    if best is None:
        raise NotEnclosed(
            f"no approximate eigenvectors of a {m.nrows()}×{m.nrows()} matrix are independent"
        )
    return best


def lambda_max(m: arb_mat) -> arb:
    """λ_max of a matrix with real spectrum: the top Gershgorin component."""
    return eigenvalue_clusters(m)[-1][0]


def norm_squared(w: FlintMatrix) -> arb:
    """‖W‖₂² = λ_max(gram W) (the enclosure's negative part, from rounding, dropped)."""
    return lambda_max(gram(w)).nonnegative_part()


def spectral_norm(w: FlintMatrix) -> arb:
    """‖W‖₂ = sqrt(λ_max(gram W))."""
    return norm_squared(w).sqrt()


def frobenius(m: FlintMatrix) -> arb:
    """‖m‖_F."""
    total = arb(0)
    for i in range(m.rows):
        for j in range(m.cols):
            total += m[i, j] ** 2
    return total.sqrt()


def _square_root_factor(sigma: Rows) -> arb_mat:
    """R with R Rᵀ = Σx (SPD): R = L D^{1/2}, from the exact LDLᵀ of Σx."""
    n = len(sigma)
    low = [[Fraction(int(i == j)) for j in range(n)] for i in range(n)]
    d = []
    for j in range(n):
        d.append(sigma[j][j] - sum(low[j][k] ** 2 * d[k] for k in range(j)))
        for i in range(j + 1, n):
            low[i][j] = (sigma[i][j] - sum(low[i][k] * low[j][k] * d[k] for k in range(j))) / d[j]
    roots = [arb(fmpq(x.numerator, x.denominator)).sqrt() for x in d]
    return arb_mat(
        [[fmpq(x.numerator, x.denominator) * roots[j] for j, x in enumerate(row)] for row in low]
    )


def sharpness(case: LinearNetwork) -> arb:
    """λ_max of the Hessian: of M' at a global minimum, else of the full Hessian.

    With a non-whitened Σx, M' = G (Σx ⊗ I) (G: M' of the whitened network) is not symmetric;
    the symmetric Kᵀ G K, K = R ⊗ I with R Rᵀ = Σx, is similar to it (Kᵀ M' K⁻ᵀ) and is
    enclosed instead: Arb's eigenvectors of a non-symmetric M' with a repeated eigenvalue can
    be nearly parallel (widths (5, 1, 1, 4): λ_max ≈ 180.7 came out as [+/- 2.19e+438])."""
    if case.whitened or not case.at_global_minimum():
        return lambda_max(curvature_matrix(BALLS, case))
    g = curvature_matrix(BALLS, replace(case, sigma_x=None))
    r = FlintMatrix(_square_root_factor(case.sigma_x))
    k = cv.kron(BALLS, r, BALLS.eye(case.widths[-1])).m
    return lambda_max(k.transpose() * g * k)
