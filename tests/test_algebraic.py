"""Exact real algebraic numbers (verify/algebraic.py) and their SymPy text
(verify/closed_form.py), against SymPy and against roots known by construction."""

from fractions import Fraction as F
from itertools import pairwise
from math import gcd

import pytest
import sympy
from flint import fmpq, fmpq_mat, fmpz_poly
from hypothesis import given, settings
from hypothesis import strategies as st

from verify import algebraic as alg
from verify.algebraic import (
    AlgebraicNumber,
    TooComplex,
    add,
    compare,
    largest_real_root,
    multiply,
    power,
    rational,
    real_roots,
)

X = sympy.Symbol("x")
CUBIC = (1, -3, 0, 1)  # x³ − 3x + 1: irreducible, three real roots 2 cos(2πk/9)


def primitive(coefficients) -> tuple[int, ...]:
    """Integer coefficients (constant first) divided by their content, leading term > 0."""
    coefficients = [int(c) for c in coefficients]
    while coefficients and coefficients[-1] == 0:
        coefficients.pop()
    content = gcd(*coefficients) * (1 if coefficients[-1] > 0 else -1)
    return tuple(c // content for c in coefficients)


def poly(coefficients) -> fmpz_poly:
    return fmpz_poly(list(coefficients))


def inside(value: sympy.Expr, interval: tuple[F, F]) -> bool:
    """lo ≤ value ≤ hi, decided by SymPy (exact for these algebraic numbers)."""
    lo, hi = (sympy.Rational(end.numerator, end.denominator) for end in interval)
    return bool(lo <= value) and bool(value <= hi)


def from_sympy(expr: sympy.Expr) -> AlgebraicNumber:
    """The algebraic number SymPy's `expr` denotes, built without add/multiply/power: the one
    real root of its minimal polynomial (SymPy's) whose isolating interval holds it."""
    minimal = sympy.Poly(sympy.minimal_polynomial(expr, X), X)
    coefficients = primitive(reversed(minimal.all_coeffs()))
    candidates = [r for r in real_roots(poly(coefficients)) if inside(expr, r.interval)]
    assert len(candidates) == 1
    assert candidates[0].minimal_polynomial == coefficients
    return candidates[0]


def signed_sqrt(p: int, sign: int) -> AlgebraicNumber:
    """±√p as the smaller or larger real root of x² − p."""
    roots = real_roots(poly((-p, 0, 1)))
    assert len(roots) == 2
    return roots[-1] if sign > 0 else roots[0]


def assert_isolating(r: AlgebraicNumber) -> None:
    """r's interval holds exactly one root of its minimal polynomial, which is primitive,
    irreducible, with a positive leading coefficient, and changes sign (or vanishes) there."""
    lo, hi = r.interval
    assert lo <= hi
    p = sympy.Poly(list(reversed(r.minimal_polynomial)), X)
    assert r.minimal_polynomial == primitive(r.minimal_polynomial)
    assert p.is_irreducible
    if r.degree == 1:
        assert lo == hi == F(-r.minimal_polynomial[0], r.minimal_polynomial[1])
    else:
        assert alg.sign(r.poly, lo) * alg.sign(r.poly, hi) == -1
    assert p.count_roots(sympy.Rational(lo), sympy.Rational(hi)) == 1


# Polynomials as products of factors with known roots ---------------------------------------


def _linear():
    """a x − b: root b/a."""
    return st.tuples(st.integers(1, 4), st.integers(-6, 6)).map(lambda t: ("linear", t))


def _quadratic():
    """a x² + b x + c (any discriminant: two, one or no real roots, rational or not)."""
    return st.tuples(st.integers(1, 3), st.integers(-6, 6), st.integers(-6, 6)).map(
        lambda t: ("quadratic", t)
    )


def factors():
    """Up to four factors (repeats allowed), now and then the cubic x³ − 3x + 1."""
    factor = st.one_of(_linear(), _quadratic(), st.just(("cubic", CUBIC)))
    return st.lists(st.tuples(factor, st.integers(1, 2)), min_size=1, max_size=4)


def _expected_roots(factor) -> list[tuple[sympy.Expr, tuple[int, ...]]]:
    """(value, minimal polynomial) of the factor's real roots."""
    kind, t = factor
    if kind == "linear":
        a, b = t
        return [(sympy.Rational(b, a), primitive((-b, a)))]
    if kind == "cubic":
        return [(sympy.CRootOf(sympy.Poly(list(reversed(t)), X), k), t) for k in range(3)]
    a, b, c = t
    disc = b * b - 4 * a * c
    if disc < 0:
        return []
    root = sympy.sqrt(disc)
    values = {(-b + root) / (2 * a), (-b - root) / (2 * a)}
    out = []
    for value in values:
        if value.is_rational:
            q = sympy.Rational(value)
            out.append((q, primitive((-q.p, q.q))))
        else:
            out.append((value, primitive((c, b, a))))
    return out


def _product(chosen) -> fmpz_poly:
    out = fmpz_poly([1])
    for (kind, t), power_ in chosen:
        f = poly((-t[1], t[0])) if kind == "linear" else poly(t if kind == "cubic" else t[::-1])
        out *= f**power_
    return out


def _distinct_ascending(pairs):
    """Distinct (value, minimal polynomial) pairs by value, ascending (60-digit keys: distinct
    algebraic numbers of this height differ by far more)."""
    by_key = {}
    for value, minimal in pairs:
        by_key.setdefault(str(sympy.N(value, 60))[:45], (value, minimal))
    return sorted(by_key.values(), key=lambda pair: sympy.N(pair[0], 60))


@settings(max_examples=40, deadline=None)
@given(factors())
def test_real_roots_are_the_constructed_roots_ascending_and_isolated(chosen):
    p = _product(chosen)
    expected = _distinct_ascending(r for factor, _ in chosen for r in _expected_roots(factor))
    roots = real_roots(p)
    assert len(roots) == len(expected)
    assert len(roots) == len(set(sympy.real_roots(sympy.Poly(p.coeffs()[::-1], X))))
    for root, (value, minimal) in zip(roots, expected, strict=True):
        assert root.minimal_polynomial == minimal
        assert inside(value, root.interval)
        assert_isolating(root)
    for left, right in pairwise(roots):
        assert left.interval[1] < right.interval[0]  # ascending, disjoint
        assert compare(left, right) == -1
    if roots:
        assert largest_real_root(p) == roots[-1]


def test_real_roots_of_constants_and_rootless_polynomials():
    assert real_roots(poly((5,))) == []
    assert real_roots(poly((1, 0, 1)) * poly((3, 1, 1))) == []
    with pytest.raises(ValueError, match="no real root"):
        largest_real_root(poly((2, 0, 1)))
    # (2x − 1)³ x² (x² − 2): repeated factors are one root each; 0 and 1/2 exactly.
    roots = real_roots(poly((-1, 2)) ** 3 * poly((0, 1)) ** 2 * poly((-2, 0, 1)))
    assert [r.minimal_polynomial for r in roots] == [(-2, 0, 1), (0, 1), (-1, 2), (-2, 0, 1)]
    assert roots[1].interval == (0, 0) and roots[2].interval == (F(1, 2), F(1, 2))
    # Real roots of every factor, whatever its nonreal roots: (x² + 1)(x³ − 2)(x − 3).
    mixed = real_roots(poly((1, 0, 1)) * poly((-2, 0, 0, 1)) * poly((-3, 1)))
    assert [r.minimal_polynomial for r in mixed] == [(-2, 0, 0, 1), (-3, 1)]


def test_eigenvalues_of_a_rational_matrix():
    # [[2, 1], [1, 3]] ⊕ (1/2): (5 ± √5)/2 and 1/2, ascending.
    m = fmpq_mat([[2, 1, 0], [1, 3, 0], [0, 0, fmpq(1, 2)]])
    values = alg.eigenvalues(m)
    expected = [sympy.Rational(1, 2), (5 - sympy.sqrt(5)) / 2, (5 + sympy.sqrt(5)) / 2]
    assert len(values) == 3
    for value, exact in zip(values, expected, strict=True):
        assert compare(value, from_sympy(exact)) == 0


def test_rational():
    assert rational(F(-3, 4)) == AlgebraicNumber((3, 4), (F(-3, 4), F(-3, 4)))
    assert rational(0) == AlgebraicNumber((0, 1), (0, 0))
    assert rational(7).closed_form == "7"
    assert rational(F(-3, 4)).closed_form == "-3/4"
    assert compare(rational(F(1, 3)), rational(F(2, 6))) == 0
    assert compare(rational(F(1, 3)), rational(F(1, 3) + F(1, 10**40))) == -1


# Arithmetic against SymPy -------------------------------------------------------------------

signs = st.sampled_from((1, -1))


def _assert_exactly(result: AlgebraicNumber, expr: sympy.Expr, k: int) -> None:
    """result = expr (built independently), and result ≠ expr ± 10^−k."""
    expected = from_sympy(expr)
    assert compare(result, expected) == 0
    assert compare(expected, result) == 0
    assert result.minimal_polynomial == expected.minimal_polynomial
    assert inside(expr, result.interval)
    eps = rational(F(1, 10**k))
    assert compare(result, add(expected, eps)) == -1
    assert compare(add(expected, eps), result) == 1
    assert compare(result, add(expected, rational(-F(1, 10**k)))) == 1


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 30), signs, st.integers(1, 30), signs, st.integers(5, 40))
def test_sum_of_square_roots_matches_sympy(p, sp, q, sq, k):
    result = add(signed_sqrt(p, sp), signed_sqrt(q, sq))
    _assert_exactly(result, sp * sympy.sqrt(p) + sq * sympy.sqrt(q), k)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 30), signs, st.integers(1, 30), signs, st.integers(5, 40))
def test_product_of_square_roots_matches_sympy(p, sp, q, sq, k):
    a, b = signed_sqrt(p, sp), signed_sqrt(q, sq)
    result = multiply(a, b)
    _assert_exactly(result, sp * sympy.sqrt(p) * sq * sympy.sqrt(q), k)
    # √p √q = ±√(pq), a root of x² − pq built directly.
    assert compare(result, signed_sqrt(p * q, sp * sq)) == 0
    assert compare(multiply(b, a), result) == 0


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 30), signs, st.integers(0, 7), st.integers(5, 30))
def test_powers_of_square_roots_match_sympy(p, sign, k, digits):
    result = power(signed_sqrt(p, sign), k)
    _assert_exactly(result, (sign * sympy.sqrt(p)) ** k, digits)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2), st.integers(1, 5))
def test_powers_of_a_cubic_root_agree_with_repeated_products(index, k):
    # χ(C^k) against the chain of χ(C_a ⊗ C_b) products, and against SymPy's value.
    r = real_roots(poly(CUBIC))[index]
    chained = r
    for _ in range(k - 1):
        chained = multiply(chained, r)
    result = power(r, k)
    assert compare(result, chained) == 0
    value = sympy.CRootOf(sympy.Poly(list(reversed(CUBIC)), X), index) ** k
    lo, hi = result.refined(40)
    assert sympy.Rational(lo) - sympy.Rational(1, 10**38) <= sympy.N(value, 60)
    assert sympy.N(value, 60) <= sympy.Rational(hi) + sympy.Rational(1, 10**38)


def test_equal_numbers_built_differently_compare_equal():
    s2, s8, s5 = signed_sqrt(2, 1), signed_sqrt(8, 1), signed_sqrt(5, 1)
    four = multiply(s2, s8)
    assert four == rational(4) and compare(four, rational(4)) == 0
    phi = multiply(add(rational(1), s5), rational(F(1, 2)))
    assert phi.minimal_polynomial == (-1, -1, 1)
    assert compare(power(phi, 2), add(phi, rational(1))) == 0
    assert compare(phi, largest_real_root(poly((-1, -1, 1)))) == 0
    assert compare(add(s2, s2), s8) == 0
    assert compare(power(s2, 3), multiply(s2, rational(2))) == 0
    assert compare(power(s2, 2), power(s2, 3)) == -1


def test_negative_numbers_and_zero():
    s2, minus_s2 = signed_sqrt(2, 1), signed_sqrt(2, -1)
    zero = add(s2, minus_s2)
    assert zero == rational(0)
    assert multiply(minus_s2, rational(0)) == rational(0)
    assert multiply(s2, minus_s2) == rational(-2)
    assert power(minus_s2, 2) == rational(2)
    assert power(minus_s2, 0) == rational(1) == power(s2, 0)
    cube = power(minus_s2, 3)  # −2√2
    assert cube.minimal_polynomial == (-8, 0, 1) and cube.interval[1] < 0
    assert compare(cube, multiply(rational(-2), s2)) == 0
    assert compare(minus_s2, rational(0)) == -1 and compare(rational(0), minus_s2) == 1
    assert compare(minus_s2, rational(F(-1414213562373095, 10**15))) == -1
    assert compare(minus_s2, rational(F(-1414213562373096, 10**15))) == 1
    assert add(rational(F(1, 3)), rational(F(-1, 3))) == rational(0)


def test_arithmetic_on_wide_isolating_intervals_picks_the_right_conjugate():
    # √2 in (1, 2) and −√3 in (−2, −1): any interval isolating one root is valid. The sum
    # √2 − √3 ≈ −0.32 has the conjugate √3 − √2 ≈ 0.32 (a root of x⁴ − 10x² + 1 too) in
    # [0, 1], inside the first enclosure [1 − 2, 2 − 1]: the enclosure must be the interval
    # sum, so that refining the operands leaves the true root alone.
    a = AlgebraicNumber((-2, 0, 1), (F(1), F(2)))
    b = AlgebraicNumber((-3, 0, 1), (F(-2), F(-1)))
    for total in (add(a, b), add(b, a)):
        assert total.minimal_polynomial == (1, 0, -10, 0, 1)
        assert inside(sympy.sqrt(2) - sympy.sqrt(3), total.interval)
        assert compare(total, from_sympy(sympy.sqrt(2) - sympy.sqrt(3))) == 0
    product = multiply(a, b)  # −√6, not √6
    assert compare(product, signed_sqrt(6, -1)) == 0
    assert compare(power(b, 3), multiply(rational(-3), signed_sqrt(3, 1))) == 0  # −3√3


def _sympy_numbers():
    """±√p · n/d + r: rationals (p a square), irrationals, negatives and zero."""
    return st.builds(
        lambda p, s, n, d, r: s * sympy.sqrt(p) * sympy.Rational(n, d) + sympy.Rational(r, 3),
        st.integers(0, 12),
        signs,
        st.integers(0, 3),
        st.integers(1, 3),
        st.integers(-6, 6),
    )


@settings(max_examples=50, deadline=None)
@given(_sympy_numbers(), _sympy_numbers())
def test_compare_is_antisymmetric_and_agrees_with_sympy(ea, eb):
    a, b = from_sympy(ea), from_sympy(eb)
    difference = sympy.minimal_polynomial(ea - eb, X)
    if difference == X:
        expected = 0
    else:
        value = sympy.N(ea - eb, 50)
        assert abs(value) > sympy.Float(10) ** -30  # small-height numbers are far apart
        expected = 1 if value > 0 else -1
    assert compare(a, b) == expected
    assert compare(b, a) == -expected
    assert compare(a, a) == 0
    if abs(sympy.N(ea - eb, 30)) > 1e-9:  # well separated: floats of the intervals agree
        assert (float(a.interval[0]) > float(b.interval[0])) == (expected > 0)


def test_too_complex_past_max_degree():
    def root(k: int, n: int) -> AlgebraicNumber:  # n^(1/k), degree k
        return largest_real_root(poly([-n] + [0] * (k - 1) + [1]))

    assert alg.MAX_DEGREE == 64
    with pytest.raises(TooComplex, match="degree 72 > 64"):
        add(root(8, 2), root(9, 3))
    with pytest.raises(TooComplex, match="degree 72 > 64"):
        multiply(root(9, 3), root(8, 2))
    # 8 · 8 = 64 is allowed: 2^(1/8) + 3^(1/8) has degree 64; 2^(1/8) · 3^(1/8) = 6^(1/8).
    total = add(root(8, 2), root(8, 3))
    assert total.degree == 64
    assert abs(float(total.interval[0]) - (2 ** (1 / 8) + 3 ** (1 / 8))) < 1e-12
    assert compare(multiply(root(8, 2), root(8, 3)), root(8, 6)) == 0
    assert power(root(9, 2), 8).degree == 9  # a power keeps the degree: no limit


# Refinement --------------------------------------------------------------------------------


def _roots_with_values():
    """(a real root, its SymPy value): of x² − p, a x² + b x + c or the cubic."""
    surd = st.builds(lambda p, s: (signed_sqrt(p, s), s * sympy.sqrt(p)), st.integers(2, 50), signs)
    cubic = st.integers(0, 2).map(
        lambda k: (
            real_roots(poly(CUBIC))[k],
            sympy.CRootOf(sympy.Poly(list(reversed(CUBIC)), X), k),
        )
    )
    return st.one_of(surd, cubic)


@settings(max_examples=40, deadline=None)
@given(_roots_with_values(), st.integers(1, 60))
def test_refined_narrowed_and_halved_isolate_the_same_root(pair, digits):
    r, value = pair
    lo, hi = r.refined(digits)
    assert hi - lo <= F(1, 10**digits) * max(1, abs(r.interval[0]))
    assert r.interval[0] <= lo <= hi <= r.interval[1]
    narrow = AlgebraicNumber(r.minimal_polynomial, (lo, hi))
    assert_isolating(narrow)
    assert compare(narrow, r) == 0
    assert lo <= sympy.N(value, digits + 20) <= hi
    width = F(1, 7**digits)
    nlo, nhi = r.narrowed(width)
    assert nhi - nlo <= width and inside(value, (nlo, nhi))
    half = r.halved()
    assert half.minimal_polynomial == r.minimal_polynomial
    assert half.interval[1] - half.interval[0] <= (r.interval[1] - r.interval[0]) / 2
    assert r.interval[0] <= half.interval[0] and half.interval[1] <= r.interval[1]
    assert inside(value, half.interval) and compare(half, r) == 0


def test_a_rational_is_its_own_refinement():
    q = rational(F(-7, 3))
    assert q.refined(50) == (F(-7, 3), F(-7, 3))
    assert q.halved() == q
    assert q.narrowed(F(0)) == (F(-7, 3), F(-7, 3))


# SymPy text --------------------------------------------------------------------------------


def _assert_round_trip(r: AlgebraicNumber) -> sympy.Expr:
    """closed_form parses to the same number: same minimal polynomial, inside the interval."""
    parsed = sympy.sympify(r.closed_form)
    minimal = sympy.Poly(sympy.minimal_polynomial(parsed, X), X)
    assert primitive(reversed(minimal.all_coeffs())) == r.minimal_polynomial
    assert inside(parsed, r.interval)
    return parsed


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 5), st.integers(-9, 9), st.integers(-9, 9))
def test_quadratic_surds_round_trip_through_sympy(a, b, c):
    roots = real_roots(poly((c, b, a)))
    for r in roots:
        parsed = _assert_round_trip(r)
        if r.degree == 2:
            assert "sqrt(" in r.closed_form and parsed.is_real
    assert len({r.closed_form for r in roots}) == len(roots)


def _cubics():
    """x³ − n x + m with three real roots (4n³ > 27m²), reducible or not."""
    return st.integers(2, 12).flatmap(
        lambda n: st.tuples(
            st.just(n), st.integers(-int((4 * n**3 / 27) ** 0.5), int((4 * n**3 / 27) ** 0.5))
        )
    )


@settings(max_examples=40, deadline=None)
@given(_cubics())
def test_crootof_picks_the_right_root_of_a_cubic(nm):
    n, m = nm
    p = poly((m, -n, 0, 1))
    roots = real_roots(p)
    for r in roots:
        parsed = _assert_round_trip(r)
        if r.degree == 3:
            same = [s for s in roots if s.minimal_polynomial == r.minimal_polynomial]
            assert len(same) == 3
            assert r.closed_form.startswith("CRootOf(x**3 ")
            # SymPy may rescale the root (x³ − 12x + 8 → 2·CRootOf(x³ − 3x + 1, k)): the
            # parsed text is SymPy's own k-th root of p, built the same way.
            kth = sympy.CRootOf(sympy.Poly(list(reversed(r.minimal_polynomial)), X), same.index(r))
            assert parsed == kth


def test_the_cubic_closed_forms():
    roots = real_roots(poly(CUBIC))
    assert [r.closed_form for r in roots] == [f"CRootOf(x**3 - 3*x + 1, {k})" for k in range(3)]
    assert largest_real_root(poly(CUBIC)).closed_form == "CRootOf(x**3 - 3*x + 1, 2)"
    assert signed_sqrt(5, -1).closed_form == "-sqrt(5)"
    assert signed_sqrt(5, 1).polynomial_text() == "x**2 - 5"


@settings(max_examples=30, deadline=None)
@given(st.one_of(st.just(CUBIC), st.just((-2, 0, 1)), st.just((5, -5, 1)), st.just((1, 1, -5, 1))))
def test_the_index_holds_for_an_interval_reaching_the_smaller_root(coefficients):
    # An isolating interval of r_k may start anywhere above r_{k−1}: here inside r_{k−1}'s own
    # enclosure from real_roots (a valid interval for r_k all the same). The closed form must
    # still name r_k (it was CRootOf(…, k − 1), or −√2 for √2, when the index came from the
    # intervals' ends).
    roots = real_roots(poly(coefficients))
    assert len(roots) == len(coefficients) - 1
    for k in range(1, len(roots)):
        _, start = roots[k - 1].refined(60)
        assert start < roots[k - 1].interval[1]
        wide = AlgebraicNumber(roots[k].minimal_polynomial, (start, roots[k].interval[1]))
        assert_isolating(wide)
        assert compare(wide, roots[k]) == 0 and compare(wide, roots[k - 1]) == 1
        assert wide.closed_form == roots[k].closed_form
        _assert_round_trip(wide)


def test_dyadic_keeps_the_sign_of_an_mpmath_number_and_of_an_arb():
    """mpmath's `man_exp` drops the sign with the gmpy backend; `dyadic` must not."""
    import mpmath
    from flint import arb as ball

    from verify.algebraic import dyadic

    assert dyadic(mpmath.mpf(-1.5)) == F(-3, 2)
    assert dyadic(mpmath.mpf("0.25")) == F(1, 4)
    assert dyadic(ball(-3) / 4) == F(-3, 4)
