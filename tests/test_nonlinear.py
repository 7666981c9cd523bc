"""Homogeneous-activation networks: gradient and Hessian against mpmath.diff, kinks, float64,
and the balance identities of N1 with controls that fail for a non-homogeneous activation;
the domain of N1's cases."""

from fractions import Fraction as F

import numpy as np
import pytest
from hypothesis import given, settings

from verify.evidence import Degenerate
from verify.nonlinear import flow
from verify.nonlinear import network as nn
from verify.nonlinear.curvature import hessian
from verify.nonlinear.strategies import ACTIVATIONS, balance_runs, networks
from verify.precision import exact, workcontext

CTX = workcontext(40)
W1 = ((F(1, 2), F(-1, 3)), (F(2, 3), F(1, 4)), (F(-1, 2), F(1)))
W2 = ((F(1), F(-1, 2), F(1, 3)),)
X = ((F(1), F(-1, 2), F(1, 3)), (F(1, 2), F(1), F(-2, 3)))
Y = ((F(1), F(0), F(-1)),)
B = ((F(1, 5), F(-1, 7), F(1, 3)), (F(1, 9),))


def _net(activation=nn.RELU, biases=B) -> nn.ReluNetwork:
    """Widths (2, 3, 1), three samples, every pre-activation away from 0."""
    return nn.ReluNetwork((W1, W2), biases, activation, X, Y)


def _loss_of(ctx, net):
    point = net.point(ctx)
    return point.flat(), lambda *xs: nn.loss(ctx, net, point.like(list(xs)))


@settings(max_examples=6, deadline=None)
@given(networks(depth=(2, 3), width=3, samples=(2, 4)))
def test_gradient_matches_mpmath_diff_of_the_loss(net):
    flat, loss = _loss_of(CTX, net)
    grad = nn.gradient(CTX, net).flat()
    for a in range(len(flat)):
        direction = tuple(int(i == a) for i in range(len(flat)))
        assert abs(CTX.diff(loss, flat, direction) - grad[a]) < CTX.mpf(10) ** -25


@pytest.mark.parametrize("activation", [nn.RELU, nn.leaky_relu(F(1, 10)), nn.LINEAR])
def test_hessian_matches_second_differences(activation):
    net = _net(activation)
    flat, loss = _loss_of(CTX, net)
    h = hessian(CTX, net)
    for a in range(len(flat)):
        for b in range(a, len(flat)):
            orders = [0] * len(flat)
            orders[a] += 1
            orders[b] += 1
            assert abs(CTX.diff(loss, flat, tuple(orders)) - h[a, b]) < CTX.mpf(10) ** -20
            assert abs(h[a, b] - h[b, a]) < CTX.mpf(10) ** -35


def test_hessian_depends_on_the_region():
    relu, linear = hessian(CTX, _net(nn.RELU)), hessian(CTX, _net(nn.LINEAR))
    n = relu.rows
    assert max(abs(relu[i, j] - linear[i, j]) for i in range(n) for j in range(n)) > 0.01


def test_a_point_on_a_kink_is_degenerate():
    # unit 1, sample 1: 1/2 · 1 − 1/3 · 1/2 + b = 0 for b = −1/3
    on = _net(biases=((F(-1, 3), F(-1, 7), F(1, 3)), (F(1, 9),)))
    assert nn.kink_distance(CTX, on) == 0
    assert nn.kink_distance(None, _net()) > F(1, 20)
    for request in (hessian, nn.gradient):
        with pytest.raises(Degenerate, match="on a kink"):
            request(CTX, on)
    linear = _net(nn.LINEAR, on.biases)  # no kink for σ(z) = z
    assert hessian(CTX, linear).rows == len(linear.point().flat())


def test_flow_detects_a_crossed_kink():
    # z = w x with w = 1/100, x = 1, target −1: ẇ = −(w − (−1)) < 0, so z reaches 0 at t ≈ 0.01
    net = nn.ReluNetwork((((F(1, 100),),), ((F(1),),)), None, nn.RELU, ((F(1),),), ((F(-1),),))
    with pytest.raises(Degenerate, match="crossed a kink"):
        flow.flow(CTX, net, F(1))
    flow.flow(CTX, net, F(1, 1000))  # well before the kink


def test_region_signs_are_the_signs_of_the_pre_activations():
    """z_1 = W_1 X + b_1 by hand, exactly: entries below 0, in (0, 1) and above 1, each read by
    its sign alone (none is 0: _net is off every kink)."""
    net = _net()
    z = [
        [sum(w * v for w, v in zip(row, col, strict=True)) + b for col in zip(*X, strict=True)]
        for row, b in zip(W1, B[0], strict=True)
    ]
    assert any(0 < v < 1 for r in z for v in r) and any(v > 1 for r in z for v in r)
    expected = [1 if v > 0 else -1 for r in z for v in r]
    assert flow.signs(net.point(CTX), net.data(CTX)[0], net) == expected


def _rounded(rows, ctx):
    """The entries of a matrix rounded to ctx, as the exact rationals they are (man_exp is
    (|mantissa|, exponent): the sign is read separately)."""

    def rational(v) -> F:
        man, exponent = v.man_exp
        return (-1 if v < 0 else 1) * F(man) * F(2) ** exponent

    return tuple(tuple(rational(exact(ctx, q)) for q in row) for row in rows)


def test_a_network_sees_its_rationals_only_through_their_ctx_roundings():
    """At ctx precision forward and gradient read X and θ rounded once to ctx (net.data(ctx),
    net.point(ctx)): a net whose entries already are those roundings gives identical bits."""
    net = _net()
    inputs = _rounded(net.inputs, CTX)
    assert inputs != net.inputs  # 1/3 and −2/3 are not binary fractions
    same_x = nn.ReluNetwork(net.weights, net.biases, net.activation, inputs, net.targets)
    assert nn.forward(CTX, same_x) == nn.forward(CTX, net)
    weights = tuple(_rounded(w, CTX) for w in net.weights)
    biases = tuple(_rounded((b,), CTX)[0] for b in net.biases)
    same_w = nn.ReluNetwork(weights, biases, net.activation, net.inputs, net.targets)
    assert nn.gradient(CTX, same_w).flat() == nn.gradient(CTX, net).flat()


def test_float64_matches_working_precision():
    net = _net(nn.leaky_relu(F(1, 4)))
    ws, bs = net.arrays64()
    x, y = (np.array(m, dtype=float) for m in (net.inputs, net.targets))
    assert nn.loss64(ws, bs, net.activation, x, y) == pytest.approx(float(nn.loss(CTX, net)))
    gw, gb = nn.gradient64(ws, bs, net.activation, x, y)
    fast = np.concatenate([np.concatenate([w.ravel(), b]) for w, b in zip(gw, gb, strict=True)])
    assert np.allclose(fast, [float(g) for g in nn.gradient(CTX, net).flat()], atol=1e-14)
    assert nn.forward64(ws, bs, net.activation, x).shape == (1, 3)


@pytest.mark.parametrize("activation", [nn.RELU, nn.leaky_relu(F(1, 10)), nn.LINEAR])
def test_gd_step_changes_unit_balance_by_exactly_the_second_order_term(activation):
    # exact rational arithmetic: the identity holds with ==, and the η² term is not zero
    net, eta = _net(activation), F(1, 10)
    point, (x, y) = net.point(), net.data()
    g = nn.gradient_with(point, x, y, activation.pointwise, F(1, net.samples))
    after = nn.unit_balances(point.step(g, eta))
    before, second = nn.unit_balances(point), nn.unit_products(g, g)
    assert all(u == 0 for u in nn.unit_products(point, g)[0])
    assert [a - b for a, b in zip(after[0], before[0], strict=True)] == [
        eta**2 * s for s in second[0]
    ]
    assert any(s != 0 for s in second[0])


def _quadratic(ctx):
    """σ(z) = z + z²/2, σ'(z) = 1 + z: a polynomial, not positively homogeneous."""
    half = ctx.one / 2

    def pointwise(k, z):
        return (
            [[x + x * x * half for x in row] for row in z],
            [[x + 1 for x in row] for row in z],
        )

    return pointwise


def test_a_non_homogeneous_activation_breaks_both_identities():
    net = _net(nn.LINEAR)
    point, (x, y) = net.point(CTX), net.data(CTX)
    quadratic = _quadratic(CTX)
    g = nn.gradient_with(point, x, y, quadratic, CTX.one / net.samples)
    assert max(abs(u) for u in nn.unit_products(point, g)[0]) > 1e-3
    end = flow.integrate(CTX, point, x, y, quadratic, CTX.one / 4)
    drift = [
        a - b for a, b in zip(nn.unit_balances(end)[0], nn.unit_balances(point)[0], strict=True)
    ]
    assert max(abs(d) for d in drift) > 1e-4
    linear_end = flow.flow(CTX, net, F(1, 4))
    kept = zip(nn.unit_balances(linear_end)[0], nn.unit_balances(point)[0], strict=True)
    assert max(abs(a - b) for a, b in kept) < CTX.mpf(10) ** -30


def test_layer_balance_is_the_outgoing_minus_the_incoming_squared_norm():
    """‖W_2‖_F² − ‖W_1‖_F² − ‖b_1‖², exactly, for the (2, 3, 1) network."""
    squares = [sum(x * x for row in rows for x in row) for rows in (W2, W1, B[:1])]
    assert nn.layer_balances(_net().point()) == [squares[0] - squares[1] - squares[2]]


def _draws(strategy, n: int = 50) -> list:
    """The first n examples Hypothesis draws from `strategy` (derandomized: the same every
    time; no cache, so a run under a mutated strategy draws afresh)."""
    out = []

    @settings(max_examples=n, derandomize=True, database=None, deadline=None)
    @given(strategy)
    def record(value):
        out.append(value)

    record()
    return out


def test_networks_draw_the_whole_documented_domain():
    """docs/claims/nonlinear.md, N1 cases: depth 2–3, widths 1–4, 2–6 samples, entries in
    [−1, 1] (both ends drawn), biases or none, every activation; never on a kink."""
    nets = _draws(networks())
    matrices = [m for net in nets for m in (*net.weights, net.inputs, net.targets)]
    entries = [x for m in matrices for row in m for x in row]
    entries += [x for net in nets for b in net.biases or () for x in b]
    assert min(entries) == -1 and max(entries) == 1
    assert {len(net.weights) for net in nets} == {2, 3}
    assert {d for net in nets for d in net.widths} == {1, 2, 3, 4}
    assert {net.samples for net in nets} == set(range(2, 7))
    assert {net.biases is None for net in nets} == {True, False}
    assert {net.activation for net in nets} == set(ACTIVATIONS)
    assert all(nn.kink_distance(None, net) > 0 for net in nets)


def test_balance_runs_draw_the_documented_horizons_steps_and_step_sizes():
    """τ = min(τ₀, margin/8) for (leaky) ReLU and τ = τ₀ ∈ [1/8, 1/2] for the linear
    activation; η ∈ [1/50, 1/10]; 1–5 GD steps (each drawn)."""
    runs = _draws(balance_runs())
    kinked = [r for r in runs if r.network.activation != nn.LINEAR]
    assert kinked and all(
        0 < r.horizon <= min(F(1, 2), nn.kink_distance(None, r.network) / 8) for r in kinked
    )
    linear = [r.horizon for r in runs if r.network.activation == nn.LINEAR]
    assert linear and all(F(1, 8) <= h <= F(1, 2) for h in linear)
    steps = [r.step for r in runs]
    assert all(F(1, 50) <= s <= F(1, 10) for s in steps)
    assert {r.steps for r in runs} == set(range(1, 6))


def test_n1_gd_identities_are_measured_on_the_documented_scales_from_the_first_step():
    # docs/claims/nonlinear.md: the GD identities are relative to the largest squared parameter
    # (times the largest gradient entry, for ⟨w_in, g_in⟩ = ⟨w_out, g_out⟩). Linear 1-1-1 net
    # w = (2, 2), x = 1, y = −4: g = (16, 16), and one step of η = 1/100 shrinks w to 1.84, so
    # the largest squared parameter, 4, is the start's.
    from verify.claims.nonlinear import n1_layers_balanced
    from verify.nonlinear.strategies import BalanceRun

    two = ((F(2),),)
    net = nn.ReluNetwork((two, two), None, nn.LINEAR, ((F(1),),), ((F(-4),),))
    ev = n1_layers_balanced(BalanceRun(net, F(1, 100), F(1, 100), 1), CTX)
    cross, step = (r.scale(CTX) for r in ev.relations[2:])
    assert ev.relations[2].name.startswith("max over steps and units of |⟨w_in, g_in⟩")
    assert ev.relations[3].name.startswith("max |unit balance' − balance − η²")
    assert (cross, step) == (4 * 16, 4)
    assert ev.holds(CTX)
