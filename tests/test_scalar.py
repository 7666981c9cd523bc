"""Scalar network numerics against hand values (docs/claims/scalar.md, H4) and mpmath calculus."""

from fractions import Fraction as F

import pytest

from verify import scalar
from verify.claims.scalar import g1_flow_conserves_imbalance as g1
from verify.claims.scalar import g2_gd_step_shrinks_imbalance as g2
from verify.claims.scalar import h4_rank_one_hessian as h4
from verify.linear.curvature import eigenvalues
from verify.precision import workcontext

CTX = workcontext(50)


@pytest.mark.parametrize(
    ("weights", "target", "sharpness"),
    # docs/claims/scalar.md, H4: N = 3, t = 8: w = (2, 2, 2) gives 48, w = (1, 2, 4) gives 84.
    [((2, 2, 2), 8, 48), ((1, 2, 4), 8, 84)],
)
def test_h4_reference_sharpness(weights, target, sharpness):
    net = scalar.ScalarNetwork(tuple(map(F, weights)), F(target))
    h = scalar.hessian(CTX, net.at(CTX), net.target_at(CTX))
    assert abs(eigenvalues(CTX, h)[-1] - sharpness) < CTX.mpf(10) ** -45


def loss(ws, t):
    return (scalar.others(ws) - t) ** 2 / 2


def test_gradient_and_hessian_match_numerical_differentiation():
    ws = [CTX.mpf(3) / 4, CTX.mpf(-5) / 3, CTX.mpf(6) / 5]
    t = CTX.mpf(2)
    grad, h = scalar.gradient(CTX, ws, t), scalar.hessian(CTX, ws, t)
    for i in range(3):
        order = [1 if k == i else 0 for k in range(3)]
        numeric = CTX.diff(lambda *w: loss(w, t), ws, order)
        assert abs(grad[i] - numeric) < CTX.mpf(10) ** -40
        for j in range(3):
            order = [(k == i) + (k == j) for k in range(3)]
            numeric = CTX.diff(lambda *w: loss(w, t), ws, order)
            assert abs(h[i, j] - numeric) < CTX.mpf(10) ** -40


def test_gd_step_and_imbalances():
    ws = [CTX.mpf(2), CTX.mpf(1) / 2]
    nxt = scalar.gd_step(CTX, ws, CTX.one, CTX.mpf(1) / 10)
    assert nxt == [ws[0], ws[1]]  # at a minimum (2 * 1/2 = 1) the gradient vanishes
    assert scalar.imbalances([CTX.mpf(3), CTX.mpf(1), CTX.mpf(2)]) == {
        (0, 1): 8,
        (0, 2): 5,
        (1, 2): -3,
    }


def test_flow_decreases_the_loss_and_stays_on_the_imbalance_hyperbola():
    ws = [CTX.mpf(1) / 2, CTX.mpf(3) / 2]
    end = scalar.flow(CTX, ws, CTX.one, 3)
    assert loss(end, 1) < loss(ws, 1) / 100
    assert abs((end[0] ** 2 - end[1] ** 2) - (ws[0] ** 2 - ws[1] ** 2)) < CTX.mpf(10) ** -45


def test_g2_holds_for_gd_and_fails_for_a_step_of_the_wrong_size(monkeypatch):
    # G2's factor 1 − η²g²Π_{k≠i,j} w_k² is exact for w' = w − η∇L; a half step (η/2) breaks it.
    run = scalar.ScalarRun(scalar.ScalarNetwork((F(1, 2), F(3, 2), F(5, 4))), F(1, 10), 3)
    assert g2(run, CTX).holds(CTX)
    gd_step = scalar.gd_step
    monkeypatch.setattr(scalar, "gd_step", lambda ctx, ws, t, eta: gd_step(ctx, ws, t, eta / 2))
    assert not g2(run, CTX).holds(CTX)


def test_h4_rank_one_relations_are_relative_to_lambda_max():
    # docs/claims/scalar.md, H4: H = ∇P∇Pᵀ and the vanishing eigenvalues, relative to λ_max
    # (48 for w = (2, 2, 2), t = 8: an entry of H is up to 16, far above the unit scale).
    ev = h4(scalar.ScalarNetwork((F(2), F(2), F(2)), F(8)), CTX)
    assert ev.holds(CTX)
    for name in ("H = ∇P ∇Pᵀ", "rank one: other eigenvalues vanish"):
        (relation,) = [r for r in ev.relations if r.name == name]
        assert abs(relation.scale(CTX) - 48) < CTX.mpf(10) ** -40


def test_g1_conservation_is_relative_to_the_largest_squared_weight():
    # docs/claims/scalar.md, G1: relative to the largest w_i² at 0 and T. From (3/2, −1/2)
    # (g = −7/4) the flow shrinks w_1 (ẇ_1 = −g w_2 < 0), so that is the start's (3/2)² = 9/4.
    ev = g1(scalar.ScalarFlow(scalar.ScalarNetwork((F(3, 2), F(-1, 2))), F(1, 4)), CTX)
    assert ev.holds(CTX)
    assert [r.scale(CTX) for r in ev.relations] == [CTX.mpf(9) / 4]
