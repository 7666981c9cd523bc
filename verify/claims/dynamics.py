"""Training dynamics: imbalance under GD, weight decay, noise and SGD (docs/claims/dynamics.md;
Ginsburg 2020): G1b, G2b, G3, G3b, G4, G5, G7.

Per-step identities (G2b–G4) are checked exactly along whole trajectories at the working
precision; the rates of G5 and G7 are measured over seeded runs and compared with their
predictions (verify/dynamics/rates.py). G5 and G7 are statistical (verify/population.py): an
experiment supports G5 when its mean measured/predicted rate over seeds is within 10% of 1
(`G5_RULE`), G7 when both rate ratios are within a factor 2 of 1 and every run shows the two
phases (`G7_RULE`); each is decided over a population of experiments.
"""

from __future__ import annotations

import math

from mpmath.ctx_mp import MPContext

from verify import scalar, taylor
from verify.claim import Claim, Family, Status
from verify.dynamics import data as noise
from verify.dynamics import flow, matrix, rates, runs, steps
from verify.dynamics.stationary import decayed_gradient, stationary_point
from verify.evidence import Evidence, Relation, at_most, equal, evidence, observed
from verify.linear import curvature as cv
from verify.linear.flattest import flattest_whitened
from verify.linear.network import Net
from verify.population import CONTRADICTS, Observation, Rule, agreement
from verify.precision import exact
from verify.stats import interval

SOURCE = "Ginsburg 2020"


def g1b_matrix_flow_conserves_balance(case: runs.MatrixFlow, ctx: MPContext) -> Evidence:
    """Gradient flow of a matrix network: W_{k+1}ᵀW_{k+1} − W_kW_kᵀ(τ) = its value at 0."""
    start, end = flow.flowed(ctx, case.network, case.horizon)
    gaps = [
        abs(x - y)
        for b0, b1 in zip(flow.balance(start), flow.balance(end), strict=True)
        for r0, r1 in zip(b0, b1, strict=True)
        for x, y in zip(r0, r1, strict=True)
    ]
    size = max(abs(x) for w in start + end for row in w for x in row) ** 2
    return evidence(
        equal(max(gaps), 0, "max entry of balance(τ) − balance(0)", size=max(size, ctx.one)),
        largest_entry=size,
    )


def g3_weight_decay(case: runs.DecayRun, ctx: MPContext) -> Evidence:
    """GD on L + (μ/2)Σw²: D_ij' = D_ij[(1−ημ)² − η²g²Π_{k≠i,j} w_k²] every step; gradient
    flow: D_ij(τ) = D_ij(0) e^{−2μτ}; the stationary point Newton reaches is balanced."""
    steps.check_schedule(case.step, case.decay)
    ws, t = case.network.at(ctx), case.network.target_at(ctx)
    eta, mu = exact(ctx, case.step), exact(ctx, case.decay)
    worst = ctx.zero
    for k in range(case.steps):
        g = scalar.others(ws) - t
        nxt = [w - eta * d for w, d in zip(ws, decayed_gradient(ctx, ws, t, mu), strict=True)]
        worst = max(worst, steps.worst_factor_error(ctx, ws, nxt, g, eta, mu))
        ws = nxt
        steps.guard(ws, k + 1)
    start = case.network.at(ctx)
    tau = exact(ctx, case.horizon)

    def field(ys):
        g = scalar.others(ys) - t
        return [-(g * scalar.others(ys, i)) - mu * y for i, y in enumerate(ys)]

    end = taylor.integrate(ctx, field, start, tau)
    decay = ctx.exp(-2 * mu * tau)
    flow_before, flow_after = scalar.imbalances(start), scalar.imbalances(end)
    rest = stationary_point(ctx, ws, t, mu)
    size = max(w * w for w in rest)
    return evidence(
        equal(worst, 0, "max over steps and pairs of |D_ij' − D_ij[(1−ημ)² − η²g²Π w_k²]|"),
        *(
            equal(
                flow_after[p],
                flow_before[p] * decay,
                f"flow: D_{p[0] + 1}{p[1] + 1}(τ) = D(0) e^{{−2μτ}}",
                size=max(w * w for w in start + end),  # the flow's own weights
            )
            for p in flow_before
        ),
        *(
            equal(d, 0, f"stationary point: D_{p[0] + 1}{p[1] + 1} = 0", size=size)
            for p, d in scalar.imbalances(rest).items()
        ),
        stationary_point=rest,
        stationary_residual=scalar.others(rest) - t,
    )


def g4_noise_augmentation(case: runs.NoiseRun, ctx: MPContext) -> Evidence:
    """x = 1 + σε: E½(Wx−1)² = ½(W−1)² + ½σ²W² (ε = ±1 exactly), minimiser 1/(1+σ²); GD on the
    expected loss multiplies D_ij by 1 − η²g̃²Π w_k², g̃ = (1+σ²)W − 1; each sampled-noise step
    by 1 − η²g_t²Π w_k², g_t = (Wx_t − 1)x_t; E g_t² > 0 at W* (imbalance keeps decaying)."""
    steps.check_schedule(case.step)
    sigma, eta = exact(ctx, case.sigma), exact(ctx, case.step)
    p0 = scalar.others(case.network.at(ctx))
    averaged = sum(((p0 * (1 + sigma * e) - 1) ** 2 / 2 for e in (1, -1)), ctx.zero) / 2
    w_star = 1 / (1 + sigma**2)
    expected_worst = sampled_worst = ctx.zero
    ws = case.network.at(ctx)
    for k in range(case.steps):  # GD on the expected loss, its gradient averaged over ε = ±1
        factor = sum((noise.noisy_factor(scalar.others(ws), sigma, e) for e in (1, -1)), 0) / 2
        nxt = steps.step(ws, factor, eta)
        g_tilde = (1 + sigma**2) * scalar.others(ws) - 1
        expected_worst = max(expected_worst, steps.worst_factor_error(ctx, ws, nxt, g_tilde, eta))
        ws = nxt
        steps.guard(ws, k + 1)
    ws = case.network.at(ctx)
    for k, eps in enumerate(noise.gaussian_noise(case.seed, case.steps)):
        g_t = noise.noisy_factor(scalar.others(ws), sigma, exact(ctx, eps))
        nxt = steps.step(ws, g_t, eta)
        sampled_worst = max(sampled_worst, steps.worst_factor_error(ctx, ws, nxt, g_t, eta))
        ws = nxt
        steps.guard(ws, k + 1)
    moment = noise.noise_moment(1 / (1 + case.sigma**2), case.sigma)
    return evidence(
        equal(averaged, noise.expected_noise_loss(p0, sigma), "E ½(Wx−1)² = ½(W−1)² + ½σ²W²"),
        equal((1 + sigma**2) * w_star - 1, 0, "∂/∂W of the expected loss vanishes at 1/(1+σ²)"),
        at_most(
            noise.expected_noise_loss(w_star, sigma),
            noise.expected_noise_loss(p0, sigma),
            "the expected loss at W* = 1/(1+σ²) is at most its value at the start",
        ),
        equal(expected_worst, 0, "expected-loss GD: D_ij' = D_ij(1 − η²g̃²Π w_k²) every step"),
        equal(sampled_worst, 0, "sampled noise: D_ij' = D_ij(1 − η²g_t²Π w_k²) every step"),
        at_most(0, exact(ctx, moment), "E g_t² ≥ 0 at W*"),
        Relation("E g_t² > 0 at W* (σ > 0)", "true", moment > 0),
        expected_g_sq_at_minimum=exact(ctx, moment),
        minimiser=w_star,
    )


def _largest_entry(ctx: MPContext, matrices: list):
    return max(
        (abs(m[i, j]) for m in matrices for i in range(m.rows) for j in range(m.cols)),
        default=ctx.zero,
    )


def g2b_matrix_balance_step(case: matrix.MatrixRun, ctx: MPContext) -> Evidence:
    """Every GD step (weight decay μ ≥ 0): W_{k+1}ᵀW_{k+1} − W_kW_kᵀ becomes (1 − ημ)² times
    itself plus η²(G_{k+1}ᵀG_{k+1} − G_kG_kᵀ), exactly, along the whole trajectory."""
    steps.check_schedule(case.step, case.decay)
    net = case.network.at(ctx)
    eta, mu = exact(ctx, case.step), exact(ctx, case.decay)
    worst, size = ctx.zero, ctx.one
    for _ in range(case.steps):
        nxt, grads = matrix.decayed_step(net, eta, mu)
        predicted = [
            (1 - eta * mu) ** 2 * b + eta**2 * gb
            for b, gb in zip(cv.balance(net), matrix.gradient_balance(grads), strict=True)
        ]
        after = cv.balance(nxt)
        worst = max(
            worst, _largest_entry(ctx, [a - p for a, p in zip(after, predicted, strict=True)])
        )
        size = max(size, _largest_entry(ctx, [w * w.T for w in nxt.weights + net.weights]))
        net = nxt
    return evidence(
        equal(
            worst,
            0,
            "max entry of balance' − [(1−ημ)² balance + η²(Gᵀ_{k+1}G_{k+1} − G_kG_kᵀ)]",
            size=size,
        ),
        final_loss=cv.loss(net),
    )


def g3b_decay_balances_matrices(case: matrix.MatrixRun, ctx: MPContext) -> Evidence:
    """GD on L + (μ/2)Σ‖W_k‖² (float64), polished by Newton at working precision: at the
    stationary point every W_{k+1}ᵀW_{k+1} − W_kW_kᵀ vanishes, and with whitened data its
    λ_max is F1's flattest value N σ1(P)^{2−2/N} for its own product P."""
    net, residual = matrix.decayed_minimum(case, ctx)
    scale = max(ctx.one, _largest_entry(ctx, [w * w.T for w in net.weights]))
    product = net.product()
    relations = [
        equal(_largest_entry(ctx, cv.balance(net)), 0, "balance matrices vanish", size=scale),
        Relation(
            "the stationary point is not 0", "true", ctx.mnorm(product, "F") > ctx.mpf(1) / 100
        ),
    ]
    values = {
        "gradient_residual": residual,
        "layer_norms": [cv.spectral_norm(ctx, w) for w in net.weights],
    }
    if case.network.whitened:
        own = Net(ctx, net.weights, net.sigma, product)
        lam, flat = cv.sharpness(own), flattest_whitened(ctx, product, net.depth)
        relations.append(equal(lam, flat, "λ_max (as a minimum of its own product) = N σ1^{2−2/N}"))
        values |= {"lambda_max": lam, "flattest": flat}
    return evidence(*relations, **values)


G5_TOLERANCE = 0.1  # "≈": the measured rate within 10% of the leading-order prediction

G5_RULE = Rule(
    effect="measured/predicted − 1: the mean over seeds of the rate ratio, minus 1",
    supports="|mean ratio − 1| ≤ 0.1 (else it contradicts)",
    threshold=G5_TOLERANCE,
)


def g5_sgd_rate(exp: runs.SgdExperiment, ctx: MPContext) -> Evidence:
    """SGD on the minimum set: ln|D_ij| decays per step at ≈ η²s²/B Π_{k≠i,j} w_k².

    Each seeded run gives measured/predicted; the experiment supports the prediction when the
    mean ratio over the seeds is within G5_TOLERANCE of 1 (its ± 4 SE interval reported).
    """
    runs_ = [rates.sgd_rate(ctx, exp, seed) for seed in range(exp.seeds)]
    mean, low, high = interval([r.ratio for r in runs_])
    seen = agreement(
        {"ratio − 1": (mean - 1, low - 1, high - 1)}, G5_TOLERANCE, "SGD imbalance decay rate"
    )
    return observed(
        seen,
        measured_rate=sum(r.measured for r in runs_) / len(runs_),
        predicted_rate=sum(r.predicted for r in runs_) / len(runs_),
        ratio_mean=mean,
        ratio_low=low,
        ratio_high=high,
        spread=exp.data.spread(),
    )


ORDER_OF_MAGNITUDE = 2  # "rate ~ ηλ": measured within a factor 2 of the leading-order formula

G7_RULE = Rule(
    effect="log₂(measured/predicted) of the phase-1 rate ηλ and the phase-2 rate 2ημ (mean "
    "over seeds)",
    supports="both |log₂ ratio| ≤ 1 and every run has a phase boundary, a non-increasing "
    "phase-1 loss and a fast rate ≥ 10 × the slow one (else it contradicts)",
    threshold=1.0,
)


def g7_two_phases(exp: runs.PhaseExperiment, ctx: MPContext) -> Evidence:
    """GD with weight decay: phase 1, the loss falls monotonically to the minimum set at
    ~ ηλ per step; phase 2, the imbalance decays at ~ 2ημ per step, much slower.

    "~" is read as: the mean over seeds of measured/predicted lies within a factor
    ORDER_OF_MAGNITUDE of 1, for both rates (effects log₂ ratio, ± 4 SE intervals); the phases
    are separated when the fast rate is at least 10× the slow one in every run.
    """
    found = [rates.phases(ctx, exp, seed) for seed in range(len(exp.starts))]
    fast = interval([p.fast_measured / p.fast_predicted for p in found])
    slow = interval([p.slow_measured / p.slow_predicted for p in found])
    effects = {
        name: tuple(_log2(x) for x in ratio)
        for name, ratio in (("log₂ fast ratio", fast), ("log₂ slow ratio", slow))
    }
    shape = {
        "a run without a phase boundary": all(p.boundary for p in found),
        "a run whose phase-1 loss increases": all(p.monotone_until_boundary for p in found),
        "a run whose fast rate is < 10 × the slow one": all(
            10 * p.slow_measured <= p.fast_measured for p in found
        ),
    }
    broken = [what for what, ok in shape.items() if not ok]
    seen = agreement(effects, _log2(ORDER_OF_MAGNITUDE), "two-phase rates")
    if broken:
        seen = Observation(CONTRADICTS, effects, "two phases: " + "; ".join(broken))
    return observed(
        seen,
        boundaries=[p.boundary for p in found],
        fast_ratio_mean=fast[0],
        fast_ratio_interval=fast[1:],
        slow_ratio_mean=slow[0],
        slow_ratio_interval=slow[1:],
        fast_rate=found[0].fast_measured,
        slow_rate=found[0].slow_measured,
    )


def _log2(x: float) -> float:
    """log₂ x, −inf for x ≤ 0 (an interval end below 0)."""
    return math.log2(x) if x > 0 else -math.inf


CLAIMS = [
    Claim(
        "G1b",
        "Matrix gradient flow conserves every W_{k+1}ᵀW_{k+1} − W_kW_kᵀ",
        SOURCE,
        Status.PROVED,
        runs.matrix_flows(),
        g1b_matrix_flow_conserves_balance,
        family=Family.DYNAMICS,
        cost=0.25,
        derivation="G1b",
    ),
    Claim(
        "G2b",
        "Matrix GD step (weight decay μ ≥ 0): balance' = (1−ημ)² balance + η²(G_{k+1}ᵀG_{k+1} −"
        " G_kG_kᵀ)",
        SOURCE,
        Status.PROVED,
        runs.matrix_runs(decay=True) | runs.matrix_runs(),
        g2b_matrix_balance_step,
        family=Family.DYNAMICS,
        derivation="G2b",
    ),
    Claim(
        "G3",
        "Weight decay: D_ij' = D_ij[(1−ημ)² − η²g²Π w_k²]; flow dD/dt = −2μD; regularised minima"
        " are balanced",
        SOURCE,
        Status.PROVED,
        runs.decay_runs(),
        g3_weight_decay,
        family=Family.DYNAMICS,
        cost=0.5,
        derivation="G3",
    ),
    Claim(
        "G3b",
        "Matrix networks: weight-decay stationary points are balanced (W_{k+1}ᵀW_{k+1} = W_kW_kᵀ),"
        " and flattest for whitened data",
        SOURCE,
        Status.PROVED,
        runs.decayed_problems(),
        g3b_decay_balances_matrices,
        family=Family.DYNAMICS,
        cost=0.5,
    ),
    Claim(
        "G4",
        "Noise x = 1+σε: E loss ½(W−1)² + ½σ²W², W* = 1/(1+σ²); each step scales D_ij by"
        " 1 − η²g_t²Π w_k², E g_t² > 0 at W* (Gaussian ε)",
        SOURCE,
        Status.PROVED,
        runs.noise_runs(),
        g4_noise_augmentation,
        family=Family.DYNAMICS,
        derivation="G4",
    ),
    Claim(
        "G5",
        "Mini-batch SGD on the minimum set: ln|D_ij| decays ≈ η²s²/B Π_{k≠i,j} w_k² per step"
        " (within 10%, in most experiments)",
        SOURCE,
        Status.PAPER,
        runs.sgd_experiments(),
        g5_sgd_rate,
        family=Family.DYNAMICS,
        cost=0.5,
        rule=G5_RULE,
    ),
    Claim(
        "G7",
        "Two phases: loss falls monotonically at ~ηλ, then the imbalance D_ij decays at ~2ημ per "
        "step (weight decay; rates within a factor 2, in most experiments)",
        SOURCE,
        Status.PAPER,
        runs.phase_experiments(),
        g7_two_phases,
        family=Family.DYNAMICS,
        cost=0.5,
        rule=G7_RULE,
    ),
]
