"""The matrix analogues of G1 and G2: the balance W_{k+1}ᵀW_{k+1} − W_kW_kᵀ."""

import dataclasses

import pytest
import sympy
from sympy import ImmutableMatrix, MatAdd, MatMul, Rational, S, Transpose

import theory
from theory.balance import WIDTHS, MatrixBalance, matrix_flow_steps, matrix_step_steps
from theory.latex import latex, render_derivation
from theory.linear import Named
from theory.scalar import ETA


@pytest.mark.parametrize(("claim", "per_link"), [("G1", 3), ("G2", 3)])
def test_matrix_steps_follow_the_scalar_ones_for_depths_two_and_three(claim, per_link):
    d = theory.derivation(claim)
    assert [len(d.instance(n)) for n in d.sizes] == [
        4 + per_link * (n - 1) * (n in WIDTHS) for n in d.sizes
    ]


@pytest.mark.parametrize("n", sorted(WIDTHS))
def test_matrix_steps_check(n):
    for step in [*matrix_flow_steps(MatrixBalance(n)), *matrix_step_steps(MatrixBalance(n), ETA)]:
        assert step.problem() is None, step.why


def _gd_change(n: int, direction) -> list[str | None]:
    """Problems of the G2 matrix steps when W_k moves along `direction(k)` instead of G_k."""
    m = MatrixBalance(n)
    m.gradients = tuple(direction(k) for k in m.net.layers)
    return [step.problem() for step in matrix_step_steps(m, ETA)]


def test_the_cancellation_needs_the_gradient():
    def arbitrary(k):
        w = MatrixBalance(2).net.weights[k - 1]
        return ImmutableMatrix(*w.shape, lambda i, j: sympy.Symbol(f"v{k}{i}{j}", real=True))

    problems = _gd_change(2, arbitrary)
    # the expansion holds for any direction; the cancellation and the final identity do not
    assert [p is None for p in problems] == [False, True, False]


def test_transposed_cancellation_fails():
    m = MatrixBalance(2)
    w, g = m.weight, m.gradient
    step = dataclasses.replace(
        matrix_step_steps(MatrixBalance(2), ETA)[0],
        lhs=MatMul(Transpose(w(2)), g(2)),
        rhs=MatMul(w(1), Transpose(g(1))),
    )
    assert step.problem() == "lhs − rhs does not simplify to 0"


def test_first_order_step_size_fails():
    final = matrix_step_steps(MatrixBalance(2), ETA)[2]
    m = MatrixBalance(2)
    assert dataclasses.replace(final, rhs=MatMul(ETA, m.gradient_balance(1))).problem() is not None


def test_gd_step_on_exact_numbers():
    m = MatrixBalance(2)
    net = m.net
    point = {entry: Rational(k + 1, 5) for k, entry in enumerate(net.parameters)}
    point |= {t: Rational(k - 1, 2) for k, t in enumerate(net.target)}
    eta = Rational(1, 3)
    weights = [w.subs(point) for w in net.weights]
    grads = [g.subs(point) for g in m.gradients]
    new = [w - eta * g for w, g in zip(weights, grads, strict=True)]

    def balance(v):
        return v[1].T * v[1] - v[0] * v[0].T

    change = balance(new) - balance(weights)
    assert change == eta**2 * (grads[1].T * grads[1] - grads[0] * grads[0].T)
    assert change != sympy.zeros(2, 2)


def test_named_matrices_stay_named_in_latex():
    a, b = Named("A", sympy.eye(2)), Named("B", 2 * sympy.eye(2))
    assert latex(MatAdd(MatMul(a, Transpose(b)), MatMul(S.NegativeOne, b, Transpose(a)))) in (
        r"A B^{T} - B A^{T}",
        r"- B A^{T} + A B^{T}",
    )
    g2 = render_derivation(theory.derivation("G2"))
    for k in (1, 2):
        assert rf"G_{{{k + 1}}}^{{T}} W_{{{k + 1}}} \\ {{}}= W_{{{k}}} G_{{{k}}}^{{T}}" in g2
    assert "w^{(1)}" not in g2  # matrices are displayed by name, never entrywise
