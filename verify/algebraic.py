"""Exact real algebraic numbers (python-flint): the exact tier's arithmetic.

A real algebraic number is its minimal polynomial p over ℤ and an interval [lo, hi] with
rational ends holding exactly one root of p (lo = hi for a rational). Everything is decided
exactly, never by a tolerance:

- the roots of an integer polynomial: factor over ℤ, isolate the roots of the square-free
  product with certified enclosures (arb), give each real root to the factor that changes
  sign on its enclosure's rational ends;
- a + b, a·b, aᵏ: the eigenvalues of C_a ⊗ I + I ⊗ C_b, C_a ⊗ C_b and C_aᵏ (C the companion
  matrix) are all the sums, products and powers of conjugates, so the result is a root of
  that matrix's characteristic polynomial, and the one root of it in the result's interval
  (exact interval arithmetic on the operands' intervals, refined until one root is left);
- a = b: same minimal polynomial and a root of it in both intervals (each isolates one root);
  a < b: intervals refined until they are disjoint.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property, reduce
from operator import mul

from flint import arb, fmpq, fmpq_mat, fmpz_poly

MAX_DEGREE = 64  # side of the companion-matrix products (their χ is computed exactly)
MAX_REFINEMENTS = 200  # bisection rounds before an isolation is declared impossible


class TooComplex(ArithmeticError):
    """The exact route would need a polynomial of degree above MAX_DEGREE."""


@dataclass(frozen=True)
class AlgebraicNumber:
    """A real algebraic number: its minimal polynomial over ℤ (primitive, leading coefficient
    > 0), an isolating interval [lo, hi] with rational ends (the only root of the polynomial
    in it; lo = hi when the number is rational)."""

    minimal_polynomial: tuple[int, ...]  # coefficients, constant term first
    interval: tuple[Fraction, Fraction]

    @property
    def degree(self) -> int:
        return len(self.minimal_polynomial) - 1

    @property
    def poly(self) -> fmpz_poly:
        return fmpz_poly(list(self.minimal_polynomial))

    @cached_property
    def closed_form(self) -> str:
        """SymPy text: a rational, a quadratic surd, or CRootOf(p, k) (`closed_form`)."""
        from verify.closed_form import closed_form

        return closed_form(self)

    def polynomial_text(self, variable: str = "x") -> str:
        """The minimal polynomial as SymPy text, e.g. "x**2 - 5*x + 5"."""
        from verify.closed_form import polynomial_text

        return polynomial_text(self.minimal_polynomial, variable)

    def refined(self, digits: int) -> tuple[Fraction, Fraction]:
        """An isolating interval of width ≤ 10^−digits · max(1, |lo|), by exact bisection."""
        return self.narrowed(Fraction(1, 10**digits) * max(1, abs(self.interval[0])))

    def narrowed(self, width: Fraction) -> tuple[Fraction, Fraction]:
        """An isolating interval of width ≤ `width`, by exact bisection on the sign of p. A
        rational's interval is the point itself (returned as it is); an irrational's ends are
        never roots (p is irreducible of degree ≥ 2), so p changes sign between them."""
        lo, hi = self.interval
        poly = self.poly
        sign_lo = sign(poly, lo)
        while hi - lo > width:
            mid = (lo + hi) / 2
            sign_mid = sign(poly, mid)
            if sign_mid == 0:
                return mid, mid
            lo, hi = (mid, hi) if sign_mid == sign_lo else (lo, mid)
        return lo, hi

    def halved(self) -> AlgebraicNumber:
        """The same number with an isolating interval at most half as wide."""
        lo, hi = self.interval
        return AlgebraicNumber(self.minimal_polynomial, self.narrowed((hi - lo) / 2))


def sign(poly: fmpz_poly, point: Fraction) -> int:
    """The sign of poly(point), exactly."""
    value = poly(fmpq(point.numerator, point.denominator))
    return (value > 0) - (value < 0)


def rational(q: Fraction | int) -> AlgebraicNumber:
    """q as an algebraic number: minimal polynomial den·x − num."""
    q = Fraction(q)
    return AlgebraicNumber((-q.numerator, q.denominator), (q, q))


def dyadic(x) -> Fraction:
    """An exact arb (a point: radius 0) or a finite mpmath number as the Fraction it is,
    ±man · 2^exp (an mpf's sign is read from `_mpf_`: mpmath's `man_exp` drops it with the
    gmpy backend)."""
    if isinstance(x, arb):
        man, exp = x.man_exp()
    else:
        sign, man, exp, _ = x._mpf_
        man = -man if sign else man
    return Fraction(int(man)) * Fraction(2) ** int(exp)


def primitive(poly) -> fmpz_poly:
    """A nonzero polynomial with rational coefficients scaled to a primitive one over ℤ."""
    numerator = poly.numer() if hasattr(poly, "numer") else poly
    coeffs = [int(v) for v in numerator.coeffs()]
    content = math.gcd(*coeffs)
    return fmpz_poly([v // content for v in coeffs])


def real_roots(poly: fmpz_poly) -> list[AlgebraicNumber]:
    """Every distinct real root of a nonzero integer polynomial, ascending."""
    _, factors = poly.factor()
    irreducible = [f for f, _ in factors if f.degree() > 0]  # primitive, leading > 0
    if not irreducible:
        return []
    squarefree = reduce(mul, irreducible, fmpz_poly([1]))
    roots = []
    for z, _ in squarefree.complex_roots():
        if not z.imag.is_zero():
            continue
        lo, hi = dyadic(z.real.lower()), dyadic(z.real.upper())
        # The one factor with a root in [lo, hi] changes sign there (a simple root) or
        # vanishes at an end; certified isolation leaves no other.
        owners = [f for f in irreducible if sign(f, lo) * sign(f, hi) <= 0]
        if len(owners) != 1:
            raise ArithmeticError(f"[{lo}, {hi}] does not isolate a root of {poly}")
        owner = owners[0]
        if owner.degree() == 1:
            a0, a1 = (int(c) for c in owner.coeffs())
            lo = hi = Fraction(-a0, a1)
        roots.append(AlgebraicNumber(tuple(int(c) for c in owner.coeffs()), (lo, hi)))
    return sorted(roots, key=lambda r: r.interval[0])


def largest_real_root(poly: fmpz_poly) -> AlgebraicNumber:
    """The largest real root of a nonzero integer polynomial with at least one real root."""
    roots = real_roots(poly)
    if not roots:
        raise ValueError(f"{poly} has no real root")
    return roots[-1]


def characteristic_polynomial(m: fmpq_mat) -> fmpz_poly:
    """χ(x) = det(x I − m), scaled to a primitive integer polynomial (same roots)."""
    return primitive(m.charpoly())


def eigenvalues(m: fmpq_mat) -> list[AlgebraicNumber]:
    """The distinct real eigenvalues of a rational matrix, ascending (exact)."""
    return real_roots(characteristic_polynomial(m))


def _companion(a: AlgebraicNumber) -> fmpq_mat:
    """The companion matrix of a's minimal polynomial: its eigenvalues are a's conjugates."""
    c = a.minimal_polynomial
    n = len(c) - 1
    out = fmpq_mat(n, n)
    for i in range(1, n):
        out[i, i - 1] = 1
    for i in range(n):
        out[i, n - 1] = fmpq(-c[i], c[n])
    return out


def _kron(a: fmpq_mat, b: fmpq_mat) -> fmpq_mat:
    out = fmpq_mat(a.nrows() * b.nrows(), a.ncols() * b.ncols())
    for i in range(a.nrows()):
        for j in range(a.ncols()):
            if a[i, j] != 0:
                for r in range(b.nrows()):
                    for s in range(b.ncols()):
                        out[i * b.nrows() + r, j * b.ncols() + s] = a[i, j] * b[r, s]
    return out


def _identity(n: int) -> fmpq_mat:
    out = fmpq_mat(n, n)
    for i in range(n):
        out[i, i] = 1
    return out


def _interval_sum(x: tuple[Fraction, Fraction], y: tuple[Fraction, Fraction]):
    return x[0] + y[0], x[1] + y[1]


def _interval_product(x: tuple[Fraction, Fraction], y: tuple[Fraction, Fraction]):
    ends = [p * q for p in x for q in y]
    return min(ends), max(ends)


def _interval_power(x: tuple[Fraction, Fraction], k: int):
    lo, hi = x
    ends = [lo**k, hi**k]
    if k % 2 == 0 and lo < 0 < hi:
        ends.append(Fraction(0))
    return min(ends), max(ends)


def _select(poly: fmpz_poly, operands: list[AlgebraicNumber], enclose) -> AlgebraicNumber:
    """The root of `poly` that `enclose(operands)` (an interval holding the result) picks out,
    halving the operands' intervals until it meets exactly one real root's interval."""
    candidates = real_roots(poly)
    for _ in range(MAX_REFINEMENTS):
        lo, hi = enclose(operands)
        meeting = [r for r in candidates if r.interval[0] <= hi and lo <= r.interval[1]]
        if len(meeting) == 1:
            return meeting[0]
        operands = [a.halved() for a in operands]
    raise ArithmeticError(f"no single root of {poly} could be isolated")


def _check_degree(degree: int, what: str) -> None:
    if degree > MAX_DEGREE:
        raise TooComplex(f"{what} has degree {degree} > {MAX_DEGREE}")


def add(a: AlgebraicNumber, b: AlgebraicNumber) -> AlgebraicNumber:
    """a + b exactly: a root of χ(C_a ⊗ I + I ⊗ C_b)."""
    if a.degree == 1 and b.degree == 1:
        return rational(a.interval[0] + b.interval[0])
    _check_degree(a.degree * b.degree, "a + b")
    ca, cb = _companion(a), _companion(b)
    m = _kron(ca, _identity(b.degree)) + _kron(_identity(a.degree), cb)
    return _select(
        characteristic_polynomial(m),
        [a, b],
        lambda ops: _interval_sum(ops[0].interval, ops[1].interval),
    )


def multiply(a: AlgebraicNumber, b: AlgebraicNumber) -> AlgebraicNumber:
    """a · b exactly: a root of χ(C_a ⊗ C_b)."""
    if a.degree == 1 and b.degree == 1:
        return rational(a.interval[0] * b.interval[0])
    _check_degree(a.degree * b.degree, "a · b")
    m = _kron(_companion(a), _companion(b))
    return _select(
        characteristic_polynomial(m),
        [a, b],
        lambda ops: _interval_product(ops[0].interval, ops[1].interval),
    )


def power(a: AlgebraicNumber, k: int) -> AlgebraicNumber:
    """aᵏ exactly (k ≥ 0): a root of χ(C_aᵏ)."""
    if a.degree == 1 or k == 0:
        return rational(a.interval[0] ** k)
    m = _companion(a) ** k
    return _select(
        characteristic_polynomial(m), [a], lambda ops: _interval_power(ops[0].interval, k)
    )


def compare(a: AlgebraicNumber, b: AlgebraicNumber) -> int:
    """−1, 0 or 1 as a < b, a = b or a > b, decided exactly."""
    for _ in range(MAX_REFINEMENTS):
        (alo, ahi), (blo, bhi) = a.interval, b.interval
        if ahi < blo:
            return -1
        if bhi < alo:
            return 1
        if a.minimal_polynomial == b.minimal_polynomial:
            lo, hi = max(alo, blo), min(ahi, bhi)  # each interval isolates one root of p
            if sign(a.poly, lo) * sign(a.poly, hi) <= 0:
                return 0
        a, b = a.halved(), b.halved()
    raise ArithmeticError("the two numbers could not be separated")
