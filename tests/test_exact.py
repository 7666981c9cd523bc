"""The exact tier of `flatminima sharpness` (verify/linear/exact.py): λ_max as an algebraic
number, checked against values derived by hand, against SymPy's own Hessian and against the
50-digit mpmath value of verify/linear/sharpness.py."""

import json
import random
from fractions import Fraction
from pathlib import Path

import pytest
import sympy

from verify.cli import main
from verify.closed_form import MAX_SURD_DIGITS
from verify.linear import exact as ex
from verify.linear.inputs import InputError, load_network
from verify.linear.network import LinearNetwork, identity_rows, inverse, rows_product, transpose
from verify.linear.sharpness import measure
from verify.precision import workcontext

EXAMPLES = Path(__file__).parents[1] / "examples" / "networks"
DPS = 50
ONE, ZERO = Fraction(1), Fraction(0)


def rows(*matrix) -> tuple:
    return tuple(tuple(Fraction(x) for x in row) for row in matrix)


def mpmath_lambda(case: LinearNetwork):
    """λ_max at 50 digits by the mpmath route (eigsy of M with S = Σx^{1/2}, or of H)."""
    ctx = workcontext(DPS)
    return ctx, measure(case, ctx)["lambda_max"]


def assert_encloses(root: ex.AlgebraicNumber, case: LinearNetwork) -> None:
    """The 50-digit λ_max lies in the isolating interval, and agrees with it refined to 45
    digits (the interval's ends as exact rationals)."""
    ctx, lam = mpmath_lambda(case)
    lo, hi = root.interval
    slack = ctx.mpf(10) ** (-(DPS - 3)) * max(1, abs(lam))  # the 50-digit value's rounding
    assert ctx.mpf(lo.numerator) / lo.denominator - slack <= lam
    assert lam <= ctx.mpf(hi.numerator) / hi.denominator + slack
    lo, hi = root.refined(45)
    assert hi - lo <= Fraction(1, 10**45) * max(1, abs(lo))
    mid = ctx.mpf((lo + hi).numerator) / (lo + hi).denominator / 2
    assert abs(mid - lam) <= ctx.mpf(10) ** -44 * max(1, abs(lam))


@pytest.mark.parametrize(
    ("name", "value"),
    # docs/claims/linear.md, Reference values: the H4 scalar examples 48 (2, 2, 2) and 84
    # (1, 2, 4: t² Σ 1/w_i² = 64 · 21/16), the unbalanced 8 (‖W1‖² + ‖W2‖² = 4 + 4, H2) and
    # Marion et al.'s non-whitened example, 6.
    [
        ("scalar_48.json", 48),
        ("scalar_84.json", 84),
        ("unbalanced_8.json", 8),
        ("marion_non_whitened.json", 6),
    ],
)
def test_the_examples_are_exact_integers(name, value):
    case = load_network(EXAMPLES / name)
    root = ex.exact_sharpness(case)
    assert root.closed_form == str(value)
    assert root.minimal_polynomial == (-value, 1)
    assert root.interval == (value, value)
    assert_encloses(root, case)


def test_an_irrational_sharpness_is_a_quadratic_surd():
    # Whitened depth two, W1 = [[1, 1], [0, 1]], W2 = (1, 0): P = (1, 1) = T. H2 gives
    # λ_max = ‖W1‖₂² + ‖W2‖₂² = λ_max([[1, 1], [1, 2]]) + 1 = (3 + √5)/2 + 1 = (5 + √5)/2,
    # a root of (2x − 5)² = 5, i.e. x² − 5x + 5.
    case = LinearNetwork((rows([1, 1], [0, 1]), rows([1, 0])))
    root = ex.exact_sharpness(case)
    assert sympy.simplify(sympy.sympify(root.closed_form) - (5 + sympy.sqrt(5)) / 2) == 0
    assert "sqrt(5)" in root.closed_form
    assert root.minimal_polynomial == (5, -5, 1)
    assert root.polynomial_text() == "x**2 - 5*x + 5"
    assert_encloses(root, case)


def test_a_quadratic_with_a_huge_discriminant_is_a_crootof():
    # As above with W1 = [[p, 1], [0, 3/7]], p = 1 + 1/(10^150 + 1): M = 1 + W1ᵀW1 has a
    # quadratic minimal polynomial whose discriminant has over MAX_SURD_DIGITS digits, so the
    # closed form is the larger of its two real roots, CRootOf(…, 1), not a slow √.
    p = 1 + Fraction(1, 10**150 + 1)
    case = LinearNetwork((rows([p, 1], [0, "3/7"]), rows([1, 0])))
    root = ex.exact_sharpness(case)
    assert (
        root.degree == 2
        and root.closed_form.startswith("CRootOf(")
        and root.closed_form.endswith(", 1)")
    )
    c, b, a = root.minimal_polynomial
    assert b * b - 4 * a * c >= 10**MAX_SURD_DIGITS
    ctx, lam = mpmath_lambda(case)
    assert abs(ctx.mpf(str(sympy.N(sympy.sympify(root.closed_form), 60))) - lam) < 1e-45 * lam
    assert_encloses(root, case)


def test_a_quintic_sharpness_is_a_crootof():
    # W1 = A = I + (upper shift), 5×5, W2 = e1ᵀ: M = I ⊗ (W2 W2ᵀ) + (AᵀA) ⊗ 1 = I + AᵀA. AᵀA is
    # tridiagonal (diagonal 1, 2, 2, 2, 2; off-diagonal 1) with eigenvalues 2 + 2 cos(2kπ/11),
    # k = 1..5, so λ_max = 3 + 2 cos(2π/11): degree φ(11)/2 = 5, no real radical form.
    a = rows(*[[int(j in (i, i + 1)) for j in range(5)] for i in range(5)])
    case = LinearNetwork((a, rows([1, 0, 0, 0, 0])))
    root = ex.exact_sharpness(case)
    assert root.closed_form.startswith("CRootOf(x**5 ")
    parsed = sympy.sympify(root.closed_form)
    assert isinstance(parsed, sympy.CRootOf) and parsed.is_real
    assert root.degree == 5
    expected = sympy.N(3 + 2 * sympy.cos(2 * sympy.pi / 11), 60)
    assert abs(sympy.N(parsed, 60) - expected) < sympy.Float(10) ** -55
    x = sympy.Symbol("x")
    minimal = sympy.Poly(sympy.sympify(root.polynomial_text()), x)
    assert minimal.is_irreducible and minimal.degree() == 5
    assert_encloses(root, case)


def _cayley(upper: tuple[Fraction, Fraction, Fraction]) -> tuple:
    """(I − S)(I + S)⁻¹ for the 3×3 skew S with upper triangle `upper`: rational orthogonal."""
    a, b, c = upper
    s = ((0, a, b), (-a, 0, c), (-b, -c, 0))
    eye = identity_rows(3)
    minus = tuple(tuple(eye[i][j] - s[i][j] for j in range(3)) for i in range(3))
    plus = tuple(tuple(eye[i][j] + s[i][j] for j in range(3)) for i in range(3))
    return rows_product(minus, inverse(plus))


BALANCED_D = rows([1, 0, 0], [0, "3/2", 0], [0, 0, 2])
GAUGES = [
    _cayley((Fraction(1, 2), Fraction(1, 3), Fraction(1, 5))),
    _cayley((Fraction(2, 3), ZERO, Fraction(1, 4))),
    _cayley((Fraction(1, 7), Fraction(3, 2), Fraction(1, 2))),
    _cayley((ONE, Fraction(1, 3), Fraction(2, 5))),
]
BALANCED = LinearNetwork(
    tuple(
        rows_product(rows_product(GAUGES[k + 1], BALANCED_D), transpose(GAUGES[k]))
        for k in range(3)
    )
)


def test_a_balanced_depth_three_width_three_minimum():
    # W_k = Q_k D Q_{k−1}ᵀ, Q_k rational orthogonal, D = diag(1, 3/2, 2): balanced, whitened,
    # so flattest (F1): λ_max = N σ1^{2−2/N} with σ1 = ‖P‖₂ = 2³, = 3 · 8^{4/3} = 48.
    w = BALANCED.weights
    assert all(
        rows_product(transpose(w[k + 1]), w[k + 1]) == rows_product(w[k], transpose(w[k]))
        for k in range(2)
    )
    root = ex.exact_sharpness(BALANCED)
    assert root.closed_form == "48" and root.interval == (48, 48)
    assert_encloses(root, BALANCED)


def test_away_from_a_minimum_the_full_hessian_against_sympy():
    # W1 = (1 2), W2 = (1 3)ᵀ, T = I: P ≠ T. SymPy differentiates L = ½‖W2 W1 − T‖_F² itself
    # (no code of verify/), and λ_max is the largest real root of det(x I − H).
    case = LinearNetwork((rows([1, 2]), rows([1], [3])), target=rows([1, 0], [0, 1]))
    a, b, c, d = sympy.symbols("a b c d")
    residual = sympy.Matrix([[c], [d]]) * sympy.Matrix([[a, b]]) - sympy.eye(2)
    loss = sum(e**2 for e in residual) / 2
    h = sympy.hessian(loss, (a, b, c, d)).subs({a: 1, b: 2, c: 1, d: 3})
    x = sympy.Symbol("x")
    chi = h.charpoly(x).as_expr()
    top = max(sympy.real_roots(chi))
    root = ex.exact_sharpness(case)
    assert sympy.simplify(sympy.sympify(root.closed_form) - top) == 0
    assert sympy.rem(chi, sympy.sympify(root.polynomial_text()), x) == 0
    assert str(sympy.N(top, 20)).startswith("20.889296197725490146")  # tests/test_cli.py
    assert_encloses(root, case)


def test_non_whitened_matches_the_square_root_route():
    # The mpmath route builds M with S = Σx^{1/2} (an eigen-decomposition); the exact one uses
    # the similar rational M' = Σ (A_kᵀA_k Σx) ⊗ (B_k B_kᵀ). Σx = [[2, 1], [1, 3]], not
    # diagonal, so S is irrational.
    case = LinearNetwork((rows([1, 2], [0, 1]), rows([1, -1])), sigma_x=rows([2, 1], [1, 3]))
    root = ex.exact_sharpness(case)
    assert root.degree >= 2
    assert_encloses(root, case)


def _random_rows(rng: random.Random, r: int, c: int) -> tuple:
    return tuple(
        tuple(Fraction(rng.randint(-4, 4), rng.randint(1, 4)) for _ in range(c)) for _ in range(r)
    )


def _random_case(rng: random.Random, minimum: bool, whitened: bool) -> LinearNetwork:
    widths = [rng.randint(1, 3) for _ in range(rng.randint(3, 4))]
    weights = tuple(_random_rows(rng, widths[k + 1], widths[k]) for k in range(len(widths) - 1))
    sigma = None
    if not whitened:  # L Lᵀ + I: symmetric positive definite
        low = _random_rows(rng, widths[0], widths[0])
        sigma = tuple(
            tuple(
                sum(low[i][m] * low[j][m] for m in range(widths[0])) + (i == j)
                for j in range(widths[0])
            )
            for i in range(widths[0])
        )
    target = None if minimum else _random_rows(rng, widths[-1], widths[0])
    return LinearNetwork(weights, sigma, target)


@pytest.mark.parametrize("minimum", [True, False])
@pytest.mark.parametrize("whitened", [True, False])
def test_random_rational_networks_agree_with_mpmath(minimum, whitened):
    rng = random.Random(16 + 2 * minimum + whitened)
    for _ in range(4):
        case = _random_case(rng, minimum, whitened)
        assert case.at_global_minimum() == minimum
        assert_encloses(ex.exact_sharpness(case), case)


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_cli_exact_json_adds_the_algebraic_fields(capsys, tmp_path):
    path = tmp_path / "net.json"
    path.write_text('{"weights": [[[1, 1], [0, 1]], [[1, 0]]]}')
    status, out, _ = run(capsys, "sharpness", str(path), "--exact", "--json")
    assert status == 0
    result = json.loads(out)
    assert sympy.simplify(sympy.sympify(result["lambda_max_exact"]) - (5 + sympy.sqrt(5)) / 2) == 0
    assert result["lambda_max_minimal_polynomial"] == "x**2 - 5*x + 5"
    lo, hi = (Fraction(end) for end in result["lambda_max_interval"])
    assert lo < Fraction(result["lambda_max"]) < hi  # the 50-digit decimal, read exactly
    assert result["lambda_max"].startswith("3.61803398874989484820458683436563811772")
    status, out, _ = run(capsys, "sharpness", str(path), "--json")
    plain = json.loads(out)
    assert "lambda_max_exact" not in plain
    assert plain == {k: v for k, v in result.items() if not k.startswith("lambda_max_")}


def test_cli_exact_table_shows_the_exact_value(capsys):
    status, out, _ = run(capsys, "sharpness", str(EXAMPLES / "scalar_84.json"), "--exact")
    assert status == 0
    line = next(row for row in out.splitlines() if "lambda_max_exact" in row)
    assert line.split("│")[2].strip() == "84"
    assert "x - 84" in out


def _too_many_bits(tmp_path) -> Path:
    # d0 = 5, dN = 8 (M is 40×40) with entries of 1000-digit denominators: χ's coefficients
    # would have ~40 · 6,600 bits, far past MAX_EXACT_BITS.
    big = 10**1000 + 7
    w1 = [[f"{i + j + 1}/{big}" for j in range(5)] for i in range(6)]
    w2 = [[f"{i * j + 1}/{big + 2}" for j in range(6)] for i in range(8)]
    path = tmp_path / "net.json"
    path.write_text(json.dumps({"weights": [w1, w2]}))
    return path


def test_cli_exact_refuses_too_many_bits_in_one_line(capsys, tmp_path):
    status, out, err = run(capsys, "sharpness", str(_too_many_bits(tmp_path)), "--exact")
    assert status == 2 and out == ""
    assert err.startswith("flatminima: error: --exact: the 40×40 curvature matrix")
    assert f"the limit is {ex.MAX_EXACT_BITS:,}" in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_cli_exact_refuses_unprintable_coefficients(capsys, tmp_path):
    # Scalar, depth two, W1 = (1/q), q = 10^2500 + 1, W2 = (1): M = W1² + W2² = (1 + q²)/q², so
    # χ = q² x − (1 + q²) has coefficients of 5,001 digits (the entry itself is allowed).
    path = tmp_path / "net.json"
    path.write_text(json.dumps({"weights": [[[f"1/{10**2500 + 1}"]], [[1]]]}))
    status, _, err = run(capsys, "sharpness", str(path), "--exact", "--json")
    assert status == 2
    assert f"more than {ex.MAX_EXACT_DIGITS} digits" in err and "characteristic" in err
    assert err.count("\n") == 1


def test_the_side_limit_is_checked_before_any_work():
    # 7 × 7 × 1 layers, P ≠ T: the full Hessian is 56×56 > 40×40.
    case = LinearNetwork((rows(*[[1] * 7] * 7), rows([1] * 7)), target=rows([0] * 7))
    with pytest.raises(InputError, match=r"56×56 matrix; the limit is 40×40"):
        ex.exact_sharpness(case)
