"""Imbalance under weight decay (G3) and noise augmentation (G4), for the scalar network.

G3: L_μ = L + (μ/2) Σ w_i². One GD step gives D_ij' = D_ij [(1 − ημ)² − η² g² Π_{k≠i,j} w_k²],
gradient flow gives dD_ij/dτ = −2μ D_ij, and a stationary point of L_μ is balanced.

G4: x = 1 + σε with E ε = 0, E ε² = 1, target 1: E ½(W x − 1)² = ½(W − 1)² + ½σ²W², minimised
at W* = 1/(1 + σ²); GD on it follows G2 with g_σ = (1 + σ²)W − 1, and a step on one sample x_t
follows G2 with g_t = (W x_t − 1) x_t.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import sympy
from sympy import Derivative, Eq, Expr, Function, Integer, Matrix, Poly, Symbol

from theory.derivation import Derivation, Step
from theory.scalar import ETA, TIME, ScalarNetwork, _sum, gd_imbalance_steps, imbalance_flow

MU = Symbol("mu", positive=True)  # weight decay μ
REGULARISED = Symbol("L_mu")  # how the printer shows L_μ = L + (μ/2) Σ w_i²
SIGMA = Symbol("sigma", positive=True)  # noise level σ
EPSILON = Symbol("varepsilon", real=True)  # the noise ε
MOMENTS = tuple(  # E ε^k, k = 1…4, as symbols
    Symbol(r"\mathbb{E}\,\varepsilon" + (f"^{{{k}}}" if k > 1 else "")) for k in range(1, 5)
)
NOISE = {MOMENTS[0]: Integer(0), MOMENTS[1]: Integer(1)}  # E ε = 0, E ε² = 1
SYMMETRIC = {**NOISE, MOMENTS[2]: Integer(0)}  # and E ε³ = 0
OUTPUT = Symbol("W", real=True)  # the end-to-end weight W = Π w_i
SAMPLE = Symbol("x_t", real=True)  # one sampled input x_t


def decayed_loss(net: ScalarNetwork) -> Expr:
    """L_μ = ½(P − t)² + (μ/2) Σ w_i²."""
    return net.loss + MU / 2 * sympy.Add(*(w**2 for w in net.weights))


def sample_loss(output: Expr, x: Expr) -> Expr:
    """½(W x − 1)² for end-to-end weight `output` = W and input x (target 1)."""
    return (output * x - 1) ** 2 / 2


def noisy_input() -> Expr:
    """x = 1 + σε."""
    return 1 + SIGMA * EPSILON


def expectation(expr: Expr) -> Expr:
    """E expr for expr polynomial in ε (degree ≤ 4): Σ_k c_k E ε^k, as written, c_k factored."""
    poly = Poly(expr, EPSILON)
    moments = (Integer(1), *MOMENTS)
    return _sum(*(sympy.factor(c) * moments[k] for (k,), c in reversed(poly.terms())))


def expected_loss() -> Expr:
    """E ½(W x − 1)² with E ε = 0 and E ε² = 1 substituted."""
    return expectation(sample_loss(OUTPUT, noisy_input())).doit().subs(NOISE)


def sample_gradient_factor(output: Expr, x: Expr) -> Expr:
    """g_t = (W x − 1) x: ∂/∂w_i ½(W x − 1)² = g_t Π_{k≠i} w_k."""
    return (output * x - 1) * x


def g3_steps(n: int) -> list[Step]:
    """G3: GD on L_μ: D_ij' = D_ij [(1 − ημ)² − η² g² Π_{k≠i,j} w_k²]; flow: dD/dτ = −2μD;
    stationary points of L_μ are balanced."""
    net = ScalarNetwork(n)
    loss = decayed_loss(net)

    def factor(i: int, j: int) -> Expr:
        return (1 - ETA * MU) ** 2 - ETA**2 * net.residual**2 * net.product_without(i, j) ** 2

    partials = [net.residual * net.product_without(i) + MU * w for i, w in enumerate(net.weights)]
    whys = (
        "a GD step on L_μ = L + (μ/2) Σ w_i², with ∂L_μ/∂w_i = g Π_{k≠i} w_k + μ w_i",
        "the weight-decay form",
        "hence D_ij' = D_ij [(1 − ημ)² − η² g² Π_{k≠i,j} w_k²], with no division",
    )
    path, along, chain = imbalance_flow(net, loss)
    gp = (net.residual * net.product).xreplace(path)
    ws = [path[w] for w in net.weights]
    terms = Matrix(
        [_sum(-2 * gp, -2 * MU * ws[i] ** 2, 2 * gp, 2 * MU * ws[j] ** 2) for i, j in net.pairs]
    )
    decay = sympy.dsolve(
        Eq(Function("D")(TIME).diff(TIME), -2 * MU * Function("D")(TIME)),
        ics={Function("D")(0): Symbol("D_0", real=True)},
    ).rhs
    stationary = {sympy.diff(loss, w): 0 for w in net.weights}
    weighted = [w * Derivative(loss, w) for w in net.weights]
    steps = [
        *gd_imbalance_steps(net, loss, partials, factor, whys),
        chain,
        Step(
            chain.rhs,
            terms,
            "along ẇ = −∇L_μ, w_i ẇ_i = −g w_i Π_{k≠i} w_k − μ w_i² = −gP − μ w_i²",
            where=along,
        ),
        Step(
            terms,
            Matrix([-2 * MU * net.imbalance(i, j).xreplace(path) for i, j in net.pairs]),
            "the gP terms cancel: dD_ij/dτ = −2μ D_ij",
        ),
        Step(
            Derivative(decay, TIME),
            -2 * MU * decay,
            "so D_ij(τ) = D_ij(0) exp(−2μτ) (found by dsolve with D(0) = D_0)",
        ),
        Step(
            Matrix(weighted),
            Matrix([net.residual * net.product + MU * w**2 for w in net.weights]),
            "w_i ∂L_μ/∂w_i = gP + μ w_i²",
        ),
        Step(
            Matrix([net.imbalance(i, j) for i, j in net.pairs]),
            Matrix([(weighted[i] - weighted[j]) / MU for i, j in net.pairs]),
            "hence, as μ > 0, μ D_ij = w_i ∂L_μ/∂w_i − w_j ∂L_μ/∂w_j (the gP terms cancel)",
        ),
        Step(
            Matrix([(weighted[i] - weighted[j]) / MU for i, j in net.pairs]),
            sympy.zeros(len(net.pairs), 1),
            "at a stationary point of L_μ (every ∂L_μ/∂w_i = 0) every D_ij = 0: balanced",
            where=stationary,
        ),
    ]
    return [replace(step, names={loss: REGULARISED}) for step in steps]


def g4_steps(n: int) -> list[Step]:
    """G4: E ½(Wx − 1)² = ½(W − 1)² + ½σ²W², W* = 1/(1 + σ²); GD on it and on one sample x_t
    follow G2 with g_σ = (1 + σ²)W − 1 and g_t = (W x_t − 1) x_t."""
    net = ScalarNetwork(n)
    sample = sample_loss(OUTPUT, noisy_input())
    mean_loss = expected_loss()
    gradient = sympy.diff(mean_loss, OUTPUT)
    (optimum,) = sympy.solve(gradient, OUTPUT)
    residual = (1 + SIGMA**2) * OUTPUT - 1
    expected_on_net = mean_loss.subs(OUTPUT, net.product)
    sample_on_net = sample_loss(net.product, SAMPLE)

    def g2_form(g: Expr) -> tuple[list[Expr], Callable[[int, int], Expr]]:
        """G2's partials g Π_{k≠i} w_k and factor 1 − η² g² Π_{k≠i,j} w_k², for this g."""
        partials = [g * net.product_without(i) for i in range(n)]
        return partials, lambda i, j: net.ginsburg_factor(i, j, ETA, g)

    noisy, noisy_factor = g2_form(residual.subs(OUTPUT, net.product))
    sampled, sampled_factor = g2_form(sample_gradient_factor(net.product, SAMPLE))
    powers = [EPSILON**k for k in range(1, 5)]
    noise_power = expectation(sample_gradient_factor(OUTPUT, noisy_input()) ** 2)
    return [
        Step(
            sample,
            expectation(sample).xreplace(dict(zip(MOMENTS, powers, strict=True))),
            "x = 1 + σε, expanded in powers of ε",
        ),
        Step(
            expectation(sample),
            _sum((OUTPUT - 1) ** 2 / 2, SIGMA**2 * OUTPUT**2 / 2),
            "taking expectations (linear in E ε and E ε²)",
            where=NOISE,
        ),
        Step(Derivative(mean_loss, OUTPUT), residual, "its derivative g_σ = (1 + σ²)W − 1"),
        Step(
            residual,
            0,
            "the unique root, found by solve: W* = 1/(1 + σ²); the expected loss is convex "
            "(second derivative 1 + σ² > 0), so W* is its minimiser",
            where={OUTPUT: optimum},
        ),
        Step(Derivative(mean_loss, OUTPUT, 2), 1 + SIGMA**2, "convexity"),
        *gd_imbalance_steps(
            net,
            expected_on_net,
            noisy,
            noisy_factor,
            (
                "GD on the expected loss with W = Π w_i: ∂/∂w_i = g_σ Π_{k≠i} w_k",
                "G2's form with g replaced by g_σ = (1 + σ²)W − 1",
                "hence D_ij' = D_ij [1 − η² g_σ² Π_{k≠i,j} w_k²]",
            ),
        ),
        *gd_imbalance_steps(
            net,
            sample_on_net,
            sampled,
            sampled_factor,
            (
                "one step on a sampled input x_t, loss ½(W x_t − 1)²: ∂/∂w_i = g_t Π_{k≠i} w_k "
                "with g_t = (W x_t − 1) x_t (the data enters g_t)",
                "G2's form with g replaced by g_t",
                "hence D_ij' = D_ij [1 − η² g_t² Π_{k≠i,j} w_k²]",
            ),
        ),
        Step(
            noise_power,
            SIGMA**2 * (SIGMA**4 + (MOMENTS[3] - 3) * SIGMA**2 + 1) / (1 + SIGMA**2) ** 2,
            "at the minimiser W* and for symmetric noise (E ε³ = 0), E g_t² = σ²(σ⁴ + (E ε⁴ − 3)σ² "
            "+ 1)/(1 + σ²)²: positive for Gaussian ε (E ε⁴ = 3), but 0 for ε = ±1 at σ = 1, "
            "where every sampled step leaves D_ij unchanged",
            where={**SYMMETRIC, OUTPUT: optimum},
        ),
    ]


DERIVATIONS = (
    Derivation(
        "G3",
        "Weight decay drives imbalance to zero",
        "With loss L + (μ/2) Σ w_i², one GD step multiplies D_ij by "
        "(1 − ημ)² − η² g² Π_{k≠i,j} w_k², gradient flow gives dD_ij/dτ = −2μ D_ij, and every "
        "regularised stationary point is balanced.",
        "Ginsburg 2020",
        g3_steps,
    ),
    Derivation(
        "G4",
        "Noise augmentation",
        "For x = 1 + σε (E ε = 0, E ε² = 1), the expected loss is ½(W − 1)² + ½σ²W² with "
        "minimiser 1/(1 + σ²); GD on it follows G2 with g_σ = (1 + σ²)W − 1, and a step on a "
        "sample x_t multiplies D_ij by 1 − η² g_t² Π_{k≠i,j} w_k², g_t = (W x_t − 1) x_t.",
        "Ginsburg 2020",
        g4_steps,
    ),
)
