"""The derivations of G3 (weight decay) and G4 (noise augmentation)."""

import dataclasses

import pytest
import sympy
from sympy import Matrix, Rational

import theory
from theory.dynamics import (
    EPSILON,
    MOMENTS,
    MU,
    OUTPUT,
    SAMPLE,
    SIGMA,
    decayed_loss,
    expected_loss,
    sample_gradient_factor,
    sample_loss,
)
from theory.scalar import ETA, ScalarNetwork

DEPTHS = tuple(range(2, 7))


@pytest.fixture(scope="module")
def results():
    return {claim: theory.derivation(claim).check() for claim in ("G3", "G4")}


@pytest.mark.parametrize("claim", ["G3", "G4"])
def test_derivation_is_complete_for_every_depth(results, claim):
    d = theory.derivation(claim)
    assert (d.sizes, d.source) == (DEPTHS, "Ginsburg 2020")
    assert results[claim].ok, results[claim].failures
    assert results[claim].complete


def edited(claim: str, k: int, **changes) -> list[str]:
    """Failures (as 'G3 N=2 step 3') when step k of `claim` is replaced, checked for N = 2, 3."""
    d = theory.derivation(claim)

    def build(n):
        steps = list(d.build(n))
        fields = {key: value(n) if callable(value) else value for key, value in changes.items()}
        steps[k - 1] = dataclasses.replace(steps[k - 1], **fields)
        return steps

    result = dataclasses.replace(d, build=build, sizes=(2, 3)).check()
    return [failure.split(" (")[0] for failure in result.failures]


def at(claim: str, k: int) -> list[str]:
    return [f"{claim} N={n} step {k}" for n in (2, 3)]


def test_g3_without_the_decay_factor_fails():
    def ginsburg(n):
        net = ScalarNetwork(n)
        return Matrix([net.ginsburg_factor(i, j, ETA) for i, j in net.pairs])

    assert edited("G3", 3, rhs=ginsburg) == at("G3", 3)


def test_g3_flow_at_rate_mu_instead_of_two_mu_fails():
    def slow(n):
        steps = theory.derivation("G3").build(n)
        return steps[6].rhs / 2

    assert edited("G3", 7, rhs=slow) == at("G3", 7)


def test_g3_balance_needs_the_stationary_point():
    assert edited("G3", 11, where={}) == at("G3", 11)


def test_g3_gd_step_matches_exact_numbers():
    net = ScalarNetwork(3)
    point = {w: Rational(k + 2, 3) for k, w in enumerate(net.weights)}
    point |= {net.target: Rational(1, 2), ETA: Rational(1, 7), MU: Rational(1, 5)}
    loss = decayed_loss(net)
    new = [(w - ETA * sympy.diff(loss, w)).subs(point) for w in net.weights]
    for i, j in net.pairs:
        rest = net.product_without(i, j) ** 2
        factor = (1 - ETA * MU) ** 2 - ETA**2 * net.residual**2 * rest
        assert new[i] ** 2 - new[j] ** 2 == (net.imbalance(i, j) * factor).subs(point)


def test_g4_expected_loss_by_a_two_point_noise():
    # ε = ±1 with probability ½ each has E ε = 0 and E ε² = 1: an independent expectation
    average = sum(sample_loss(OUTPUT, 1 + SIGMA * e) for e in (-1, 1)) / 2
    assert sympy.expand(average - expected_loss()) == 0
    assert sympy.expand(expected_loss() - (OUTPUT - 1) ** 2 / 2 - SIGMA**2 * OUTPUT**2 / 2) == 0
    assert EPSILON not in expected_loss().free_symbols


def test_g4_wrong_minimiser_fails():
    assert edited("G4", 4, where={OUTPUT: 1 / (1 + SIGMA)}) == at("G4", 4)


def test_g4_expected_loss_without_the_noise_term_fails():
    assert edited("G4", 2, rhs=(OUTPUT - 1) ** 2 / 2) == at("G4", 2)


def test_g4_sampled_step_needs_the_data_in_g_t():
    def without_data(n):
        net = ScalarNetwork(n)
        g = net.product * SAMPLE - 1  # W x_t − 1, missing the factor x_t
        return Matrix([net.ginsburg_factor(i, j, ETA, g) for i, j in net.pairs])

    assert edited("G4", 12, rhs=without_data) == at("G4", 12)


def test_g4_sampled_step_shrinks_imbalance_at_the_expected_minimum():
    net = ScalarNetwork(2)
    w1, w2 = net.weights
    point = {w1: 1, w2: Rational(1, 2), SIGMA: 1, ETA: Rational(1, 10)}  # W = W* = 1/(1 + σ²)
    factor = theory.derivation("G4").instance(2)[11].rhs[0]
    # g_t = (W x_t − 1) x_t: 3/2 for x_t = 3, −1/2 for x_t = 1, 0 for x_t = 2
    assert [factor.subs(point | {SAMPLE: x}) for x in (3, 1, 2)] == [
        Rational(391, 400),
        Rational(399, 400),
        1,
    ]


def test_g4_noise_power_at_the_minimum_depends_on_the_fourth_moment():
    step = theory.derivation("G4").steps[13]
    optimum = {OUTPUT: 1 / (1 + SIGMA**2)}
    # independently: ε = ±1 (E ε⁴ = 1) gives E g_t² = σ²(σ² − 1)²/(1 + σ²)², zero at σ = 1
    two_point = sum(sample_gradient_factor(OUTPUT, 1 + SIGMA * e) ** 2 for e in (-1, 1)) / 2
    fourth = step.rhs.free_symbols - {SIGMA}
    assert sympy.simplify(two_point.subs(optimum) - step.rhs.subs(dict.fromkeys(fourth, 1))) == 0
    assert two_point.subs(optimum).subs(SIGMA, 1) == 0
    assert step.rhs.subs(dict.fromkeys(fourth, 3)).subs(SIGMA, 1) == Rational(1, 2)  # Gaussian


def test_g4_noise_power_needs_symmetric_noise():
    where = dict(theory.derivation("G4").steps[13].where)
    del where[MOMENTS[2]]  # forget E ε³ = 0
    assert edited("G4", 14, where=where) == at("G4", 14)
