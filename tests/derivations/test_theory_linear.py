"""The deep linear network model and the derivations of H1, H2, F1 and F2."""

import dataclasses
import re

import pytest
import sympy
from sympy import ImmutableMatrix, Integer, Matrix, Rational, Symbol, latex

import theory
from theory.latex import render_derivation, render_document
from theory.linear import (
    LAMBDA_MAX,
    SIGMA_1,
    Labelled,
    LinearNetwork,
    Named,
    cholesky_factor,
    f1_steps,
    f2_steps,
    flatness_ratio,
    h1_trace_steps,
    h2_steps,
    rotation,
    structured_hessian,
    vec,
)

COMPLETE = {"H1": True, "H2": True, "F1": False, "F2": False}
SIZES = {"H1": (2, 3), "H2": (1, 2, 3), "F1": (2, 3, 4), "F2": (2, 3)}
SOURCES = {
    "H1": "Mulayoff & Michaeli 2020",
    "H2": "Kamber & Parhi 2025",
    "F1": "Mulayoff & Michaeli 2020",
    "F2": "flatminima (generalises F1)",
}


@pytest.fixture(scope="module")
def results():
    return {claim: theory.derivation(claim).check() for claim in COMPLETE}


@pytest.mark.parametrize("claim", sorted(COMPLETE))
def test_derivation_checks_for_every_size(results, claim):
    d = theory.derivation(claim)
    assert (d.sizes, d.source) == (SIZES[claim], SOURCES[claim])
    assert results[claim].ok, results[claim].failures
    assert results[claim].complete is COMPLETE[claim]


def _reasons(cited: list[str]) -> list[tuple[str, str]]:
    """(size, first word of the justification) of every cited step."""
    return [re.match(r"\w+ (\S+) step \d+ \(([^\s)]+)", name).groups() for name in cited]


def test_f1_and_f2_cite_rayleigh_cauchy_schwarz_and_am_gm_beyond_depth_two(results):
    def expected(depths):
        return [
            (f"N={n}", reason)
            for n in depths
            for reason in ("Rayleigh", *(("AM–GM",) if n > 2 else ()), "Cauchy–Schwarz")
        ]

    assert _reasons(results["F1"].cited) == expected((2, 3, 4))
    assert _reasons(results["F2"].cited) == expected((2, 3))


def test_depth_two_am_gm_is_a_checked_square():
    steps = theory.derivation("F1").steps
    a1, a2, b1, b2 = sympy.symbols("a_{1} a_{2} b_{1} b_{2}", positive=True)
    assert [s.witness for s in steps if s.relation == "≥"] == [None, (a1 * b1 - a2 * b2) ** 2, None]


def broken(claim: str, replace, sizes: tuple[int, ...]) -> theory.Derivation:
    """`claim`'s derivation with its steps edited by `replace(n, steps)`, checked for `sizes`."""
    d = theory.derivation(claim)
    return dataclasses.replace(d, build=lambda n: replace(n, list(d.build(n))), sizes=sizes)


def failing_steps(d: theory.Derivation) -> list[str]:
    return [failure.split(" (")[0] for failure in d.check().failures]


def test_h2_with_only_the_first_layer_fails_at_lambda_max():
    def first_layer_only(n, steps):
        steps[-1] = dataclasses.replace(steps[-1], rhs=Symbol("alpha_1", nonnegative=True))
        return steps

    assert failing_steps(broken("H2", first_layer_only, (1, 2))) == [
        "H2 d_1=1 step 5",
        "H2 d_1=2 step 5",
    ]


@pytest.mark.parametrize("hidden", [1, 2])
def test_h2_lambda_max_is_the_sum_of_the_top_eigenvalues_once_they_are_ordered(hidden):
    # λ_max = max_ij (α_i + β_j) = α_1 + β_1 only under α_1 ≥ α_2, β_1 ≥ β_2 (the step's
    # `where`); without the ordering SymPy cannot pick the maximum.
    step = h2_steps(hidden)[-1]
    assert step.problem() is None
    assert dataclasses.replace(step, where={}).problem() is not None


def test_h1_curvature_without_the_data_covariance_fails():
    def whitened_m(n, steps):
        k = n + 3  # the step J Jᵀ = M
        rhs = LinearNetwork((2,) * (n + 1)).curvature_form()
        steps[k - 1] = dataclasses.replace(steps[k - 1], rhs=rhs)
        return steps

    assert failing_steps(broken("H1", whitened_m, (2,))) == ["H1 N=2 step 7"]


def test_h1_trace_is_derived_for_every_size_and_the_spectrum_for_two_depths():
    d = theory.derivation("H1")
    assert d.scope == "trace: all sizes; spectrum: N = 2…3"
    assert [step.problem() for step in d.general_steps] == [None, None]
    gradient = d.general_steps[0].lhs.doit()
    assert tuple(map(str, gradient.shape)) == ("d_k", "d_{k-1}")  # a generic layer


def test_h1_trace_without_the_data_factor_or_with_a_wrong_norm_fails():
    steps = h1_trace_steps()
    trace = steps[1]
    below, above = sorted(
        (x for x in trace.rhs.atoms(sympy.MatrixSymbol) if x.name in ("A_{k}", "B_{k}")),
        key=str,
    )
    whitened = sympy.Trace(below * below.T) * sympy.Trace(above * above.T)  # S left out
    assert dataclasses.replace(trace, rhs=whitened).problem() is not None
    squared = trace.rhs * sympy.Trace(above * above.T)  # ‖B_k‖⁴
    assert dataclasses.replace(trace, rhs=squared).problem() is not None


def test_h1_hessian_off_the_minimum_set_is_not_gauss_newton():
    def anywhere(n, steps):
        steps[n + 1] = dataclasses.replace(steps[n + 1], where={})
        return steps

    assert failing_steps(broken("H1", anywhere, (2,))) == ["H1 N=2 step 6"]


def test_f1_attained_value_without_the_depth_exponent_fails_beyond_depth_two():
    def no_exponent(n, steps):
        steps[-1] = dataclasses.replace(steps[-1], rhs=ImmutableMatrix([[n * SIGMA_1]]))
        return steps

    # N σ_1 equals N σ_1^(2 − 2/N) only for N = 2
    assert failing_steps(broken("F1", no_exponent, (2, 3))) == ["F1 N=3 step 7"]


@pytest.mark.parametrize("n", [2, 3])
def test_marion_maximum_is_proved_by_a_witness_vanishing_at_e1(n):
    # 2 ≥ f on the whole path v = r (1, √((1 + z)^N − 1)), z ≥ 0: 2 − f equals
    # the manifestly nonnegative witness, which is 0 at z = 0 (v = r e_1) and positive beyond.
    step = next(s for s in f2_steps(n) if s.witness is not None and s.lhs == 2)
    assert step.problem() is None
    z = next(x for x in step.witness.free_symbols if x.name == "z")
    assert step.witness.subs(z, 0) == 0 and step.witness.subs(z, 1) > 0


def test_f2_with_a_smaller_maximum_fails():
    def smaller(n, steps):
        k = next(i for i, s in enumerate(steps) if s.witness is not None and s.lhs == 2)
        steps[k] = dataclasses.replace(steps[k], lhs=Rational(3, 2))
        return steps

    assert failing_steps(broken("F2", smaller, (3,))) == ["F2 N=3 step 13"]


@pytest.mark.parametrize("steps", [f1_steps, f2_steps], ids=["F1", "F2"])
@pytest.mark.parametrize("n", [2, 3, 5])
def test_the_chain_from_lambda_max_to_the_bound_is_unbroken(steps, n):
    # Rayleigh, AM–GM and Cauchy–Schwarz are cited '≥' steps, checked by no machine: they
    # bound λ_max only if each starts where the one before it ends.
    chain = steps(n)
    start = next(i for i, s in enumerate(chain) if s.lhs == LAMBDA_MAX)
    rayleigh, am_gm, cauchy_schwarz = chain[start : start + 3]
    assert am_gm.why.startswith("AM–GM") and cauchy_schwarz.why.startswith("Cauchy–Schwarz")
    assert rayleigh.rhs == am_gm.lhs and am_gm.rhs == cauchy_schwarz.lhs


@pytest.mark.parametrize("n", [2, 3, 5])
def test_f2s_cauchy_schwarz_bound_is_n_times_the_statements_f(n):
    # The cited Cauchy–Schwarz step ends the chain from λ_max; its bound, written with ‖v‖,
    # ‖Tv‖ and vᵀΣx⁻¹v, must be N f(v) for the f of the statement (flatness_ratio), or the
    # derivation would bound λ_max by some other quantity.
    step = next(s for s in f2_steps(n) if s.why.startswith("Cauchy–Schwarz"))
    target, covariance, v = ImmutableMatrix([[3, 1], [0, 2]]), sympy.diag(2, 5), Matrix([1, -2])
    image = target * v
    values = {
        Symbol(r"{\left\|v\right\|}", positive=True): sympy.sqrt(v.dot(v)),
        Symbol(r"{\left\|T v\right\|}", positive=True): sympy.sqrt(image.dot(image)),
        Symbol(r"{v^{\mathsf{T}} \Sigma_{x}^{-1} v}", positive=True): (v.T * covariance.inv() * v)[
            0
        ],
    }
    assert step.rhs.free_symbols == set(values)
    f = flatness_ratio(target, covariance, v, n).doit()
    assert sympy.simplify(step.rhs.doit().subs(values) - n * f) == 0


def test_the_cited_am_gm_step_states_the_geometric_mean_as_written():
    # N (Π x_k)^{1/N} for x_k = a_k² b_k², not SymPy's simplification of it into N powers
    step = next(s for s in f1_steps(3) if s.why.startswith("AM–GM"))
    a = sympy.symbols("a_{1} a_{2} a_{3}", positive=True)
    b = sympy.symbols("b_{1} b_{2} b_{3}", positive=True)
    squares = sympy.Mul(*((x * y) ** 2 for x, y in zip(a, b, strict=True)))
    assert step.rhs.args == (3, sympy.Pow(squares, Rational(1, 3), evaluate=False))


def test_flatness_ratio_is_kept_as_written_and_evaluates_to_f():
    # f(v) = ‖v‖² to the power 1/N times ‖Tv‖² to the power 1 − 1/N over vᵀΣx⁻¹v, each factor
    # as the statement writes it; at v = 2 e_1 of Marion's example f = f(e_1) = 2 (scale-free).
    f = flatness_ratio(ImmutableMatrix([[1, 0]]), sympy.diag(2, 1), Matrix([2, 0]), 3)
    written = (
        sympy.Pow(4, Rational(1, 3), evaluate=False),
        sympy.Pow(4, Rational(2, 3), evaluate=False),
        sympy.Pow(2, -1, evaluate=False),
    )
    assert f.args == written
    assert f.doit() == 2


def marion(n: int) -> tuple[LinearNetwork, dict]:
    """T = (1, 0), Σx = diag(2, 1): the minimum W_1 = (1, 0), W_k = 1, with T substituted."""
    net = LinearNetwork((2,) + (1,) * n, sympy.diag(sympy.sqrt(2), 1))
    point = dict(zip(net.parameters, (1, 0, *(1,) * (n - 1)), strict=True))
    return net, {**point, **dict(zip(net.target, (1, 0), strict=True))}


def test_marion_example_min_sharpness_is_six():
    v = sympy.symbols("v_1 v_2", real=True)
    f = flatness_ratio(ImmutableMatrix([[1, 0]]), sympy.diag(2, 1), Matrix(v), 3).doit()
    assert f.subs({v[0]: 1, v[1]: 0}) == 2
    for v1, v2 in [(1, Rational(1, 10)), (3, -1), (1, 1), (0, 1), (-2, 5)]:
        value = f.subs({v[0]: v1, v[1]: v2})
        assert sympy.simplify(value**3) <= 8  # f ≤ 2, compared exactly through f³
    net, point = marion(3)
    assert net.residual.subs(point) == sympy.zeros(1, 2)
    hessian = net.hessian.subs(point)  # the Hessian of the loss itself
    assert hessian.eigenvals() == {6: 1, 1: 1, 0: 2}
    assert net.curvature.subs(point) == sympy.diag(6, 1)


def test_an_unbalanced_marion_minimum_is_sharper():
    net, point = marion(3)
    w11, _, w2, _ = net.parameters
    unbalanced = {**point, w11: 2, w2: Rational(1, 2)}
    assert net.residual.subs(unbalanced) == sympy.zeros(1, 2)
    assert max(net.hessian.subs(unbalanced).eigenvals()) > 6


@pytest.mark.parametrize(
    ("n", "singular", "layer", "sharpness"),
    [(2, (9, 1), (3, 1), 18), (3, (8, 1), (2, 1), 48), (4, (16, 1), (2, 1), 256)],
)
def test_f1_value_for_a_diagonal_target(n, singular, layer, sharpness):
    """T = diag(singular), balanced W_k = diag(layer): λ_max = N σ_1^(2 − 2/N)."""
    net = LinearNetwork((2,) * (n + 1))
    balanced = {
        weight[i, j]: layer[i] if i == j else 0
        for weight in net.weights
        for i in range(2)
        for j in range(2)
    }
    target = dict(zip(net.target, (singular[0], 0, 0, singular[1]), strict=True))
    assert net.residual.subs({**balanced, **target}) == sympy.zeros(2, 2)
    spectrum = net.curvature.subs(balanced).eigenvals()
    assert max(spectrum) == n * Integer(singular[0]) ** (2 - Rational(2, n)) == sharpness
    unbalanced = {**balanced, net.weights[0][0, 0]: layer[0] ** 2, net.weights[1][0, 0]: 1}
    assert net.residual.subs({**unbalanced, **target}) == sympy.zeros(2, 2)
    assert max(net.curvature.subs(unbalanced).eigenvals()) > sharpness


def test_h2_kronecker_sum_spectrum_on_a_rational_example():
    net = LinearNetwork((2, 2, 2))
    w1, w2 = Matrix([[1, 2], [2, 1]]), Matrix([[3, 0], [4, 0]])
    point = dict(zip(net.parameters, [*vec(w1), *vec(w2)], strict=True))
    alpha, beta = (w1.T * w1).eigenvals(), (w2 * w2.T).eigenvals()
    assert (alpha, beta) == ({9: 1, 1: 1}, {25: 1, 0: 1})
    spectrum = net.curvature.subs(point).eigenvals()
    assert spectrum == {a + b: 1 for a in alpha for b in beta}
    assert max(spectrum) == 34 == max(alpha) + max(beta)  # ‖W_1‖₂² + ‖W_2‖₂² = 9 + 25


@pytest.mark.parametrize("widths", [(2, 2, 2), (3, 1, 2), (1, 2, 2, 1)])
def test_partial_products_and_gradient(widths):
    net = LinearNetwork(widths, cholesky_factor(widths[0]))
    for k in net.layers:
        split = net.after(k) * net.weights[k - 1] * net.before(k) - net.product
        assert split.applyfunc(sympy.expand) == sympy.zeros(*split.shape)
        formula = net.after(k).T * net.residual * net.covariance * net.before(k).T
        assert (net.gradient(k) - formula).applyfunc(sympy.expand) == sympy.zeros(*formula.shape)
    assert net.before(1) == sympy.eye(widths[0]) and net.after(net.n) == sympy.eye(widths[-1])
    assert net.jacobian.shape == (widths[0] * widths[-1], len(net.parameters))
    assert sympy.expand(net.jacobian * net.jacobian.T - net.curvature) == sympy.zeros(
        *net.curvature.shape
    )


def test_trace_formula_matches_the_hessian_on_the_minimum_set():
    net = LinearNetwork((2, 1, 2), cholesky_factor(2))
    trace = net.hessian.subs(net.on_minimum()).trace()
    assert sympy.expand(trace - net.trace_formula()) == 0


def test_vec_stacks_columns_and_the_kronecker_rule():
    x, b, c = (Matrix(2, 2, sympy.symbols(f"{s}:4")) for s in "xbc")
    assert list(vec(x)) == [x[0, 0], x[1, 0], x[0, 1], x[1, 1]]
    assert sympy.expand(vec(b * x * c) - sympy.kronecker_product(c.T, b) * vec(x)) == sympy.zeros(
        4, 1
    )


@pytest.mark.parametrize("d", [2, 3])
def test_cayley_rotations_are_real_orthogonal_with_determinant_one(d):
    # H2's spectral theorem needs real eigenvectors: complex K would give complex U with UUᵀ = I
    u = rotation("u", d)
    assert u.shape == (d, d) and all(entry.is_real for entry in u)
    assert (u * u.T).applyfunc(sympy.cancel) == sympy.eye(d)
    assert sympy.cancel(u.det()) == 1


def test_named_matrices_display_by_name_and_evaluate_to_entries():
    value = ImmutableMatrix([[1, 2], [3, 4]])
    a = Named("A_{1}", value)
    assert latex(sympy.Transpose(a)) == "A_{1}^{T}" and str(a) == "A_{1}"
    assert a.doit() == value and (a * a).doit() == value * value
    assert a.xreplace({Integer(4): Integer(5)}).doit() == Matrix([[1, 2], [3, 5]])


def test_named_matrices_evaluate_their_entries_unless_shallow():
    w = Symbol("w", real=True)
    g = Named("g", ImmutableMatrix([[sympy.Derivative(w**2, w)]]))
    assert g.doit() == Matrix([[2 * w]])  # what a step's check compares
    assert g.doit(deep=False) == g.value != Matrix([[2 * w]])


def test_labelled_scalars_display_by_name_and_evaluate_unless_shallow():
    w = Symbol("w", real=True)
    g = Labelled("g", sympy.Derivative(w**2, w))
    assert latex(g) == "g" and str(g) == "g"
    assert g.doit() == 2 * w  # what a step's check compares
    assert g.doit(deep=False) == sympy.Derivative(w**2, w)


def test_f2s_test_vector_is_written_with_the_factor_s_of_sigma_x():
    # Σx = S Sᵀ as in the statement; a lower-case s is the scalar Σx of the d_0 = 1 step
    squared_norm = f2_steps(2)[1]
    assert latex(squared_norm.lhs) == r"\left(S^{-1} v\right)^{T} \left(S^{-1} v\right)"
    assert latex(squared_norm.rhs) == r"v^{T} \Sigma_{x}^{-1} v"


def test_symbolic_networks_have_real_weights_indexed_from_one_and_a_positive_factor():
    net = LinearNetwork((3, 2, 1), cholesky_factor(3))
    for k, w in enumerate(net.weights, start=1):
        assert all(
            w[i, j] == Symbol(f"w^{{({k})}}_{{{i + 1}{j + 1}}}", real=True)
            for i in range(w.rows)
            for j in range(w.cols)
        )
    scalar = LinearNetwork((1, 1, 1))
    assert [w[0] for w in scalar.weights] == [Symbol(f"w_{{{k}}}", real=True) for k in (1, 2)]
    # Σx = S Sᵀ ≻ 0 follows from the assumptions alone: S's diagonal is positive
    assert all(net.factor[i, i].is_positive for i in range(3))
    assert net.covariance.det().is_positive


def test_depth_below_two_is_rejected():
    with pytest.raises(ValueError, match="at least 2"):
        LinearNetwork((2, 2))


def test_fragments_are_ascii_and_show_the_cited_steps():
    for claim in COMPLETE:
        text = render_derivation(theory.derivation(claim))
        assert text.isascii() and "[U+" not in text
        assert ("cited, not machine-checked" in text) is not COMPLETE[claim]


def test_pdflatex_sets_the_linear_derivations_without_overfull_lines(pdflatex):
    document = render_document([theory.derivation(claim) for claim in COMPLETE])
    assert "Overfull" not in pdflatex(document, "linear")


def _diagonal_factor(d: int) -> ImmutableMatrix:
    """S = diag(s_1, …, s_d) with positive symbols: a diagonal Σx = S²."""
    return ImmutableMatrix(sympy.diag(*sympy.symbols(f"s_1:{d + 1}", positive=True)))


@pytest.mark.parametrize(
    ("widths", "factor"),
    [
        ((2, 2, 2), cholesky_factor(2)),
        ((2, 2, 2), _diagonal_factor(2)),
        ((1, 2, 2, 1), cholesky_factor(1)),
        ((2, 1, 2, 2), cholesky_factor(2)),
        ((2, 2, 2, 2), None),
    ],
)
def test_structured_hessian_equals_differentiating_the_loss_twice(widths, factor):
    """Off the minimum set, with a symbolic T: Gauss–Newton blocks plus the residual blocks."""
    net = LinearNetwork(widths, factor)
    structured = structured_hessian(net)
    gap = (structured - net.hessian).applyfunc(sympy.expand)
    assert gap == sympy.zeros(*gap.shape)
    assert structured == structured.T


def test_structured_hessian_is_gauss_newton_only_on_the_minimum_set():
    net = LinearNetwork((1, 2, 2, 1), cholesky_factor(1))
    structured = structured_hessian(net)
    gauss_newton = net.jacobian.T * net.jacobian
    on_minimum = (structured.subs(net.on_minimum()) - gauss_newton).applyfunc(sympy.expand)
    assert on_minimum == sympy.zeros(*on_minimum.shape)
    off = (structured - gauss_newton).applyfunc(sympy.expand)
    assert off != sympy.zeros(*off.shape)
    sizes = [2, 4, 2]  # the residual part has no diagonal blocks: P is linear in each W_k
    for k, start in enumerate((0, 2, 6)):
        block = off[start : start + sizes[k], start : start + sizes[k]]
        assert block == sympy.zeros(sizes[k], sizes[k])


def test_structured_hessian_at_a_rational_point():
    """Depth 2, 1-1-1 network: L = ½ s²(w_2 w_1 − t)², by hand."""
    net = LinearNetwork((1, 1, 1), ImmutableMatrix([[3]]))
    (w1, w2), (t,) = net.parameters, net.target
    point = {w1: 2, w2: 5, t: 7}
    # ∂²L/∂w_1∂w_2 = 9 (2 w_1 w_2 − t) = 9 · 13, ∂²L/∂w_1² = 9 w_2², ∂²L/∂w_2² = 9 w_1²
    assert structured_hessian(net).subs(point) == Matrix([[225, 117], [117, 36]])
