"""Nonlinear networks (docs/claims/nonlinear.md): N1 (Du, Hu & Lee 2018) and N2 (minima
found in practice).

N1. For σ(z) = max(z, a z) (ReLU, leaky ReLU, linear) f is unchanged when a hidden unit's
incoming weights and bias are scaled by c > 0 and its outgoing weights by 1/c, so
⟨w_in, g_in⟩ = ⟨w_out, g_out⟩ for the gradient g = ∇L; along gradient flow every unit's
‖w_in‖² − ‖w_out‖² is then constant, and a GD step changes it by exactly
η²(‖g_in‖² − ‖g_out‖²).

N2. The experiment, its minima and the rotation baseline are computed in
`verify.nonlinear.practice`; the effects Δ_align, Δ_bal are defined there.

N2 is statistical (verify/population.py, rule `N2_RULE`): an experiment supports it when
both mean effects over its seeds, Δ_align and Δ_bal, exceed the practical threshold 0.02,
contradicts it when one lies below −0.02, and ties otherwise; the claim is decided over a
population of experiments by the Wilson interval of the supporting fraction. An experiment
where fewer than 4 seeds reach a polished GD minimum is vacuous. The
sharp-setting comparison (GD minima vs the large-init, small-step minima of the same seed) is
reported with its intervals but does not decide: it asks how flatness and structure go
together, not whether the linear-network predictions hold.
The SGD minima get the same rotation-baseline effects (`sgd_align_vs_rotation`,
`sgd_balance_vs_rotation`), also reported, not deciding: the claim is about the minima GD
reaches. The SGD runs come after the GD and sharp runs in the plan and train in their own
batched call, so the GD and sharp results (and their rotation seeds) do not depend on them.

Precision: the statistics are float64 measurements; working precision confirms the sharpness.
At the first GD end point the Hessian is formed at ctx.dps digits (`training.sharpness_mp`,
weights taken exactly, same frozen activation pattern) and the relation asks the float64
power-iteration λ_max to agree with its top eigenvalue to `AGREEMENT` relative. This confirms
the float64 number at that point, not that the point is the limit of GD; `lambda_min_mp`
(≥ −small at a near-minimum) is reported with it.
"""

from __future__ import annotations

from mpmath.ctx_mp import MPContext

from verify.claim import Claim, Family, Status
from verify.evidence import Evidence, Vacuous, at_most, equal, evidence, observed
from verify.nonlinear import flow
from verify.nonlinear import network as nn
from verify.nonlinear import training as tr
from verify.nonlinear.practice import PracticeExperiment, average, effects, outcome
from verify.nonlinear.strategies import BalanceRun, balance_runs, practice_experiments
from verify.population import Rule, tendency
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


KINK = 1e-6  # minima with a pre-activation closer than this to 0 sit on a ReLU kink

AGREEMENT = 1e-4  # relative agreement of float64 λ_max with the working-precision value


N2_THRESHOLD = 0.02  # Δ_align, Δ_bal (differences of [0, 1] measures) below this are ties

N2_RULE = Rule(
    effect="Δ_align, Δ_bal: mean over seeds of GD minus rotation baseline",
    supports="both mean effects > 0.02 (contradicts: one < −0.02; else a tie)",
    threshold=N2_THRESHOLD,
)


def n2_practice(exp: PracticeExperiment, ctx: MPContext) -> Evidence:
    """N2: GD-found minima of a ReLU student are more aligned and more balanced than the
    same-norm rotation baseline: Δ_align, Δ_bal > 0.02 (module doc)."""
    out = outcome(exp)
    gd = [m for m in out.minima if m.setting == "gd"]
    seeds = {m.seed for m in gd}
    if len(seeds) < 4:
        raise Vacuous(f"only {len(seeds)} seeds reached a polished GD minimum")
    eff = effects(out)
    align, bal = eff["align_vs_rotation"], eff["balance_vs_rotation"]
    seen = tendency(
        {"Δ_align": align[:3], "Δ_bal": bal[:3]}, N2_THRESHOLD, "GD vs rotation baseline"
    )
    x, y = exp.data()
    lam_min, lam_max = tr.sharpness_mp(ctx, list(gd[0].weights), x, y)
    gap = abs(gd[0].sharpness - lam_max) / lam_max
    sharp = [m for m in out.minima if m.setting == "sharp"]
    sgd = [m for m in out.minima if m.setting == "sgd"]
    values = {
        "runs": out.count(("gd", "sharp")),
        "gd_minima": len(gd),
        "sharp_minima": len(sharp),
        "diverged": out.count(("gd", "sharp"), "diverged"),
        "stalled": out.count(("gd", "sharp"), "stalled"),
        "seeds": len(seeds),
        "gd_alignment": average(gd, lambda m: m.structure[0]),
        "baseline_alignment": average(gd, lambda m: m.baseline[0]),
        "gd_imbalance": average(gd, lambda m: m.structure[1]),
        "baseline_imbalance": average(gd, lambda m: m.baseline[1]),
        "gd_unit_imbalance": average(gd, lambda m: m.structure[2]),
        "gd_sharpness": average(gd, lambda m: m.sharpness),
        "sharp_sharpness": average(sharp, lambda m: m.sharpness),
        "sharp_alignment": average(sharp, lambda m: m.structure[0]),
        "sharp_imbalance": average(sharp, lambda m: m.structure[1]),
        "gd_on_kink": sum(m.margin <= KINK for m in gd),
        "batch": exp.batch,
        "sgd_runs": out.count(("sgd",)),
        "sgd_minima": len(sgd),
        "sgd_diverged": out.count(("sgd",), "diverged"),
        "sgd_stalled": out.count(("sgd",), "stalled"),
        "sgd_alignment": average(sgd, lambda m: m.structure[0]),
        "sgd_imbalance": average(sgd, lambda m: m.structure[1]),
        "sgd_sharpness": average(sgd, lambda m: m.sharpness),
        "lambda_max_mp": lam_max,
        "lambda_min_mp": lam_min,
        "lambda_rel_gap": gap,
    }
    for name, (mean, low, high, _) in eff.items():
        values |= {name: mean, f"{name}_low": low, f"{name}_high": high}
    return observed(
        seen,
        at_most(gap, AGREEMENT, "float64 λ_max agrees with the working-precision value"),
        **values,
    )


# Found by `flatminima verify N2 --profile ci` (seed 0, when N2 was decided case by case), kept
# as a member of every population: a two-unit teacher whose GD minima use ReLU(aᵀx), ReLU(−aᵀx)
# pairs (docs/claims/nonlinear.md, Results). Its outcome is recomputed on every run.
COUPLING_COUNTEREXAMPLE = PracticeExperiment(
    teacher=(2, 2, 1),
    student=(2, 4, 1),
    samples=6,
    data_seed=85,
    seeds=tuple(range(8)),
    steps=(0.05, 0.1),
    scale=0.2,
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
        family=Family.NONLINEAR,
        cost=0.5,
        derivation="N1",
    ),
    Claim(
        "N2",
        "Minima that GD reaches in small ReLU networks are more aligned (coupling path) and "
        "more balanced than same-norm random rotations of their layers (in most experiments, "
        "each over 8 seeds: Δ_align, Δ_bal > 0.02)",
        "Mulayoff & Michaeli 2020",
        Status.PAPER,
        practice_experiments(),
        n2_practice,
        family=Family.NONLINEAR,
        cost=0.25,
        examples=(COUPLING_COUNTEREXAMPLE,),
        rule=N2_RULE,
    ),
]
