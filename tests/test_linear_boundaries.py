"""Behaviours of verify/linear that the fast tests did not pin down: Σx's symmetry tolerance,
rational and boundary cases of the exact tier, polishing a point already on {P = T}, exact
fixed-point matrices, the initial weights of training cases and the non-whitened strategies."""

from fractions import Fraction

import numpy as np
import pytest
from flint import fmpz_poly
from hypothesis import find, settings

from verify.evidence import Degenerate
from verify.linear import exact as ex
from verify.linear import train
from verify.linear.curvature import spd_sqrt
from verify.linear.flattest import _dual64, flattest
from verify.linear.polish import polish
from verify.linear.resnet import _fixed
from verify.linear.runs import TrainingCase, _init
from verify.linear.strategies import global_minima
from verify.precision import workcontext


@pytest.mark.parametrize(("excess", "accepted"), [(9.5, True), (10.5, False)])
def test_spd_sqrt_tolerates_asymmetry_up_to_ten_roundings(excess, accepted):
    """Σx counts as symmetric while ‖Σ − Σᵀ‖₁ ≤ 10 ε ‖Σ‖₁ (rounding's scale), not beyond."""
    ctx = workcontext(30)
    s = ctx.matrix([[2, 0], [0, 2]])
    s[1, 0] = excess * ctx.eps * 2  # ‖Σ‖₁ = 2 (+ a rounding), ‖Σ − Σᵀ‖₁ = this entry
    if accepted:
        root = spd_sqrt(ctx, s)
        assert ctx.almosteq(root[0, 0], ctx.sqrt(2))
    else:
        with pytest.raises(Degenerate, match="not symmetric"):
            spd_sqrt(ctx, s)


def test_a_rational_lambda_max_with_a_non_monic_minimal_polynomial_is_that_fraction():
    root = ex.largest_real_root(fmpz_poly([-2, 3]) * fmpz_poly([-1, 0, 1]))  # (3x − 2)(x² − 1)
    assert root.minimal_polynomial == (-1, 1)  # the top root is 1
    root = ex.largest_real_root(fmpz_poly([-2, 3]) * fmpz_poly([1, 0, 1]))  # (3x − 2)(x² + 1)
    assert (root.minimal_polynomial, root.interval) == ((-2, 3), (Fraction(2, 3),) * 2)
    assert root.closed_form == "2/3"


def test_minimal_polynomials_have_a_positive_leading_coefficient():
    root = ex.largest_real_root(fmpz_poly([4, 0, -2]) * fmpz_poly([-3, -1]))  # −2(x²−2)(x+3)
    assert root.minimal_polynomial == (-2, 0, 1)
    assert root.closed_form == "sqrt(2)"


def test_refined_bisects_only_until_the_requested_width():
    """refined(d) returns the coarsest bisection of [1, 2] within 10^−d: wider than half the
    bound (an interval already as narrow as the bound is not split further)."""
    root = ex.AlgebraicNumber((-2, 0, 1), (Fraction(1), Fraction(2)))
    for digits in range(6):
        lo, hi = root.refined(digits)
        bound = Fraction(1, 10**digits)
        assert lo * lo < 2 < hi * hi
        assert bound / 2 < hi - lo <= bound
    assert root.refined(0) == (1, 2)


def test_polishing_a_point_already_on_the_minimum_set_takes_no_step():
    ctx = workcontext(30)
    result = polish(
        ctx, [np.array([[2.0]]), np.array([[1.5]])], ctx.matrix([[1]]), ctx.matrix([[3]])
    )
    assert (result.iterations, result.distance, result.residual) == (0, 0, 0)


def test_fixed_point_matrices_hold_exact_python_integers():
    """round(x · 2^bits) as Python ints even where they would fit in int64, whose products
    (2^bits-scaled, bits ≥ 64) would overflow silently."""
    m = _fixed(((Fraction(0), Fraction(1, 2**60)), (Fraction(-3, 2**62), Fraction(0))), 64)
    assert m.dtype == object
    assert all(type(v) is int for v in m.flat)
    assert m.tolist() == [[0, 16], [-12, 0]]
    assert ((m @ m) >> 64).tolist() == [[-1, 0], [0, -1]]  # floor(−192 / 2^64) = −1


def _case(init: str, seed: int) -> TrainingCase:
    target = ((Fraction(1), Fraction(0)), (Fraction(0), Fraction(1)))
    return TrainingCase((2, 2, 2), target, init, Fraction(1, 10), seed, Fraction(1, 2))


def test_training_cases_start_from_the_identity_or_seeded_random_weights():
    assert all(np.array_equal(w, np.eye(2)) for w in _init(_case("resnet", 0)))
    expected = train.random_init((2, 2, 2), 0.1, np.random.default_rng(7))
    small = _init(_case("small", 7))
    assert all(np.array_equal(a, b) for a, b in zip(small, expected, strict=True))
    assert not np.array_equal(small[0], _init(_case("small", 8))[0])


def test_non_whitened_global_minima_include_balanced_ones_with_data():
    net = find(
        global_minima(whitened=False),
        lambda n: n.construction == "balanced" and n.sigma_x is not None,
        settings=settings(database=None),
    )
    assert not net.whitened


def test_flattest_and_its_rounding_scale_do_not_change_under_a_rotation_of_the_inputs():
    # F2's max f(v) and the scale Σ|w|‖A‖_F/vᵀAv its stationarity is judged against are
    # invariant under v → Qv, T → TQᵀ, Σx → QΣxQᵀ (Q orthogonal: the Frobenius norm and vᵀAv
    # are); a scale built from a norm that is not (the 1-norm) would move.
    ctx = workcontext(30)
    q = ctx.matrix([[ctx.mpf(3) / 5, ctx.mpf(-4) / 5], [ctx.mpf(4) / 5, ctx.mpf(3) / 5]])
    t, sigma = ctx.matrix([[2, 1], [0, 1]]), ctx.matrix([[3, 1], [1, 2]])
    plain = flattest(ctx, t, sigma, 3)
    turned = flattest(ctx, t * q.T, q * sigma * q.T, 3)
    assert abs(plain.value - turned.value) < ctx.mpf(10) ** -25 * plain.value
    gap = abs(plain.stationarity_size - turned.stationarity_size)
    assert gap < ctx.mpf(10) ** -20 * plain.stationarity_size


def test_the_convex_dual_starts_at_f2s_maximiser_when_sigma_x_and_c_do_not_commute():
    # min_t h(t) = N max f (flattest.py, _dual64): at the minimiser t* the pencil's top
    # eigenvector, mapped by Σx^{1/2}, is the maximiser of f when the top eigenvalue is simple,
    # so the best start of the dual is already F2's maximum to float64 accuracy.
    ctx = workcontext(30)
    t = [[2.0, 1.0, 0.0], [0.0, 1.0, 1.0], [1.0, 0.0, 3.0]]
    sigma, depth = [[3.0, 1.0, 0.0], [1.0, 2.0, 1.0], [0.0, 1.0, 4.0]], 3
    c, k = np.array(t).T @ np.array(t), np.linalg.inv(np.array(sigma))
    exact_max = float(flattest(ctx, ctx.matrix(t), ctx.matrix(sigma), depth).value) / depth

    def f(v):
        return (v @ v) ** (1 / depth) * (v @ c @ v) ** (1 - 1 / depth) / (v @ k @ v)

    assert max(f(v) for v in _dual64(c, k, depth)) == pytest.approx(exact_max, rel=1e-10)
