"""The scalar network model and the derivations of H4, G1, G2 and G6."""

import dataclasses

import pytest
import sympy
from sympy import Rational

import theory
from theory.derivation import Step
from theory.scalar import (
    ETA,
    TIME,
    GenericPair,
    ScalarNetwork,
    am_gm_witness,
    g2_steps,
    h4_steps,
    imbalance_flow,
)

DEPTHS = range(2, 7)
SIZES = {"G1": tuple(DEPTHS), "G6": tuple(DEPTHS), "G2": (1,), "H4": (1,)}  # (1,): symbolic N


@pytest.fixture(scope="module")
def results():
    return {claim: theory.derivation(claim).check() for claim in SIZES}


@pytest.mark.parametrize("claim", sorted(SIZES))
def test_derivation_checks(results, claim):
    d = theory.derivation(claim)
    assert d.sizes == SIZES[claim]
    assert results[claim].ok, results[claim].failures
    assert results[claim].complete


@pytest.mark.parametrize("claim", ["H4", "G2"])
def test_h4_and_g2_are_derived_for_a_symbolic_depth(claim):
    d = theory.derivation(claim)
    assert d.scope == "all sizes" and not d.size_name
    symbols = {str(x) for step in d.steps for x in (step.lhs - step.rhs).free_symbols}
    assert {"w_i", "w_j", "Q_{ij}"} <= symbols  # a generic pair, the others one symbol
    assert not any(name.startswith("w_1") for name in symbols)


@pytest.mark.parametrize("n", DEPTHS)
def test_the_generic_pair_is_every_concrete_pair(n):
    """Q_ij = Π_{k≠i,j} w_k turns the generic steps into those of ScalarNetwork(n)."""
    net, pair = ScalarNetwork(n), GenericPair()
    for i, j in net.pairs:
        at = {pair.first: net.weights[i], pair.second: net.weights[j]}
        at[pair.others] = net.product_without(i, j)
        assert sympy.expand(pair.loss.subs(at) - net.loss) == 0
        new_i, new_j = (x.subs(at) for x in pair.gd_step(ETA))
        new = net.gd_step(ETA)
        assert sympy.expand(new_i - new[i]) == sympy.expand(new_j - new[j]) == 0
        assert sympy.expand(pair.partials[0].subs(at) - net.product_without(i)) == 0


def test_g6_displays_depth_two_with_its_two_witnesses():
    steps = theory.derivation("G6").steps
    w1 = ScalarNetwork(2).weights[0]
    a1, a2 = sympy.symbols("a_1:3", positive=True)
    assert [s.witness for s in steps if s.relation == "≥"] == [(a1 - a2) ** 2, (w1 - 1 / w1) ** 2]


def test_the_gradient_flow_follows_real_weight_paths_in_time():
    # w_i(τ) stay real (the network's weights are), so D_ij = w_i² − w_j² = 0 means |w_i| = |w_j|
    net = ScalarNetwork(3)
    path, along, chain = imbalance_flow(net, net.loss)
    assert all(path[w].is_real and path[w].args == (TIME,) for w in net.weights)
    assert set(along) == {sympy.Derivative(path[w], TIME) for w in net.weights}
    assert chain.problem() is None and chain.lhs.shape == (len(net.pairs), 1)


@pytest.mark.parametrize("n", DEPTHS)
def test_am_gm_witness_is_hurwitz_identity(n):
    xs = sympy.symbols(f"x_1:{n + 1}", positive=True)
    witness = am_gm_witness(xs)
    assert sympy.expand(witness - sum(x**n for x in xs) + n * sympy.Mul(*xs)) == 0
    assert witness.is_nonnegative
    assert witness.subs(dict.fromkeys(xs, Rational(3, 2))) == 0  # zero when all are equal
    assert witness.subs({xs[0]: 2, **dict.fromkeys(xs[1:], 1)}) > 0


def test_g6_am_gm_with_a_wrong_witness_fails():
    def halve(n, steps):
        steps[0] = dataclasses.replace(steps[0], witness=steps[0].witness / 2)
        return steps

    assert [f.split(" (")[0] for f in broken("G6", halve).check().failures] == [
        "G6 N=2 step 2",  # as displayed: after the general step 1
        "G6 N=3 step 2",
    ]


def test_g6_general_step_with_a_wrong_target_fails():
    d = theory.derivation("G6")
    (step,) = d.general_steps
    product = next(iter(step.where))
    wrong = dataclasses.replace(d, general=lambda: [dataclasses.replace(step, where={product: 2})])
    assert [f.split(" (")[0] for f in wrong.check().failures] == ["G6 general step 1"]


def broken(claim: str, replace) -> theory.Derivation:
    """`claim`'s derivation with its steps edited by `replace(n, steps)`, checked for N = 2, 3."""
    d = theory.derivation(claim)
    return dataclasses.replace(d, build=lambda n: replace(n, list(d.build(n))), sizes=(2, 3))


def _problems(steps) -> list[int]:
    return [k for k, step in enumerate(steps, start=1) if step.problem() is not None]


def test_g2_factor_without_eta_squared_fails_at_that_step():
    pair, steps = GenericPair(), g2_steps(1)
    wrong = 1 - ETA * pair.residual**2 * pair.others**2
    steps[2] = dataclasses.replace(steps[2], rhs=wrong)
    assert _problems(steps) == [3]


def test_imbalance_unchanged_by_a_gd_step_fails():
    pair, steps = GenericPair(), g2_steps(1)
    new_i, new_j = pair.gd_step(ETA)
    unchanged = Step(new_i**2 - new_j**2, pair.first**2 - pair.second**2, "imbalance unchanged")
    assert unchanged.problem() == "lhs − rhs does not simplify to 0"
    assert _problems(steps) == []


def test_h4_off_the_minimum_set_or_with_a_wrong_sharpness_fails():
    steps = h4_steps(1)
    assert _problems(steps) == []
    steps[2] = dataclasses.replace(steps[2], where={})  # g ≠ 0: H has the extra g ∇²P term
    steps[5] = dataclasses.replace(steps[5], rhs=steps[5].rhs / GenericPair().target)  # t, not t²
    assert _problems(steps) == [3, 6]


def test_g1_without_the_flow_fails():
    def forget_flow(n, steps):
        steps[2] = dataclasses.replace(steps[2], where={})
        return steps

    assert [f.split(" (")[0] for f in broken("G1", forget_flow).check().failures] == [
        "G1 N=2 step 3",
        "G1 N=3 step 3",
    ]


@pytest.mark.parametrize(("weights", "sharpness"), [((2, 2, 2), 48), ((1, 2, 4), 84)])
def test_h4_examples(weights, sharpness):
    net = ScalarNetwork(3)
    point = {**dict(zip(net.weights, weights, strict=True)), net.target: 8}
    eigenvalues = net.hessian.subs(point).eigenvals()
    assert max(eigenvalues) == sharpness
    assert eigenvalues == {sharpness: 1, 0: 2}
    assert (net.target**2 * net.inverse_square_sum()).subs(point) == sharpness


@pytest.mark.parametrize("n", DEPTHS)
def test_hessian_on_the_minimum_set_is_rank_one(n):
    net = ScalarNetwork(n)
    h = net.hessian_at_minimum
    v = net.product_gradient
    assert (h - v * v.T).applyfunc(sympy.cancel) == sympy.zeros(n, n)
    assert h.rank() == 1
    point = {w: Rational(k + 2, k + 1) for k, w in enumerate(net.weights)}
    assert h.subs(point).rank() == 1
    assert net.hessian.subs({**point, net.target: 1}).rank() == n  # off the minimum set


@pytest.mark.parametrize("n", [2, 4])
def test_gd_imbalance_factor_matches_ginsburg_and_numbers(n):
    net = ScalarNetwork(n)
    point = {**{w: Rational(k + 3, 2 * k + 3) for k, w in enumerate(net.weights)}, net.target: 1}
    point[ETA] = Rational(1, 10)
    new = [w.subs(point) for w in net.gd_step(ETA)]
    for i, j in net.pairs:
        factor = net.imbalance_factor(i, j, ETA)
        assert sympy.cancel(factor - net.ginsburg_factor(i, j, ETA)) == 0
        assert new[i] ** 2 - new[j] ** 2 == (net.imbalance(i, j) * factor).subs(point)
        assert factor.subs(point) != 1


def test_g6_depth_two_identity():
    net = ScalarNetwork(2)
    w1, w2 = net.weights
    on_minimum = net.on_unit_minimum()
    assert on_minimum == {w2: 1 / w1}
    sharpness = net.inverse_square_sum().subs(on_minimum)
    root = sympy.sqrt(net.imbalance(0, 1) ** 2 + 4).subs(on_minimum)
    # both sides positive with equal squares, independently of the derivation's simplifier
    assert sympy.cancel(sharpness**2 - root**2) == 0
    assert sharpness.is_positive and root.is_positive
    assert sympy.expand(sharpness - 2 - (w1 - 1 / w1) ** 2) == 0
    for value in (Rational(1, 3), Rational(-5, 2), 1):
        assert sharpness.subs(w1, value) == root.subs(w1, value) >= 2


def test_depth_below_two_is_rejected():
    with pytest.raises(ValueError, match="at least 2"):
        ScalarNetwork(1)
