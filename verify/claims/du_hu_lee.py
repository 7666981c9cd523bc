"""Layers of homogeneous networks are automatically balanced (Du, Hu & Lee 2018): N1.

For σ(z) = max(z, a z) (ReLU, leaky ReLU, linear) f is unchanged when a hidden unit's incoming
weights and bias are scaled by c > 0 and its outgoing weights by 1/c, so ⟨w_in, g_in⟩ =
⟨w_out, g_out⟩ for the gradient g = ∇L; along gradient flow every unit's ‖w_in‖² − ‖w_out‖² is
then constant, and a GD step changes it by exactly η²(‖g_in‖² − ‖g_out‖²).
"""

from __future__ import annotations

from mpmath.ctx_mp import MPContext

from verify.claim import Claim, Status
from verify.evidence import Evidence, equal, evidence
from verify.nonlinear import flow
from verify.nonlinear import network as nn
from verify.nonlinear.strategies import BalanceRun, balance_runs
from verify.precision import exact

SOURCE = "Du, Hu & Lee 2018"


def _flat(rows: list) -> list:
    return [x for row in rows for x in row]


def _worst(ctx: MPContext, pairs) -> object:
    return max((abs(a - b) for a, b in pairs), default=ctx.zero)


def _size(ctx: MPContext, *points: nn.Point):
    """max(1, largest squared parameter): the scale the balances' rounding errors follow."""
    return max([ctx.one, *(x * x for p in points for x in p.flat())])


def n1_layers_balanced(case: BalanceRun, ctx: MPContext) -> Evidence:
    """Flow: every unit's ‖in‖² − ‖out‖² and every layer's ‖W_{k+1}‖² − ‖W_k‖² − ‖b_k‖² at τ
    equal their values at 0. GD: ⟨w_in, g_in⟩ = ⟨w_out, g_out⟩ and each step changes a unit's
    balance by exactly η²(‖g_in‖² − ‖g_out‖²), along the whole trajectory."""
    net = case.network
    start = net.point(ctx)
    end = flow.flow(ctx, net, case.horizon)
    flow_size = _size(ctx, start, end)
    unit_gap = _worst(ctx, zip(*map(_flat, map(nn.unit_balances, (start, end))), strict=True))
    layer_gap = _worst(ctx, zip(nn.layer_balances(start), nn.layer_balances(end), strict=True))
    eta = exact(ctx, case.step)
    point, cross, step_gap, step_size, second = start, ctx.zero, ctx.zero, ctx.one, ctx.zero
    grad_size = ctx.one
    for _ in range(case.steps):
        g = nn.gradient(ctx, net, point)
        nxt = point.step(g, eta)
        cross = max(cross, _worst(ctx, ((u, 0) for u in _flat(nn.unit_products(point, g)))))
        predicted = [eta**2 * q for q in _flat(nn.unit_products(g, g))]
        change = [
            b - a for a, b in zip(*map(_flat, map(nn.unit_balances, (point, nxt))), strict=True)
        ]
        step_gap = max(step_gap, _worst(ctx, zip(change, predicted, strict=True)))
        second = max([second, *map(abs, predicted)])
        step_size = max(step_size, _size(ctx, point, nxt))
        grad_size = max([grad_size, *(abs(x) for x in g.flat())])
        point = nxt
    return evidence(
        equal(unit_gap, 0, "max over units of |balance(τ) − balance(0)|", size=flow_size),
        equal(
            layer_gap, 0, "max over layers of |‖W_{k+1}‖² − ‖W_k‖² − ‖b_k‖² change|", size=flow_size
        ),
        equal(
            cross,
            0,
            "max over steps and units of |⟨w_in, g_in⟩ − ⟨w_out, g_out⟩|",
            size=step_size * grad_size,
        ),
        equal(
            step_gap, 0, "max |unit balance' − balance − η²(‖g_in‖² − ‖g_out‖²)|", size=step_size
        ),
        horizon=exact(ctx, case.horizon),
        kink_margin=nn.kink_distance(ctx, net),
        loss_at_horizon=nn.loss(ctx, net, end),
        largest_second_order_term=second,
    )


CLAIMS = [
    Claim(
        "N1",
        "ReLU/leaky-ReLU/linear networks: gradient flow conserves every hidden unit's ‖in‖² −"
        " ‖out‖² (so per layer ‖W_{k+1}‖² − ‖W_k‖² − ‖b_k‖²); a GD step changes it by"
        " η²(‖g_in‖² − ‖g_out‖²)",
        SOURCE,
        Status.PROVED,
        balance_runs(),
        n1_layers_balanced,
        family="nonlinear",
        cost=0.5,
        derivation="N1",
    ),
]
