"""The negative-control bank (tests/test_negative_controls.py, docs/reliability.md).

For every proved claim of the catalogue, at least one plausible *false* variant of it — a typo
a researcher could make: a wrong exponent, a missing factor, the loss with and without ½, the
whitened formula applied to non-whitened data, an inequality reversed, an index off by one, a
transposed product — written with the public API and computed with the same machinery (and
the same kind of cases) as the real check. Each is registered with status `false`, so every
run must refute it with a small counterexample; a control that came out verified would mean
the search does not reach the cases where the variant and the claim differ.

IDs are `NC_<claim>_<letter>`; `source` names the claim mutated and the mutation.
"""

from __future__ import annotations

from fractions import Fraction

from hypothesis import strategies as st

from verify import Vacuous, at_most, cases, conjecture, equal, evidence, observed, taylor
from verify import scalar as sc
from verify.claims.linear.resnet import _gd_limit
from verify.dynamics import flow as matrix_flow
from verify.dynamics import matrix, runs
from verify.dynamics.matrix import MatrixRun, decayed_minimum
from verify.dynamics.runs import MatrixFlow
from verify.dynamics.stationary import decayed_gradient
from verify.linear import curvature as cv
from verify.linear.flattest import (
    attaining_net,
    flattest,
    flattest_whitened,
    top_singular_value,
)
from verify.linear.network import LinearNetwork, Net
from verify.linear.run_strategies import resnet_runs
from verify.linear.structure import top_path
from verify.nonlinear import network as nn
from verify.nonlinear.strategies import BalanceRun, balance_runs
from verify.perceptron import experiments as ex
from verify.perceptron.capacity import gardner_integral
from verify.perceptron.enumerate import solution_counts
from verify.perceptron.gaussian import gauss_density, gauss_tail
from verify.perceptron.moments import Moments, mean_test, moments
from verify.population import CONTRADICTS, SUPPORTS, Observation, Rule
from verify.precision import exact
from verify.rationals import rationals


def _m(*rows) -> tuple:
    """A rational matrix from rows of integers."""
    return tuple(tuple(Fraction(x) for x in row) for row in rows)


# Counterexamples the quick search found (and shrank) once, registered with `examples=` so that
# every run refutes these costly controls without shrinking again (docs/reliability.md).
H3_FOUND = LinearNetwork(
    (_m((1, 1), (0, 1)), _m((1, -2), (0, 1)), _m((1, 1), (0, 1))), construction="gauge"
)
F5_FOUND = LinearNetwork(
    (_m((1, 0, 0), (0, 1, 1)), _m((1, 0)), _m((1,)), _m((1,))), construction="flattest"
)
H2_FOUND = LinearNetwork((_m((1, 0), (0, 1)), _m((1, 0), (0, 1))), construction="balanced")
G3_FOUND = runs.DecayRun(
    sc.ScalarNetwork((Fraction(1), Fraction(3, 4))),
    Fraction(1, 50),
    Fraction(1, 20),
    1,
    Fraction(1),
)
G3B_FOUND = MatrixRun(
    LinearNetwork((_m((Fraction(1, 2),)), _m((Fraction(1, 2),))), _m((4,)), _m((1,))),
    Fraction(1, 50),
    Fraction(1, 20),
    20000,
)
P1_FOUND = Fraction(1)
N1_FOUND = BalanceRun(
    nn.ReluNetwork((_m((1,)), _m((0,))), None, nn.RELU, _m((1, 1)), _m((0, 1))),
    Fraction(1, 8),
    Fraction(1, 50),
    1,
)
P1B_FOUND = Fraction(0)
N1B_FOUND = BalanceRun(
    nn.ReluNetwork(
        (_m((0,)), _m((1,))), ((Fraction(1),), (Fraction(0),)), nn.RELU, _m((0, 0)), _m((0, 0))
    ),
    Fraction(1, 8),
    Fraction(1, 50),
    1,
)
G1_FOUND = sc.ScalarFlow(sc.ScalarNetwork((Fraction(1), Fraction(1, 2))), Fraction(1, 4))
G1B_FOUND = MatrixFlow(
    LinearNetwork((_m((0, 0), (0, 1)), _m((0, 1), (0, 0))), None, _m((0, 0), (0, 0))),
    Fraction(1, 4),
)

MUTATES: dict[str, str] = {}  # control ID → the proved claim it mutates
MUTATION: dict[str, str] = {}  # control ID → the mutation, in words


def control(claim: str, letter: str, mutation: str, statement: str, cases, **kw):
    """@conjecture("NC_<claim>_<letter>", ..., status="false"), recording what it mutates."""
    cid = f"NC_{claim}_{letter}"
    MUTATES[cid], MUTATION[cid] = claim, mutation
    return conjecture(
        cid,
        statement,
        cases=cases,
        status="false",
        source=f"negative control of {claim}: {mutation}",
        **kw,
    )


# --- H1–H3: curvature at global minima --------------------------------------------------------


@control(
    "H1",
    "a",
    "the whitened trace formula on non-whitened data (S = Σx^{1/2} dropped)",
    "At a global minimum, any Σx: tr H = Σ_k ‖A_k‖_F² ‖B_k‖_F²",
    cases.global_minima(depth=(2, 3), width=(1, 2), whitened=False),
)
def trace_without_sigma(case, ctx):
    net = case.at(ctx)
    h = cv.full_hessian(net)
    wrong = ctx.fsum(
        cv.frobenius_sq(ctx, net.a(k)) * cv.frobenius_sq(ctx, net.b(k))
        for k in range(1, net.depth + 1)
    )
    return equal(ctx.fsum(h[i, i] for i in range(h.rows)), wrong, "tr H = Σ‖A_k‖²‖B_k‖²")


@control(
    "H1",
    "b",
    "the loss without ½ (L = tr((P − T)Σx(P − T)ᵀ) doubles the Gauss–Newton terms)",
    "At a global minimum: tr H = 2 Σ_k ‖A_kS‖_F² ‖B_k‖_F²",
    cases.global_minima(depth=(2, 3), width=(1, 2), whitened=None),
)
def trace_without_half(case, ctx):
    net = case.at(ctx)
    h = cv.full_hessian(net)
    return equal(ctx.fsum(h[i, i] for i in range(h.rows)), 2 * cv.trace_formula(net))


@control(
    "H2",
    "a",
    "Frobenius norms for spectral norms",
    "Whitened depth two: λ_max = ‖W1‖_F² + ‖W2‖_F²",
    cases.global_minima(depth=(2, 2), width=(1, 3)),
    examples=[H2_FOUND],
)
def depth_two_frobenius(case, ctx):
    net = case.at(ctx)
    w1, w2 = net.weights
    lam = max(cv.eigenvalues(ctx, cv.reduced_matrix(net)))
    return equal(lam, cv.frobenius_sq(ctx, w1) + cv.frobenius_sq(ctx, w2))


@control(
    "H3",
    "a",
    "the inequality reversed",
    "Whitened, any depth: λ_max ≥ Σ_k ‖A_k‖₂² ‖B_k‖₂²",
    cases.global_minima(depth=(2, 4), width=(1, 3)),
    examples=[H3_FOUND],
)
def upper_bound_reversed(case, ctx):
    net = case.at(ctx)
    lam = cv.sharpness(net)
    bound = ctx.fsum(
        cv.spectral_norm(ctx, net.a(k)) ** 2 * cv.spectral_norm(ctx, net.b(k)) ** 2
        for k in range(1, net.depth + 1)
    )
    return evidence(at_most(bound, lam, "Σ‖A_k‖₂²‖B_k‖₂² ≤ λ_max"), gap=bound - lam)


# --- H4, G6: scalar networks ------------------------------------------------------------------


@control(
    "H4",
    "a",
    "t for t² (wrong exponent on the target)",
    "Scalar network at a minimum: λ_max = t Σ_i 1/w_i²",
    cases.scalar_minima(depth=(2, 4)),
)
def scalar_target_exponent(m):
    return equal(m.sharpness(), m.target * sum(1 / w**2 for w in m.weights))


@control(
    "H4",
    "b",
    "Π_{j≠i} w_j for Π_{j≠i} w_j² (missing square)",
    "Scalar network at a minimum: λ_max = Σ_i Π_{j≠i} w_j",
    cases.scalar_minima(depth=(2, 4)),
)
def scalar_partials_unsquared(m):
    return equal(m.sharpness(), sum(sc.others(m.weights, i) for i in range(m.depth)))


@control(
    "G6",
    "a",
    "|D| + 2 for √(D² + 4) (root of a sum read as a sum of roots)",
    "On the scalar minimum set, N = 2: λ_max = |D| + 2",
    cases.scalar_minima(depth=(2, 2), target=1),
)
def depth_two_imbalance_linear(m):
    d = m.weights[0] ** 2 - m.weights[1] ** 2
    return equal(m.sharpness(), abs(d) + 2)


@control(
    "G6",
    "b",
    "Σ 1/w_i for Σ 1/w_i² (wrong exponent)",
    "On the scalar minimum set: λ_max = Σ_i 1/|w_i|",
    cases.scalar_minima(depth=(2, 4), target=1),
)
def inverse_weights_unsquared(m):
    return equal(m.sharpness(), sum(1 / abs(w) for w in m.weights))


# --- F1, F2, F5, F6: flattest minima ----------------------------------------------------------


@control(
    "F1",
    "a",
    "σ1^{2−1/N} for σ1^{2−2/N} (wrong exponent)",
    "Whitened, balanced minima: λ_max = N σ1^{2−1/N}",
    cases.balanced_minima(depth=(2, 4), width=(1, 3)),
)
def flattest_exponent(m):
    s1 = top_singular_value(m.ctx, m.target)
    return equal(m.sharpness(), m.depth * s1 ** (2 - m.ctx.one / m.depth))


@control(
    "F1",
    "b",
    "N − 1 for N in the exponent",
    "Whitened, balanced minima: λ_max = N σ1^{2−2/(N−1)}",
    cases.balanced_minima(depth=(2, 4), width=(1, 3)),
)
def flattest_exponent_n_minus_one(m):
    s1 = top_singular_value(m.ctx, m.target)
    return equal(m.sharpness(), m.depth * s1 ** (2 - m.ctx.mpf(2) / (m.depth - 1)))


def _f2_attained(case, ctx):
    """F2's constructed minimum (same widths): its λ_max, with the case at ctx."""
    net = case.at(ctx)
    best = flattest(ctx, net.target, net.sigma, net.depth)
    return net, cv.sharpness(attaining_net(ctx, case, best.direction))


NON_WHITENED = cases.global_minima(depth=(2, 2), width=(1, 2), whitened=False)


@control(
    "F2",
    "a",
    "F1's whitened formula applied to non-whitened data",
    "Any Σx: min over global minima of λ_max = N σ1^{2−2/N} (attained by F2's construction)",
    NON_WHITENED,
)
def flattest_whitened_formula_any_sigma(case, ctx):
    net, attained = _f2_attained(case, ctx)
    return equal(attained, flattest_whitened(ctx, net.target, net.depth))


@control(
    "F2",
    "b",
    "vᵀΣx v for vᵀΣx⁻¹v",
    "Any Σx: min λ_max = N max_v ‖v‖^{2/N}‖Tv‖^{2−2/N}/(vᵀΣx v) (attained by F2's construction)",
    NON_WHITENED,
)
def flattest_sigma_not_inverted(case, ctx):
    net, attained = _f2_attained(case, ctx)
    wrong = flattest(ctx, net.target, net.sigma**-1, net.depth)
    return equal(attained, wrong.value)


@control(
    "F5",
    "a",
    "A_k for A_{k+1} (‖W_{k−1}⋯W_1‖ for ‖W_k⋯W_1‖, off by one)",
    "Flattest whitened minima: σ1^{k/N} ≤ ‖A_k‖₂, k = 1..N−1",
    cases.flattest_minima(depth=(2, 4), width=(1, 3)),
)
def gains_off_by_one(m):
    s1 = top_singular_value(m.ctx, m.target)
    return evidence(
        *(
            at_most(s1 ** (m.ctx.mpf(k) / m.depth), cv.spectral_norm(m.ctx, m.a(k)), f"k={k}")
            for k in range(1, m.depth)
        )
    )


@control(
    "F5",
    "b",
    "the √N factor of the upper bound dropped",
    "Flattest whitened minima: ‖W_k⋯W_1‖₂ ≤ σ1^{k/N}, k = 1..N−1",
    cases.flattest_minima(depth=(2, 4), width=(1, 3)),
    examples=[F5_FOUND],
)
def gains_without_sqrt_n(m):
    s1 = top_singular_value(m.ctx, m.target)
    return evidence(
        *(
            at_most(cv.spectral_norm(m.ctx, m.a(k + 1)), s1 ** (m.ctx.mpf(k) / m.depth), f"k={k}")
            for k in range(1, m.depth)
        )
    )


def _coupled(net, gain):
    """F6's path equations with `gain` in place of σ1^{1/N}."""
    ctx, path = net.ctx, top_path(net)
    relations = []
    for k in range(1, net.depth + 1):
        w, before, after = net.weights[k - 1], path[k - 1], path[k]
        relations.append(equal(ctx.norm(w * before - gain * after), 0, f"W_{k} v_{k - 1}"))
        relations.append(equal(ctx.norm(w.T * after - gain * before), 0, f"W_{k}ᵀ v_{k}"))
    return evidence(*relations)


@control(
    "F6",
    "a",
    "σ1^{2/N} for σ1^{1/N} (the eigenvalue of W_kᵀW_k for the singular value of W_k)",
    "Flattest whitened minima: W_k v_{k−1} = σ1^{2/N} v_k = W_{k+1}ᵀ v_{k+1}",
    cases.flattest_minima(depth=(2, 4), width=(1, 3)),
)
def coupling_squared_gain(case, ctx):
    net = case.at(ctx)
    return _coupled(net, top_singular_value(ctx, net.target) ** (ctx.mpf(2) / net.depth))


@control(
    "F6b",
    "a",
    "σ1 for σ1^{1/N} (the whole gain in every layer)",
    "Trained minima (zero-init ResNet GD limits, weight-decay GD): W_k v_{k−1} = σ1 v_k",
    resnet_runs(depth=(2, 2), width=(1, 2)),
)
def trained_coupling_full_gain(case, ctx):
    if isinstance(case, MatrixRun):
        found, _ = decayed_minimum(case, ctx)
        net = Net(ctx, found.weights, found.sigma, found.product())
    else:
        net = _gd_limit(case, ctx)[1].net
    top = top_singular_value(ctx, net.target)
    if top < ctx.mpf(1) / 100:
        raise Vacuous("training reached P ≈ 0: no top path")
    return _coupled(net, top)


# --- G1–G4, G1b–G3b: dynamics -----------------------------------------------------------------


@control(
    "G1",
    "a",
    "w_i − w_j for w_i² − w_j² (missing square)",
    "Gradient flow conserves every w_i − w_j",
    cases.scalar_flows(depth=(2, 3), horizon=(Fraction(1, 4), Fraction(1, 2))),
    examples=[G1_FOUND],
)
def flow_conserves_differences(case, ctx):
    start = case.network.at(ctx)
    end = sc.flow(ctx, start, case.network.target_at(ctx), exact(ctx, case.horizon))
    return evidence(
        *(
            equal(end[i] - end[j], start[i] - start[j], f"w_{i + 1} − w_{j + 1}")
            for i in range(len(start))
            for j in range(i + 1, len(start))
        )
    )


@control(
    "G1b",
    "a",
    "W_{k+1}W_{k+1}ᵀ − W_kᵀW_k for W_{k+1}ᵀW_{k+1} − W_kW_kᵀ (transposed products)",
    "Matrix gradient flow (square layers) conserves every W_{k+1}W_{k+1}ᵀ − W_kᵀW_k",
    runs.matrix_flows(depth=(2, 2), width=(2, 2)),
    examples=[G1B_FOUND],
)
def matrix_flow_transposed(case, ctx):
    start, end = matrix_flow.flowed(ctx, case.network, case.horizon)

    def transposed(ws):
        m = [ctx.matrix(w) for w in ws]
        return [m[k] * m[k].T - m[k - 1].T * m[k - 1] for k in range(1, len(m))]

    gap = max(
        abs(x) for b0, b1 in zip(transposed(start), transposed(end), strict=True) for x in (b1 - b0)
    )
    return equal(gap, 0, "max entry of change", size=1)


def _worst(ctx, ws, nxt, factor):
    """max over pairs of |D_ij' − D_ij · factor(i, j)| / scale, as steps.worst_factor_error."""
    before, after = sc.imbalances(ws), sc.imbalances(nxt)
    worst = ctx.zero
    for (i, j), d in before.items():
        size = max(ctx.one, ws[i] ** 2 + ws[j] ** 2, nxt[i] ** 2 + nxt[j] ** 2)
        worst = max(worst, abs(after[(i, j)] - d * factor(i, j)) / size)
    return worst


@control(
    "G2",
    "a",
    "Π_{k≠i,j} w_k for Π_{k≠i,j} w_k² (missing square)",
    "A GD step multiplies D_ij by 1 − η²g²Π_{k≠i,j} w_k",
    cases.scalar_runs(depth=(2, 4), steps=(1, 3)),
)
def gd_factor_unsquared(case, ctx):
    ws, t, eta = case.network.at(ctx), case.network.target_at(ctx), exact(ctx, case.step)
    worst = ctx.zero
    for _ in range(case.steps):
        nxt, g = sc.gd_step(ctx, ws, t, eta), sc.others(ws) - t

        def factor(i, j, ws=ws, g=g):
            return 1 - eta**2 * g**2 * sc.others(ws, i, j)

        worst = max(worst, _worst(ctx, ws, nxt, factor))
        ws = nxt
    return equal(worst, 0, "max |D_ij' − D_ij(1 − η²g²Π w_k)|")


def _largest(ctx, ms):
    return max(
        (abs(m[i, j]) for m in ms for i in range(m.rows) for j in range(m.cols)), default=ctx.zero
    )


@control(
    "G2b",
    "a",
    "(1 − ημ) for (1 − ημ)² (missing square)",
    "Matrix GD step with weight decay: balance' = (1−ημ) balance + η²(G_{k+1}ᵀG_{k+1} − G_kG_kᵀ)",
    runs.matrix_runs(depth=(2, 2), width=(1, 2), decay=True),
)
def decay_factor_unsquared(case, ctx):
    net = case.network.at(ctx)
    eta, mu = exact(ctx, case.step), exact(ctx, case.decay)
    nxt, grads = matrix.decayed_step(net, eta, mu)
    predicted = [
        (1 - eta * mu) * b + eta**2 * gb
        for b, gb in zip(cv.balance(net), matrix.gradient_balance(grads), strict=True)
    ]
    gap = _largest(ctx, [a - p for a, p in zip(cv.balance(nxt), predicted, strict=True)])
    return equal(gap, 0, "max entry of balance' − prediction", size=1)


@control(
    "G2b",
    "b",
    "G_{k+1}G_{k+1}ᵀ − G_kᵀG_k for G_{k+1}ᵀG_{k+1} − G_kG_kᵀ (transposed gradient products)",
    "Matrix GD step (square layers): balance' = (1−ημ)² balance + η²(G_{k+1}G_{k+1}ᵀ − G_kᵀG_k)",
    runs.matrix_runs(depth=(2, 2), width=(2, 2)),
)
def gradient_balance_transposed(case, ctx):
    net = case.network.at(ctx)
    eta, mu = exact(ctx, case.step), exact(ctx, case.decay)
    nxt, g = matrix.decayed_step(net, eta, mu)
    predicted = [
        (1 - eta * mu) ** 2 * b + eta**2 * (g[k + 1] * g[k + 1].T - g[k].T * g[k])
        for k, b in enumerate(cv.balance(net))
    ]
    gap = _largest(ctx, [a - p for a, p in zip(cv.balance(nxt), predicted, strict=True)])
    return equal(gap, 0, "max entry of balance' − prediction", size=1)


@control(
    "G3",
    "a",
    "e^{−μτ} for e^{−2μτ} (missing factor 2)",
    "Weight-decay gradient flow: D_ij(τ) = D_ij(0) e^{−μτ}",
    runs.decay_runs(depth=(2, 3)),
    examples=[G3_FOUND],
)
def decay_flow_rate_halved(case, ctx):
    ws, t = case.network.at(ctx), case.network.target_at(ctx)
    mu, tau = exact(ctx, case.decay), exact(ctx, case.horizon)

    def field(ys):
        return [-d for d in decayed_gradient(ctx, ys, t, mu)]

    end = taylor.integrate(ctx, field, ws, tau)
    before, after = sc.imbalances(ws), sc.imbalances(end)
    size = 1 + max(w * w for w in ws + end)
    return evidence(
        *(equal(after[p], before[p] * ctx.exp(-mu * tau), f"D_{p}", size=size) for p in before)
    )


@control(
    "G3b",
    "a",
    "F1's whitened formula applied to non-whitened data",
    "Weight-decay stationary points, any Σx: λ_max (as a minimum of its own product P) ="
    " N σ1(P)^{2−2/N}",
    runs.decayed_problems(depth=(2, 2), width=(1, 2)),
    examples=[G3B_FOUND],
)
def decayed_flattest_any_sigma(case, ctx):
    if case.network.whitened:
        raise Vacuous("whitened data: the formula holds there (G3b)")
    net, _ = decayed_minimum(case, ctx)
    product = net.product()
    own = Net(ctx, net.weights, net.sigma, product)
    return equal(cv.sharpness(own), flattest_whitened(ctx, product, net.depth))


@control(
    "G4",
    "a",
    "½σ²W² without its ½",
    "Noise x = 1 + σε (ε = ±1): E ½(Wx − 1)² = ½(W − 1)² + σ²W²",
    runs.noise_runs(depth=(2, 3)),
)
def noise_loss_without_half(case, ctx):
    sigma = exact(ctx, case.sigma)
    p = sc.others(case.network.at(ctx))
    averaged = sum(((p * (1 + sigma * e) - 1) ** 2 / 2 for e in (1, -1)), ctx.zero) / 2
    return equal(averaged, (p - 1) ** 2 / 2 + sigma**2 * p**2)


@control(
    "G4",
    "b",
    "1/(1 + σ)² for 1/(1 + σ²)",
    "Noise x = 1 + σε: the expected loss ½(W−1)² + ½σ²W² is stationary at W* = 1/(1 + σ)²",
    runs.noise_runs(depth=(2, 3)),
)
def noise_minimiser_squared_sum(case, ctx):
    sigma = exact(ctx, case.sigma)
    w = 1 / (1 + sigma) ** 2
    return equal((1 + sigma**2) * w - 1, 0, "∂/∂W of the expected loss at W*")


# --- P1, P3: perceptrons ----------------------------------------------------------------------


@control(
    "P1",
    "a",
    "H(κ) for H(−κ) (sign of the tail's argument)",
    "Spherical perceptron: ∫_{−κ}^∞ Dz (z+κ)² = (1+κ²)H(κ) + κG(κ)",
    rationals(0, 3),
    examples=[P1_FOUND],
)
def gardner_tail_sign(case, ctx):
    kappa = exact(ctx, case)
    closed = (1 + kappa**2) * gauss_tail(ctx, kappa) + kappa * gauss_density(ctx, kappa)
    return equal(gardner_integral(ctx, kappa), closed)


@control(
    "P1",
    "b",
    "G(κ) for κG(κ) (a missing factor κ)",
    "Spherical perceptron: ∫_{−κ}^∞ Dz (z+κ)² = (1+κ²)H(−κ) + G(κ)",
    rationals(0, 3),
    examples=[P1B_FOUND],
)
def gardner_density_unweighted(case, ctx):
    kappa = exact(ctx, case)
    closed = (1 + kappa**2) * gauss_tail(ctx, -kappa) + gauss_density(ctx, kappa)
    return equal(gardner_integral(ctx, kappa), closed)


P3_RULE = Rule(
    effect="mean count / (2^{N−1} p₁^M) − 1 over the experiment's instances (± 4 SE)",
    supports="the distribution-free p-value of mean count = 2^{N−1} p₁^M is ≥ 1e-4",
    threshold=1e-4,
)


@control(
    "P3",
    "a",
    "2^{N−1} for 2^N (w and −w counted once)",
    "First moment: E #{w ∈ {±1}^N : κ(w) ≥ κ} = 2^{N−1} H(κ)^M",
    st.builds(
        ex.FirstMoment,
        ex.experiments((8, 12), (Fraction(1, 4), Fraction(1, 2)), 300),
        rationals(Fraction(-1, 2), 0, max_denominator=6),
    ),
    rule=P3_RULE,
)
def first_moment_halved(case, ctx):
    exp = case.experiment
    counts = solution_counts(exp.kind, exp.n, exp.m, exp.seeds(), case.kappa)
    mom = moments(ctx, exp.kind, exp.n, exp.m, case.kappa)
    test = mean_test(ctx, list(counts), Moments(mom.first / 2, mom.second / 2), 2**exp.n)
    mean = sum(counts) / len(counts) / float(test.expected) - 1
    effects = {"mean / expected − 1": (mean, mean, mean)}
    seen = Observation(SUPPORTS if test.p_value >= ctx.mpf(10) ** -4 else CONTRADICTS, effects)
    return observed(seen, p_value=test.p_value, expected_count=test.expected)


# --- N1: nonlinear networks -------------------------------------------------------------------


@control(
    "N1",
    "a",
    "η for η² (a first-order change)",
    "ReLU-type networks: a GD step changes every unit's ‖in‖² − ‖out‖² by η(‖g_in‖² − ‖g_out‖²)",
    balance_runs(),
    examples=[N1_FOUND],
)
def unit_balance_first_order(case, ctx):
    net = case.network
    point, eta, worst = net.point(ctx), exact(ctx, case.step), ctx.zero
    for _ in range(case.steps):
        g = nn.gradient(ctx, net, point)
        nxt = point.step(g, eta)
        before = [x for row in nn.unit_balances(point) for x in row]
        after = [x for row in nn.unit_balances(nxt) for x in row]
        change = [eta * x for row in nn.unit_products(g, g) for x in row]
        worst = max(
            [worst, *(abs(b - a - c) for a, b, c in zip(before, after, change, strict=True))]
        )
        point = nxt
    return equal(worst, 0, "max |balance' − balance − η(‖g_in‖² − ‖g_out‖²)|", size=1)


@control(
    "N1",
    "b",
    "the bias left out of a unit's incoming weights",
    "ReLU-type networks: ⟨W_k[j,:], g⟩ = ⟨W_{k+1}[:,j], g⟩ for every hidden unit (no bias term)",
    balance_runs(),
    examples=[N1B_FOUND],
)
def homogeneity_without_bias(case, ctx):
    net = case.network
    point = net.point(ctx)
    g = nn.gradient(ctx, net, point)
    worst = ctx.zero
    for k in range(len(point.weights) - 1):
        for j in range(len(point.weights[k])):
            ins = sum(x * y for x, y in zip(point.weights[k][j], g.weights[k][j], strict=True))
            outs = sum(
                r[j] * q[j] for r, q in zip(point.weights[k + 1], g.weights[k + 1], strict=True)
            )
            worst = max(worst, abs(ins - outs))
    return equal(worst, 0, "max over units of |⟨w_in, g_in⟩ − ⟨w_out, g_out⟩| without b_k", size=1)
