"""Linear-network numerics against the reference values of docs/claims/linear.md and mpmath
calculus."""

from fractions import Fraction as F

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verify import cases
from verify.claims.linear.curvature import h3_upper_bound
from verify.claims.linear.flattest import f1_flattest_whitened
from verify.linear import curvature as cv
from verify.linear.flattest import attaining_minimum, flattest, flattest_whitened
from verify.linear.network import (
    LinearNetwork,
    Net,
    column_factorization,
    identity_rows,
    inverse,
    rows_product,
    transpose,
)
from verify.linear.sharpness import report as sharpness_report
from verify.linear.strategies import _diagonal_flattest
from verify.precision import workcontext

CTX = workcontext(50)
TIGHT = CTX.mpf(10) ** -45


def diag(*xs):
    return tuple(tuple(F(x) if i == j else F(0) for j in range(len(xs))) for i, x in enumerate(xs))


@pytest.mark.parametrize(
    ("weights", "sharpness", "flattest_value"),
    [
        # Reference values, H4 (t = 8): w = (2, 2, 2) → 48, w = (1, 2, 4) → 84; F1: 3·8^{4/3} = 48.
        ((diag(2), diag(2), diag(2)), 48, 48),
        ((diag(1), diag(2), diag(4)), 84, 48),
        # Reference values, unbalanced: W1 = diag(2, ½), W2 = diag(½, 2), T = I: 8 vs flattest 2.
        ((diag(2, F(1, 2)), diag(F(1, 2), 2)), 8, 2),
        # Reference values, F7: W1 = I, W2 = diag(1, ¼) for T = diag(1, ¼): flattest, λ_max = 2.
        ((diag(1, 1), diag(1, F(1, 4))), 2, 2),
    ],
)
def test_theory_reference_values(weights, sharpness, flattest_value):
    net = LinearNetwork(weights).at(CTX)
    assert abs(cv.sharpness(net) - sharpness) < TIGHT
    assert abs(flattest_whitened(CTX, net.target, net.depth) - flattest_value) < TIGHT * 48


def test_marion_non_whitened_example_has_flattest_six():
    # docs/claims/linear.md, F2: T = (1, 0), Σx = diag(2, 1), N = 3 → 6 (Marion et al. 2024
    # give 12 for a loss without the ½).
    best = flattest(CTX, CTX.matrix([[1, 0]]), CTX.diag([2, 1]), 3)
    assert abs(best.value - 6) < TIGHT
    assert best.stationarity < TIGHT


def test_full_hessian_matches_numerical_differentiation_away_from_minima():
    ctx = workcontext(30)
    case = LinearNetwork(
        (((F(1), F(2)), (F(-1), F(1, 3))), ((F(1, 2), F(1)),)),
        sigma_x=((F(2), F(1, 2)), (F(1, 2), F(1))),
        target=((F(1), F(-1)),),
    )
    net = case.at(ctx)
    h, layout = cv.full_hessian(net), cv._layout(net)
    start = [net.weights[k - 1][i, j] for k, i, j in layout]

    def loss(*x):
        ws = [w.copy() for w in net.weights]
        for (k, i, j), value in zip(layout, x, strict=True):
            ws[k - 1][i, j] = value
        return cv.loss(Net(ctx, ws, net.sigma, net.target))

    for p in range(len(layout)):
        for q in range(len(layout)):
            order = [int(p == r) + int(q == r) for r in range(len(layout))]
            assert abs(ctx.diff(loss, start, order) - h[p, q]) < ctx.mpf(10) ** -25


def test_gradient_vanishes_at_a_minimum_and_not_elsewhere():
    net = LinearNetwork((diag(2, 1), diag(F(1, 2), 3))).at(CTX)
    assert all(CTX.mnorm(g, "F") < TIGHT for g in cv.gradient(net))
    off = LinearNetwork((diag(2, 1), diag(F(1, 2), 3)), target=diag(1, 1)).at(CTX)
    assert CTX.mnorm(cv.gradient(off)[0], "F") > 1


def test_non_spd_data_is_degenerate():
    from verify.evidence import Degenerate

    with pytest.raises(Degenerate, match="positive definite"):
        cv.spd_sqrt(CTX, CTX.matrix([[1, 2], [2, 1]]))


@settings(max_examples=25, deadline=None)
@given(cases.orthogonal(3))
def test_cayley_matrices_are_exactly_orthogonal(q):
    assert rows_product(q, transpose(q)) == identity_rows(3)


@settings(max_examples=25, deadline=None)
@given(cases.gauged_minima(whitened=None))
def test_gauged_minima_share_the_balanced_product(net):
    assert net.construction == "gauge"
    assert len(net.widths) - 1 == net.depth
    if net.sigma_x is not None:
        assert net.sigma_x == transpose(net.sigma_x)
        assert inverse(net.sigma_x)  # invertible, exactly


def _epsilon(net):
    """λ_max / (N σ1^{2−2/N}) − 1 at 50 digits."""
    numeric = net.at(CTX)
    return cv.sharpness(numeric) / flattest_whitened(CTX, numeric.target, net.depth) - 1


@settings(max_examples=40, deadline=None)
@given(
    st.one_of(
        cases.flattest_minima(depth=(2, 5), width=(1, 4)),
        cases.flattest_minima(depth=(2, 4), width=(1, 4), full_rank=True),
    )
)
def test_flattest_minima_attain_the_f1_bound(net):
    assert net.target is None and net.sigma_x is None  # P = T, whitened
    assert abs(_epsilon(net)) < TIGHT


@settings(max_examples=25, deadline=None)
@given(cases.flattest_minima(depth=(2, 4), width=(2, 4), full_rank=True))
def test_full_rank_flattest_minima_have_invertible_layers_off_the_shared_basis(net):
    assert len(set(net.widths)) == 1
    assert all(inverse(w) for w in net.weights)  # raises StopIteration if singular


@settings(max_examples=25, deadline=None)
@given(cases.near_flattest_minima(depth=(2, 5), width=(1, 4)))
def test_near_flattest_minima_are_global_minima_a_little_sharper_than_flattest(net):
    assert net.target is None and net.construction == "near-flattest"
    assert -TIGHT < _epsilon(net) < 0.5


def test_general_flattest_minima_need_not_share_a_singular_basis():
    # F6's path blocks plus full-rank off-path blocks C_1 = [[1, 1], [0, 1]] / 4,
    # C_2 = diag(1, 2) / 4:
    # flattest (λ_max = 2), yet W_2ᵀW_2 and W_1W_1ᵀ do not commute.
    w1 = ((F(1), F(0), F(0)), (F(0), F(1, 4), F(1, 4)), (F(0), F(0), F(1, 4)))
    w2 = diag(1, F(1, 4), F(1, 2))
    net = LinearNetwork((w1, w2))
    assert abs(_epsilon(net)) < TIGHT
    left = rows_product(rows_product(transpose(w2), w2), rows_product(w1, transpose(w1)))
    right = rows_product(rows_product(w1, transpose(w1)), rows_product(transpose(w2), w2))
    assert left != right


def test_h3_bound_can_be_strict_for_depth_three():
    # docs/claims/linear.md, H3: equality can fail for N >= 3. A gauged depth-3 minimum of
    # T = diag(1, 8):
    # λ_max ≈ 100.22 against the bound ≈ 106.90 (found by the search in docs/claims/linear.md).
    g1, g2 = ((F(1), F(1)), (F(0), F(1))), ((F(1), F(0)), (F(-1), F(1)))
    w1 = rows_product(g1, diag(1, 2))
    w2 = rows_product(rows_product(g2, diag(1, 2)), inverse(g1))
    w3 = rows_product(diag(1, 2), inverse(g2))
    net = LinearNetwork((w1, w2, w3)).at(CTX)
    bound = CTX.fsum(
        cv.spectral_norm(CTX, net.a(k)) ** 2 * cv.spectral_norm(CTX, net.b(k)) ** 2
        for k in (1, 2, 3)
    )
    assert cv.sharpness(net) < bound - 6


@pytest.mark.parametrize("weights", [(F(2), F(1, 2)), (F(1, 3), F(3), F(1, 2))])
def test_h3_bound_is_attained_by_scalar_chains(weights):
    # Scalar layers: H1's M is the row of ∂P/∂w_k = A_k B_k, so λ_max = Σ_k A_k² B_k², H3's
    # bound with equality; layers of gain < 1 make the exponents on A_k, B_k matter.
    net = LinearNetwork(tuple(((w,),) for w in weights))
    ev = h3_upper_bound(net, CTX)
    product = F(1)
    for w in weights:
        product *= w
    exact = sum((product / w) ** 2 for w in weights)
    assert abs(ev.values["lambda_max"] * exact.denominator - exact.numerator) < CTX.mpf(10) ** -45
    assert abs(ev.values["gap"]) < CTX.mpf(10) ** -45
    assert ev.holds(CTX, 10)


def test_sharpness_report_of_a_scalar_chain():
    # W1 = 2, W2 = 1/2, whitened, T = P = 1: λ_max = 2² + (1/2)² (H2), the flattest minimum
    # of T = 1 at depth 2 has N σ1^{2−2/N} = 2 (F1), balance W2² − W1² = −15/4.
    out = sharpness_report(LinearNetwork((((F(2),),), ((F(1, 2),),))), (50, 80))
    assert set(out) == {
        *("lambda_max", "trace", "is_global_minimum", "residual", "gradient_norm"),
        *("flattest", "flatness_ratio", "layer_norms", "balance", "coupling", "digits", "dps"),
    }
    assert out["is_global_minimum"] is True and out["dps"] == [50, 80]
    assert float(out["lambda_max"]) == float(out["trace"]) == 4.25
    assert float(out["flattest"]) == 2 and float(out["flatness_ratio"]) == 2.125
    assert [float(x) for x in out["layer_norms"]] == [2, 0.5]
    assert [float(x) for x in out["balance"]] == [3.75]
    assert float(out["residual"]) == float(out["gradient_norm"]) == 0


def test_the_residual_away_from_a_minimum_is_its_frobenius_norm():
    # P = (1, 1)ᵀ, T = (4, 5)ᵀ: ‖P − T‖_F = ‖(−3, −4)‖ = 5 (the column sum would be 7).
    import verify.linear.sharpness as sh

    case = LinearNetwork((((F(1),),), ((F(1),), (F(1),))), target=((F(4),), (F(5),)))
    out = sh.measure(case, CTX)
    assert out["is_global_minimum"] is False and out["residual"] == 5


def test_sharpness_report_measures_at_both_precisions_and_shows_their_agreement(monkeypatch):
    import verify.linear.sharpness as sh

    seen = []

    def measure(case, ctx):  # the two precisions disagree by 4·10⁻³¹: 30.4 digits
        seen.append(ctx.dps)
        return {"lambda_max": ctx.one + (4 * ctx.mpf(10) ** -31 if ctx.dps > 60 else 0)}

    monkeypatch.setattr(sh, "measure", measure)
    out = sh.report(None, (50, 80))
    assert seen == [50, 80]
    assert out["digits"] == 30.4


def test_f1_adds_its_equality_at_exactly_balanced_minima_of_any_shape():
    # d = (1, 1, 2): W2ᵀW2 = W1W1ᵀ = 1, while W1ᵀW1 (1×1) and W2W2ᵀ (2×2) differ in shape.
    net = LinearNetwork((((F(1),),), ((F(1),), (F(0),))))
    relations = f1_flattest_whitened(net, CTX).relations
    assert [r.kind for r in relations] == ["at_most", "equal"]


@pytest.mark.parametrize(
    ("target", "sigma", "value"),
    [
        # T = I, Σx = I: f(v) = 1 for every v (a completely degenerate maximum); F1 gives N.
        ([[1, 0], [0, 1]], [[1, 0], [0, 1]], 3),
        # T = I, Σx = diag(2, 1): f(v) = ‖v‖²/(vᵀΣx⁻¹v) is maximal (= 2) along e1: 3 · 2 = 6.
        ([[1, 0], [0, 1]], [[2, 0], [0, 1]], 6),
    ],
)
def test_flattest_search_handles_degenerate_and_repeated_maxima(target, sigma, value):
    best = flattest(CTX, CTX.matrix(target), CTX.matrix(sigma), 3)
    assert abs(best.value - value) < TIGHT
    assert best.stationarity < TIGHT


def _rows(xs):
    return tuple(tuple(F(x) for x in row) for row in xs)


def _attaining(ctx, case, direction=None):
    """The F2 maximiser of a case, and the net built from it (or from `direction`)."""
    net = case.at(ctx)
    best = flattest(ctx, net.target, net.sigma, net.depth)
    v = best.direction if direction is None else direction
    weights = attaining_minimum(ctx, case.target_rows(), case.widths, v)
    return best, Net(ctx, weights, net.sigma, net.target)


def test_column_factorization_is_exact_and_rank_revealing():
    t = _rows([[1, 2, 3], [2, 4, 6], [0, 1, F(1, 2)]])
    basis, reduced = column_factorization(t)
    assert len(reduced) == 2 and rows_product(basis, reduced) == t
    assert column_factorization(_rows([[0, 0]]))[1] == ()


@pytest.mark.parametrize("depth", [2, 3, 4])
@pytest.mark.parametrize(
    ("target", "sigma", "hidden"),
    [
        ([[1, 2]], [[2, 1], [1, 1]], 1),  # 1×2
        ([[1, 0, 2], [-1, 1, 1]], [[2, 1, 0], [1, 2, F(1, 2)], [0, F(1, 2), 1]], 2),  # 2×3
        ([[1, 2], [0, 1], [3, -1]], [[1, F(-1, 2)], [F(-1, 2), 3]], 3),  # 3×2, hidden > rank
        ([[1, 1, 0], [2, 2, 0], [0, 0, 0]], [[3, 1, 1], [1, 2, 0], [1, 0, 1]], 1),  # rank 1 in 3×3
    ],
)
def test_constructed_minimum_attains_the_f2_bound(target, sigma, hidden, depth):
    t = _rows(target)
    widths = (len(t[0]), *[hidden] * (depth - 1), len(t))
    zeros = tuple(_rows([[0] * widths[k]] * widths[k + 1]) for k in range(depth))
    case = LinearNetwork(zeros, _rows(sigma), t)  # the weights only fix the widths
    best, built = _attaining(CTX, case)
    assert CTX.mnorm(built.residual(), "F") < TIGHT
    assert [(w.rows, w.cols) for w in built.weights] == [
        (widths[k + 1], widths[k]) for k in range(depth)
    ]
    assert abs(cv.sharpness(built) - best.value) < TIGHT * best.value


def test_attainment_fails_away_from_the_maximiser():
    # Marion's example (T = (1, 0), Σx = diag(2, 1), N = 3): f is maximal at v = e1, where the
    # construction is W = ((1, 0), 1, 1) with λ_max = 6; from v = (1, 1) it is sharper than 6,
    # which is itself far above N f(1, 1) = 3 · 2^{1/3} / (3/2) ≈ 2.52: the equality the F2
    # check asks for certifies that v is a global maximiser.
    zeros = (_rows([[0, 0]]), _rows([[0]]), _rows([[0]]))
    case = LinearNetwork(zeros, diag(2, 1), _rows([[1, 0]]))
    best, built = _attaining(CTX, case)
    assert abs(cv.sharpness(built) - 6) < TIGHT and abs(best.value - 6) < TIGHT
    _, off = _attaining(CTX, case, [CTX.one, CTX.one])
    assert cv.sharpness(off) > 6 + CTX.mpf(1) / 10


@settings(max_examples=15, deadline=None)
@given(cases.global_minima(depth=(2, 4), width=(1, 4), whitened=False))
def test_generated_minima_are_no_flatter_than_the_constructed_one(case):
    ctx = workcontext(30)
    best, built = _attaining(ctx, case)
    tol = ctx.mpf(10) ** -25
    assert ctx.mnorm(built.residual(), "F") < tol * (1 + ctx.mnorm(built.target, "F"))
    assert abs(cv.sharpness(built) - best.value) < tol * best.value
    assert cv.sharpness(case.at(ctx)) > best.value * (1 - tol)


@pytest.mark.parametrize("exponent", [-600, -120, -10, 10, 600])
def test_flattest_search_is_scale_free_beyond_float64(exponent):
    """F2's value scales as α^{2−2/N} with T (α T), and as 1/β with Σx⁻¹ (here both, far
    outside float64's range): the float64 start is found on rescaled data (was 'T = 0')."""
    alpha, depth = CTX.mpf(10) ** exponent, 3
    base = flattest(CTX, CTX.matrix([[1, 0]]), CTX.diag([2, 1]), depth).value
    scaled = flattest(CTX, alpha * CTX.matrix([[1, 0]]), CTX.diag([2, 1]) / alpha, depth).value
    assert abs(scaled / (base * alpha ** (1 - CTX.mpf(2) / depth)) - 1) < CTX.mpf(10) ** -40


def test_diagonal_flattest_cores_halve_their_off_path_entries_together():
    # top entry 1, off-path entries 10 and 4 (depth 2, widths 2): M's diagonal exceeds the
    # top path's 2 until both are halved four times together, to 5/8 and 1/4 (ratio kept)
    drawn = iter([F(1), [F(10)], [F(4)]])
    cores = _diagonal_flattest(lambda strategy: next(drawn), (2, 2, 2))
    assert cores == [((1, 0), (0, F(5, 8))), ((1, 0), (0, F(1, 4)))]


def test_f3_reports_how_much_sharper_the_balanced_minimum_is_than_the_flattest():
    # Whitened W_1 = W_2 = 1 (T = 1): balanced and flattest alike, λ_max = 2 = N σ1^{2−2/N},
    # so the ratio λ_max / flattest is 1 (F3 fails only where this ratio exceeds 1).
    from verify.claims.linear.flattest import f3_balanced_is_flattest

    one = ((F(1),),)
    ev = f3_balanced_is_flattest(LinearNetwork((one, one)), CTX)
    assert ev.values["lambda_max"] == ev.values["flattest"] == 2
    assert ev.values["ratio"] == 1 and ev.holds(CTX)


def test_partial_products_are_thin_remembered_and_follow_new_weights():
    """W_last ⋯ W_first from its thin end equals the product in either order; it is computed
    once for the same layer objects and again when a layer is replaced."""
    net = LinearNetwork(
        (
            ((F(1), F(2)), (F(3), F(4)), (F(5), F(-1))),
            ((F(1), F(0), F(2)), (F(-1), F(1), F(1)), (F(2), F(3), F(0))),
            ((F(1), F(-2), F(1)),),
        )
    ).at(CTX)
    w1, w2, w3 = net.weights
    assert net.b(1) == w3 * w2 and net.a(3) == w2 * w1 and net.product() == w3 * (w2 * w1)
    assert net.chain(1, 0) == CTX.eye(2) and net.b(3) == CTX.eye(1)
    assert net.a(3) is net.a(3)
    net.weights = [w1, w2 * 2, w3]
    assert net.a(3) == 2 * (w2 * w1) and net.b(1) == 2 * (w3 * w2)


def test_spectral_norm_uses_the_smaller_gram_matrix():
    w = CTX.matrix([[3, 0, 0, 0], [0, 4, 0, 0]])
    assert cv.gram(CTX, w).rows == 2 and cv.gram(CTX, w.T).rows == 2
    assert cv.gram(CTX, w, False) == w.T * w and cv.gram(CTX, w, True) == w * w.T
    assert cv.spectral_norm(CTX, w) == cv.spectral_norm(CTX, w.T) == 4
