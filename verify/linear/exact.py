"""The exact tier of `flatminima sharpness`: λ_max of a rational linear network as an
algebraic number (python-flint).

The matrix whose largest eigenvalue is λ_max is built over ℚ by the same formulas as at
working precision (`verify.linear.flintnet.curvature_matrix`: M' at a global minimum, else the
full Hessian). Then λ_max is the largest real root of the characteristic polynomial χ
(`verify.algebraic`: χ factored over ℤ, its real roots isolated with certified enclosures, the
top one given to the factor that changes sign on its enclosure's rational ends).
"""

from __future__ import annotations

from flint import fmpq_mat, fmpz_poly

from verify.algebraic import AlgebraicNumber, characteristic_polynomial, largest_real_root
from verify.linear.flintnet import FlintMatrix, FlintRing, gram, net_over
from verify.linear.flintnet import curvature_matrix as flint_curvature_matrix
from verify.linear.inputs import MAX_DENSE, InputError
from verify.linear.network import LinearNetwork, Net

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


RATIONALS = FlintRing(fmpq_mat)


def curvature_matrix(case: LinearNetwork) -> fmpq_mat:
    """`flintnet.curvature_matrix` over ℚ: M' at a global minimum, else the full Hessian."""
    return flint_curvature_matrix(RATIONALS, case)


def exact_net(case: LinearNetwork) -> Net:
    """The network's matrices over ℚ, as a `Net` the curvature formulas accept."""
    return net_over(RATIONALS, case)


def top_eigenvalue(m: fmpq_mat) -> AlgebraicNumber:
    """The largest eigenvalue of a rational matrix with real spectrum, exactly."""
    return largest_real_root(characteristic_polynomial(m))


def norm_squared(w: FlintMatrix) -> AlgebraicNumber:
    """‖W‖₂² exactly: the largest eigenvalue of the smaller of W Wᵀ and WᵀW."""
    return top_eigenvalue(gram(w))


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
    root = largest_real_root(chi)
    _check_digits(root.poly, "the minimal polynomial")
    return root
