"""The certified tier's numerics: enclosures (Arb balls, python-flint) of a linear network's
products, curvature matrix, λ_max, spectral norms and residuals.

Every function returns an `arb` that contains the true value, computed from the case's exact
rationals (rounded outward) at the precision set by `precision(dps)`.

Eigenvalues (of matrices with real spectra: M', Gram matrices, Hessians) by Gershgorin after a
similarity: Q holds approximate eigenvectors (Arb's unverified `eig`, midpoints: an exact
matrix), B = Q⁻¹ M Q is formed in ball arithmetic (Q⁻¹ enclosed too), so B has M's
eigenvalues, and every eigenvalue lies in the union of the intervals b_ii ± Σ_{j≠i} |b_ij|;
a connected component made of k intervals holds exactly k of them (Gershgorin). So repeated
eigenvalues (balanced minima) are enclosed as one tight cluster, where Arb's certified `eig`
gives up (it fails on diag(4.25, 8, 0.5, 4.25)); λ_max lies in the top component.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import AbstractContextManager

import flint
import mpmath
from flint import acb_mat, arb, arb_mat

from verify.linear.flintnet import FlintMatrix, FlintRing, curvature_matrix, net_over
from verify.linear.network import LinearNetwork, Net

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


def _to_mpmath(ctx: mpmath.MPContext, x: arb):
    """An exact arb (a midpoint) as the mpmath number it is."""
    man, exp = x.man_exp()
    return ctx.ldexp(int(man), int(exp))


def _mpmath_vectors(m: arb_mat) -> arb_mat:
    """Approximate eigenvectors of mid(m) by mpmath at Arb's working precision (`eigsy` when
    symmetric, else `eig`, real parts): slower than Arb's, but it converges where Arb's
    unverified QR does not (repeated eigenvalues of a balanced minimum)."""
    ctx = mpmath.MPContext()
    ctx.prec = flint.ctx.prec
    n = m.nrows()
    mid = m.mid()
    a = ctx.matrix([[_to_mpmath(ctx, mid[i, j]) for j in range(n)] for i in range(n)])
    symmetric = all(mid[i, j] == mid[j, i] for i in range(n) for j in range(i))
    vectors = ctx.eigsy(a)[1] if symmetric else ctx.eig(a)[1]
    return arb_mat([[from_mpmath(ctx.re(vectors[i, j])) for j in range(n)] for i in range(n)])


def _candidate_vectors(m: arb_mat) -> Iterator[arb_mat]:
    """Exact matrices Q of approximate eigenvectors, cheapest first."""
    _, vectors = acb_mat(m).eig(algorithm="approx", right=True)
    yield vectors.real.mid()
    yield (vectors.real + vectors.imag).mid()
    yield _mpmath_vectors(m)


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
    holds: the Gershgorin components of Q⁻¹ M Q for the first candidate Q that pins them to
    the working precision (else the tightest found)."""
    tight = 2.0 ** -(flint.ctx.prec - GUARD_BITS)
    best = None
    for q in _candidate_vectors(m):
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


def gram(w: FlintMatrix) -> arb_mat:
    """The smaller of W Wᵀ and WᵀW (same nonzero eigenvalues σ_i(W)²)."""
    return (w * w.T).m if w.rows < w.cols else (w.T * w).m


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


def sharpness(case: LinearNetwork) -> arb:
    """λ_max of the Hessian: of M' at a global minimum, else of the full Hessian."""
    return lambda_max(curvature_matrix(BALLS, case))
