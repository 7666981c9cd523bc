"""The exact tier of `flatminima sharpness`: λ_max of a rational linear network as an
algebraic number (python-flint).

The matrix whose largest eigenvalue is λ_max is built over ℚ by the same formulas as at
working precision (`verify.linear.curvature`), run on `fmpq_mat`s:

- at a global minimum (P = T, decided exactly) H1's M = Σ_k (S A_kᵀA_k S) ⊗ (B_k B_kᵀ),
  S = Σx^{1/2}, is irrational for a general Σx; it is similar, through S ⊗ I, to the rational
  M' = Σ_k (A_kᵀA_k Σx) ⊗ (B_k B_kᵀ), so χ_M = χ_M' (whitened, M' = M);
- elsewhere the full Hessian, whose entries are polynomials in W, Σx and T.

Then λ_max is the largest real root of the characteristic polynomial χ: χ is factored over ℤ
into irreducibles, the roots of their product (square-free) are isolated with certified
enclosures (arb), and the top real root is the root of exactly one factor, its minimal
polynomial, which changes sign on the enclosure's rational ends (checked exactly).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from functools import reduce
from operator import mul

import sympy
from flint import arb, fmpq, fmpq_mat, fmpz_poly

from verify.linear import curvature as cv
from verify.linear.inputs import MAX_DENSE, InputError
from verify.linear.network import LinearNetwork, Net, Rows

# Limits of the exact route, measured on 2 cores (docs/claims/linear.md, Exact λ_max). The
# side is not what makes it slow: a random 160×160 rational matrix with small entries takes
# 1.3 s, and `sharpness` admits at most MAX_DENSE (40). What grows is the size of χ's
# coefficients, about n times the bits of the matrix's entries over a common denominator: the
# estimate n·(b + log2 n) is refused above MAX_EXACT_BITS (at 90,000 a 40×40 M takes ~0.5 s,
# at 170,000 ~1.2 s, with entries near 1e40 ~10 s), and χ or the minimal polynomial with an
# integer of more than MAX_EXACT_DIGITS digits (Python's default int-string limit: SymPy
# could not parse the closed form) is refused once χ is known.
MAX_EXACT_SIDE = MAX_DENSE
MAX_EXACT_BITS = 100_000
MAX_EXACT_DIGITS = 4300
_DIGITS_BOUND = 10**MAX_EXACT_DIGITS
MAX_SURD_DIGITS = 400  # a larger discriminant: SymPy's √ (and parsing it) takes 0.1 s to minutes


class _Matrix:
    """An `fmpq_mat` with the interface of an mpmath matrix that the formulas of
    `verify.linear.curvature` use: rows, cols, T, [i, j], +, − and ×."""

    __slots__ = ("m",)

    def __init__(self, m: fmpq_mat) -> None:
        self.m = m

    @property
    def rows(self) -> int:
        return self.m.nrows()

    @property
    def cols(self) -> int:
        return self.m.ncols()

    @property
    def T(self) -> _Matrix:  # mpmath's name for the transpose
        return _Matrix(self.m.transpose())

    def __mul__(self, other: _Matrix) -> _Matrix:
        return _Matrix(self.m * other.m)

    def __add__(self, other: _Matrix) -> _Matrix:
        return _Matrix(self.m + other.m)

    def __sub__(self, other: _Matrix) -> _Matrix:
        return _Matrix(self.m - other.m)

    def __getitem__(self, key: tuple[int, int]) -> fmpq:
        return self.m[key]

    def __setitem__(self, key: tuple[int, int], value: fmpq) -> None:
        self.m[key] = value


class _Rationals:
    """The part of an mpmath context the curvature formulas call: zero and unit matrices."""

    @staticmethod
    def matrix(rows: int, cols: int) -> _Matrix:
        return _Matrix(fmpq_mat(rows, cols))

    @staticmethod
    def eye(n: int) -> _Matrix:
        out = fmpq_mat(n, n)
        for i in range(n):
            out[i, i] = 1
        return _Matrix(out)


RATIONALS = _Rationals()


def _rows(rows: Rows) -> _Matrix:
    return _Matrix(fmpq_mat([[fmpq(x.numerator, x.denominator) for x in row] for row in rows]))


def exact_net(case: LinearNetwork) -> Net:
    """The network's matrices over ℚ, as a `Net` the curvature formulas accept."""
    return Net(
        RATIONALS,
        [_rows(w) for w in case.weights],
        _rows(case.sigma_rows()),
        _rows(case.target_rows()),
    )


def curvature_matrix(case: LinearNetwork) -> fmpq_mat:
    """The rational matrix whose largest eigenvalue is λ_max (of the Hessian, as `sharpness`
    measures it): at a global minimum M' = Σ_k (A_kᵀA_k Σx) ⊗ (B_k B_kᵀ) ~ M (H1), else the
    full Hessian."""
    net = exact_net(case)
    if not case.at_global_minimum():
        return cv.full_hessian(net).m
    terms = [
        cv.kron(RATIONALS, net.a(k).T * net.a(k) * net.sigma, net.b(k) * net.b(k).T)
        for k in range(1, net.depth + 1)
    ]
    return sum(terms[1:], terms[0]).m


def exact_side(case: LinearNetwork) -> int:
    """Side of `curvature_matrix`: d0·dN at a global minimum, else the parameter count."""
    if case.at_global_minimum():
        return case.widths[0] * case.widths[-1]
    return sum(len(w) * len(w[0]) for w in case.weights)


def check_exact_size(case: LinearNetwork) -> None:
    """InputError, naming the limit, if the side exceeds MAX_EXACT_SIDE (before any work)."""
    side = exact_side(case)
    if side > MAX_EXACT_SIDE:
        raise InputError(
            f"--exact needs the characteristic polynomial of a {side}×{side} matrix; the "
            f"limit is {MAX_EXACT_SIDE}×{MAX_EXACT_SIDE}"
        )


def coefficient_bits(m: fmpq_mat) -> int:
    """n·(b + log2 n), b the bits of the largest entry of m over a common denominator: about
    (an overestimate, by 2–6× on networks) the bits of χ's largest coefficient."""
    numerators, _ = m.numer_denom()
    n = m.nrows()
    largest = max(int(abs(v)).bit_length() for v in numerators.entries())
    return n * (largest + n.bit_length())


def _check_digits(poly: fmpz_poly, what: str) -> None:
    """InputError if a coefficient of `poly` has more than MAX_EXACT_DIGITS digits."""
    if any(abs(int(c)) >= _DIGITS_BOUND for c in poly.coeffs()):
        raise InputError(
            f"--exact: {what} has a coefficient of more than {MAX_EXACT_DIGITS} digits; the "
            f"limit is {MAX_EXACT_DIGITS} (longer integers cannot be printed or parsed)"
        )


@dataclass(frozen=True)
class AlgebraicNumber:
    """A real algebraic number: its minimal polynomial over ℤ (primitive, leading coefficient
    > 0), an isolating interval [lo, hi] with rational ends (the only root of the polynomial
    in it; lo = hi when the number is rational) and a closed form SymPy parses."""

    minimal_polynomial: tuple[int, ...]  # coefficients, constant term first
    interval: tuple[Fraction, Fraction]
    closed_form: str

    @property
    def degree(self) -> int:
        return len(self.minimal_polynomial) - 1

    def polynomial_text(self, variable: str = "x") -> str:
        """The minimal polynomial as SymPy text, e.g. "x**2 - 5*x + 5"."""
        return str(_expression(self.minimal_polynomial, sympy.Symbol(variable)))

    def refined(self, digits: int) -> tuple[Fraction, Fraction]:
        """An isolating interval of width ≤ 10^−digits · max(1, |lo|), by exact bisection."""
        lo, hi = self.interval
        poly = fmpz_poly(list(self.minimal_polynomial))
        width = Fraction(1, 10**digits) * max(1, abs(lo))
        sign_lo = _sign(poly, lo)
        if sign_lo == 0 or _sign(poly, hi) == 0:
            return (lo, lo) if sign_lo == 0 else (hi, hi)
        while hi - lo > width:
            mid = (lo + hi) / 2
            sign_mid = _sign(poly, mid)
            if sign_mid == 0:
                return mid, mid
            lo, hi = (mid, hi) if sign_mid == sign_lo else (lo, mid)
        return lo, hi


def _expression(coefficients: tuple[int, ...], x: sympy.Symbol) -> sympy.Expr:
    return sum((c * x**i for i, c in enumerate(coefficients)), sympy.Integer(0))


def _sign(poly: fmpz_poly, point: Fraction) -> int:
    value = poly(fmpq(point.numerator, point.denominator))
    return (value > 0) - (value < 0)


def _fraction(x: arb) -> Fraction:
    """An exact arb (a dyadic point) as a Fraction."""
    man, exp = x.man_exp()
    return Fraction(int(man)) * Fraction(2) ** int(exp)


def _closed_form(poly: fmpz_poly, real_roots: int) -> str:
    """The largest real root of the irreducible `poly` (real_roots real roots) as SymPy text:
    a rational, a quadratic surd (−b + √(b² − 4ac))/(2a) while b² − 4ac has at most
    MAX_SURD_DIGITS digits, else CRootOf(poly, k) with k the index of the top real root among
    the real ones in ascending order (SymPy's convention). A cubic or quartic with only real
    roots has no radical form free of √−1 (casus irreducibilis), so degree ≥ 3 is CRootOf."""
    c = [int(v) for v in poly.coeffs()]
    if len(c) == 2:
        return str(sympy.Rational(-c[0], c[1]))
    discriminant = c[1] ** 2 - 4 * c[2] * c[0] if len(c) == 3 else 0
    if 0 < discriminant < 10**MAX_SURD_DIGITS:  # SymPy's √ factors it: fast at this size
        root = (-c[1] + sympy.sqrt(discriminant)) / (2 * c[2])
        return str(sympy.factor_terms(sympy.radsimp(root)))
    return f"CRootOf({_expression(tuple(c), sympy.Symbol('x'))}, {real_roots - 1})"


def largest_real_root(chi: fmpz_poly) -> AlgebraicNumber:
    """The largest real root of a nonzero integer polynomial with at least one real root."""
    _, factors = chi.factor()
    irreducible = [f for f, _ in factors]  # primitive, leading coefficient > 0 (FLINT)
    squarefree = reduce(mul, irreducible, fmpz_poly([1]))
    real = [z.real for z, _ in squarefree.complex_roots() if z.imag.is_zero()]
    if not real:
        raise ValueError(f"{chi} has no real root")
    top = max(real, key=lambda r: r.mid())  # the enclosures are disjoint: isolating
    lo, hi = _fraction(top.lower()), _fraction(top.upper())
    # The one factor with a root in [lo, hi] changes sign there (a simple root) or vanishes
    # at an end; no other factor vanishes on the interval.
    owners = [f for f in irreducible if _sign(f, lo) * _sign(f, hi) <= 0]
    if len(owners) != 1:  # certified isolation makes this impossible
        raise ArithmeticError(f"the enclosure [{lo}, {hi}] does not isolate a root of {chi}")
    poly = owners[0]
    _check_digits(poly, "the minimal polynomial")
    if poly.degree() == 1:  # rational: the point itself
        lo = hi = Fraction(-int(poly.coeffs()[0]), int(poly.coeffs()[1]))
    count = sum(1 for z, _ in poly.complex_roots() if z.imag.is_zero())
    return AlgebraicNumber(
        tuple(int(v) for v in poly.coeffs()), (lo, hi), _closed_form(poly, count)
    )


def characteristic_polynomial(m: fmpq_mat) -> fmpz_poly:
    """χ(x) = det(x I − m), scaled to a primitive integer polynomial (same roots)."""
    chi = m.charpoly()
    numerator = chi.numer()
    content = math.gcd(*(int(v) for v in numerator.coeffs()))
    return fmpz_poly([int(v) // content for v in numerator.coeffs()])


def exact_sharpness(case: LinearNetwork) -> AlgebraicNumber:
    """λ_max exactly: the largest real root of χ(x) = det(x I − M'), M' = `curvature_matrix`.

    InputError, naming the limit, past MAX_EXACT_SIDE or MAX_EXACT_BITS (before χ is
    computed) or MAX_EXACT_DIGITS (χ's or the minimal polynomial's coefficients)."""
    check_exact_size(case)
    m = curvature_matrix(case)
    n, bits = m.nrows(), coefficient_bits(m)
    if bits > MAX_EXACT_BITS:
        raise InputError(
            f"--exact: the {n}×{n} curvature matrix's characteristic polynomial would have "
            f"coefficients of about {bits:,} bits (n·(entry bits + log2 n)); the limit is "
            f"{MAX_EXACT_BITS:,} (exact factoring grows too slow)"
        )
    chi = characteristic_polynomial(m)
    _check_digits(chi, "the characteristic polynomial")
    return largest_real_root(chi)
