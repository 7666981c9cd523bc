"""G1b and G2b: the balance W_{k+1}ᵀW_{k+1} − W_kW_kᵀ for every depth, width and Σx."""

import dataclasses

import pytest
import sympy
from sympy import MatAdd, MatMul, MatrixSymbol, Rational, Transpose

import theory
from theory.balance import (
    ETA,
    MU,
    GenericLink,
    flow_steps,
    g2b_steps,
    gradient_steps,
    step_steps,
)
from theory.latex import render_derivation
from theory.linear import LinearNetwork


@pytest.mark.parametrize("claim", ["G1b", "G2b"])
def test_matrix_balance_derivations_check_for_all_sizes(claim):
    d = theory.derivation(claim)
    result = d.check()
    assert result.ok, result.failures
    assert result.complete and d.scope == "all sizes"
    shapes = {str(dim) for step in d.steps for x in step.lhs.atoms(MatrixSymbol) for dim in x.shape}
    assert shapes >= {"d_0", "d_k", "d_N"}  # the widths are symbols


def _failures(steps) -> list[int]:
    return [k for k, step in enumerate(steps, start=1) if step.problem() is not None]


@pytest.mark.parametrize(
    "wrong",
    [
        lambda m, keep: MatMul(keep, m.weight_balance),  # (1 − ημ) instead of (1 − ημ)²
        lambda m, keep: MatMul(keep**2, m.weight_balance),  # no η² term
        lambda m, keep: MatAdd(MatMul(keep**2, m.weight_balance), MatMul(ETA, m.gradient_balance)),
    ],
    ids=["decay-not-squared", "no-eta-squared-term", "eta-not-squared"],
)
def test_a_wrong_gd_balance_fails(wrong):
    m, steps = GenericLink(), g2b_steps(1)
    final = dataclasses.replace(steps[-1], rhs=wrong(m, 1 - ETA * MU))
    assert final.problem() == "lhs − rhs does not simplify to 0"
    assert _failures(steps) == []


def test_the_final_gd_balance_is_the_claimed_formula_in_eta_and_mu():
    # G2b: balance' = (1 − ημ)² balance + η²(G_(k+1)ᵀG_(k+1) − G_kG_kᵀ); both steps of the GD
    # step substitute κ = 1 − ημ, so the stated formula (free of κ) is what they verify.
    m = GenericLink()
    claimed = MatAdd(
        MatMul((1 - ETA * MU) ** 2, m.weight_balance), MatMul(ETA**2, m.gradient_balance)
    )
    expansion, final = step_steps(m)
    assert dataclasses.replace(final, rhs=claimed).problem() is None
    first_order = MatMul(-ETA * (1 - ETA * MU), m.first_order)
    assert dataclasses.replace(expansion, rhs=MatAdd(claimed, first_order)).problem() is None


def test_the_loss_vanishes_where_the_network_fits_the_target():
    # L = ½ tr((P − T) Σx (P − T)ᵀ) is 0 at T = P: the residual subtracts the target.
    m = GenericLink()
    assert m.loss.subs(m.target, m.product).doit() == 0


def _arbitrary_directions() -> GenericLink:
    """The generic link with G_k, G_(k+1) replaced by free matrices V, U (not the gradients)."""
    m = GenericLink()
    m.gradients = tuple(
        MatrixSymbol(name, *g.shape) for name, g in zip("VU", m.gradients, strict=True)
    )
    return m


def test_the_cancellation_needs_the_gradient_and_its_orientation():
    m, steps = GenericLink(), g2b_steps(1)
    transposed = dataclasses.replace(
        steps[2], rhs=MatMul(m.lower, Transpose(m.gradients[0]))
    )  # W_(k+1)ᵀG_(k+1) = W_kG_kᵀ: the wrong side
    assert transposed.problem() == "lhs − rhs does not simplify to 0"
    other = _arbitrary_directions()
    # the expansion holds for any direction; the cancellation and the final identity do not
    assert _failures([*gradient_steps(other), *step_steps(other)]) == [3, 5]
    assert _failures([*gradient_steps(other), *flow_steps(other)]) == [3, 5]


def test_an_unsymmetrised_covariance_breaks_the_gradient():
    m = GenericLink()
    sigma = MatrixSymbol(r"\Sigma", *m.covariance.shape)  # not symmetric
    loss = sympy.Trace(MatMul(m.residual, sigma, m.residual.T)) / 2
    gradient = MatMul(m.upper.T, m.above.T, m.residual, sigma, m.below.T)
    assert (loss.diff(m.lower) - gradient).doit().expand().is_ZeroMatrix is not True


def test_gd_step_on_exact_numbers_with_a_covariance():
    """Depth 3, widths (2, 3, 2, 1), Σx = S Sᵀ ≠ I: the matrix-calculus identity, numerically."""
    s = sympy.Matrix([[1, 0], [Rational(1, 2), 2]])
    net = LinearNetwork((2, 3, 2, 1), s)
    point = {w: Rational((7 * k) % 11 - 5, 6) for k, w in enumerate(net.parameters)}
    point |= {t: Rational(k + 1, 3) for k, t in enumerate(net.target)}
    eta, mu = Rational(1, 7), Rational(1, 5)
    weights = [w.subs(point) for w in net.weights]
    grads = [net.gradient(k).subs(point) for k in net.layers]
    new = [(1 - eta * mu) * w - eta * g for w, g in zip(weights, grads, strict=True)]

    def balance(v, k):
        return v[k].T * v[k] - v[k - 1] * v[k - 1].T

    for k in (1, 2):
        change = balance(new, k) - (1 - eta * mu) ** 2 * balance(weights, k)
        assert change == eta**2 * balance(grads, k)
        assert change != sympy.zeros(*change.shape)


def test_latex_shows_the_generic_link_by_name():
    text = render_derivation(theory.derivation("G2b"))
    assert r"G_{k+1}^{\mathsf{T}} W_{k+1}" in text and r"A_{k}" in text and r"B_{k+1}" in text
    assert "once for all sizes" in text
