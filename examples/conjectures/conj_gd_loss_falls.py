"""A statistical conjecture: GD on a scalar network lowers the loss by more than 1%, in most runs.

Each case is one run (a start w_1..w_N, a step η, a number of steps); the rule decides over a
population of runs (docs/adding-a-conjecture.md, "Statistical conjectures").
"""

from verify import Rule, Vacuous, cases, conjecture, observed, tendency
from verify.precision import exact

RULE = Rule(
    effect="relative loss drop (L_0 − L_end) / L_0, L = ½(w_1⋯w_N − t)²",
    supports="drop > 0.01 (contradicts: < −0.01; else a tie)",
    threshold=0.01,
)


@conjecture(
    "X4",
    "GD on a scalar network lowers the loss by more than 1%, in most runs",
    cases=cases.scalar_runs(),
    rule=RULE,
)
def loss_falls(run, ctx):
    ws, t, eta = run.network.at(ctx), run.network.target_at(ctx), exact(ctx, run.step)

    def loss(ws):
        return (ctx.fprod(ws) - t) ** 2 / 2

    start = loss(ws)
    if start == 0:
        raise Vacuous("the run starts at a minimum")
    for _ in range(run.steps):
        g = ctx.fprod(ws) - t
        ws = [w - eta * g * ctx.fprod(ws[:i] + ws[i + 1 :]) for i, w in enumerate(ws)]
    drop = float((start - loss(ws)) / start)
    return observed(tendency({"loss drop": (drop, drop, drop)}, 0.01, "GD"), loss_end=loss(ws))
