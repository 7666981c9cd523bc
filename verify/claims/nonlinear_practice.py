"""N2: minima that GD reaches in small ReLU networks are balanced and coupled (THEORY.md §7).

The experiment, its minima and the rotation baseline are computed in
`verify.nonlinear.practice`; the effects Δ_align, Δ_bal are defined there.

Decision: verified when the lower ends of both 90% bootstrap intervals (of the mean effects
over seeds) are > 0; refuted (a counterexample)
when either interval lies wholly below 0; otherwise undecided → Degenerate (inconclusive, never
refuted, for lack of power). The sharp-setting comparison (GD minima vs the large-init,
small-step minima of the same seed) is reported with its intervals but does not decide: it
asks how flatness and structure go together, not whether the linear-network predictions hold.
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

from verify.claim import Claim, Status
from verify.evidence import Degenerate, Evidence, at_most, evidence
from verify.nonlinear import training as tr
from verify.nonlinear.practice import PracticeExperiment, average, effects, outcome
from verify.nonlinear.strategies import practice_experiments

KINK = 1e-6  # minima with a pre-activation closer than this to 0 sit on a ReLU kink
AGREEMENT = 1e-4  # relative agreement of float64 λ_max with the working-precision value


def n2_practice(exp: PracticeExperiment, ctx: MPContext) -> Evidence:
    """N2: GD-found minima of a ReLU student are more aligned and more balanced than the
    same-norm rotation baseline (bootstrap 90% intervals over seeds, module doc)."""
    out = outcome(exp)
    gd = [m for m in out.minima if m.setting == "gd"]
    seeds = {m.seed for m in gd}
    if len(seeds) < 4:
        raise Degenerate(f"only {len(seeds)} seeds reached a polished GD minimum")
    eff = effects(out)
    align, bal = eff["align_vs_rotation"], eff["balance_vs_rotation"]
    for name, (_mean, low, high, _) in (("alignment", align), ("balance", bal)):
        if low <= 0 < high or (low == high == 0):
            raise Degenerate(
                f"undecided: the 90% bootstrap interval [{low:.3f}, {high:.3f}] of the mean "
                f"{name} effect over {len(seeds)} seeds contains 0"
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
    return evidence(
        at_most(-align[1], 0, "GD more aligned than the rotation baseline (90% interval > 0)"),
        at_most(-bal[1], 0, "GD more balanced than the rotation baseline (90% interval > 0)"),
        at_most(gap, AGREEMENT, "float64 λ_max agrees with the working-precision value"),
        **values,
    )


# Found by `flatminima verify N2 --profile ci` (seed 0; shrunk by Hypothesis), kept so every
# profile checks it first: a two-unit teacher whose GD minima use ReLU(aᵀx), ReLU(−aᵀx) pairs
# (docs/claims/nonlinear.md, Results). Its verdict is recomputed on every run, never stored.
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
        "N2",
        "Minima that GD reaches in small ReLU networks are more aligned (coupling path) and "
        "more balanced than same-norm random rotations of their layers (bootstrap 90% "
        "intervals over ≥ 8 seeds)",
        "Mulayoff & Michaeli 2020",
        Status.PAPER,
        practice_experiments(),
        n2_practice,
        family="nonlinear",
        cost=0.25,
        examples=(COUPLING_COUNTEREXAMPLE,),
    ),
]
