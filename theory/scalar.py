"""Scalar deep linear network and the derivations of H4, G1, G2 and G6.

G1 and G2 also check their matrix analogues (theory/balance.py) for depths N = 2, 3.

Weights w_1, …, w_N (real, nonzero), data x = 1, target t:

    P = Π w_i,   L = ½ (P − t)²,   g = P − t,   D_ij = w_i² − w_j².

Indices of the Python API are 0-based: `imbalance(0, 1)` is D_12.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cached_property
from itertools import combinations
from math import factorial

import sympy
from sympy import (
    Derivative,
    Expr,
    Function,
    ImmutableMatrix,
    Integer,
    MatAdd,
    MatMul,
    Matrix,
    Rational,
    Symbol,
)

from theory.balance import WIDTHS, MatrixBalance, matrix_flow_steps, matrix_step_steps
from theory.derivation import AT_LEAST, Derivation, Step

ETA = Symbol("eta", positive=True)  # learning rate η
TIME = Symbol("tau", real=True)  # time τ of the gradient flow


class ScalarNetwork:
    """The scalar network of depth n with symbolic weights w_1..w_n and target t."""

    def __init__(self, n: int):
        if n < 2:
            raise ValueError(f"depth must be at least 2, not {n}")
        self.n = n
        self.weights = sympy.symbols(f"w_1:{n + 1}", real=True, nonzero=True)
        self.target = Symbol("t", real=True)
        self.product = sympy.Mul(*self.weights)
        self.residual = self.product - self.target
        self.loss = self.residual**2 / 2
        self.pairs = tuple(combinations(range(n), 2))

    def product_without(self, *skip: int) -> Expr:
        """Π_{k ∉ skip} w_k; `product_without(i)` = ∂P/∂w_i."""
        return sympy.Mul(*(w for k, w in enumerate(self.weights) if k not in skip))

    @cached_property
    def product_gradient(self) -> ImmutableMatrix:
        """∇P, a column."""
        return ImmutableMatrix([sympy.diff(self.product, w) for w in self.weights])

    @cached_property
    def gradient(self) -> ImmutableMatrix:
        """∇L = g ∇P, a column (computed by differentiating L)."""
        return ImmutableMatrix([sympy.diff(self.loss, w) for w in self.weights])

    @cached_property
    def hessian(self) -> ImmutableMatrix:
        """∇²L = ∇P∇Pᵀ + g ∇²P."""
        return ImmutableMatrix(sympy.hessian(self.loss, self.weights))

    @cached_property
    def hessian_at_minimum(self) -> ImmutableMatrix:
        """∇²L on the minimum set P = t (t replaced by P): ∇P∇Pᵀ."""
        return self.hessian.subs(self.target, self.product)

    def gd_step(self, eta: Expr, loss: Expr | None = None) -> tuple[Expr, ...]:
        """Weights after one GD step on `loss` (default L): w_i' = w_i − η ∂loss/∂w_i."""
        loss = self.loss if loss is None else loss
        return tuple(w - eta * sympy.diff(loss, w) for w in self.weights)

    def imbalance(self, i: int, j: int) -> Expr:
        """D_ij = w_i² − w_j²."""
        return self.weights[i] ** 2 - self.weights[j] ** 2

    def imbalance_factor(self, i: int, j: int, eta: Expr, loss: Expr | None = None) -> Expr:
        """D_ij'/D_ij after one GD step, derived by cancelling (w_i'² − w_j'²)/(w_i² − w_j²)."""
        return sympy.cancel(self.step_ratio(i, j, eta, loss))

    def step_ratio(self, i: int, j: int, eta: Expr, loss: Expr | None = None) -> Expr:
        """(w_i'² − w_j'²)/(w_i² − w_j²) after one GD step, as written (not simplified)."""
        new = self.gd_step(eta, loss)
        return (new[i] ** 2 - new[j] ** 2) / self.imbalance(i, j)

    def ginsburg_factor(self, i: int, j: int, eta: Expr, g: Expr | None = None) -> Expr:
        """Ginsburg's closed form 1 − η² g² Π_{k≠i,j} w_k² (g: default the residual P − t)."""
        g = self.residual if g is None else g
        return 1 - eta**2 * g**2 * self.product_without(i, j) ** 2

    def sharpness_sum(self) -> Expr:
        """‖∇P‖² = Σ_i Π_{j≠i} w_j²."""
        return sympy.Add(*(self.product_without(i) ** 2 for i in range(self.n)))

    def inverse_square_sum(self) -> Expr:
        """Σ_i 1/w_i²."""
        return sympy.Add(*(1 / w**2 for w in self.weights))

    def on_unit_minimum(self) -> dict[Symbol, Expr]:
        """The minimum set of target 1 (P = 1), as w_n = 1/Π_{k<n} w_k."""
        return {self.weights[-1]: 1 / self.product_without(self.n - 1)}


def _sum(*terms: Expr) -> Expr:
    """A sum kept as written (for display); `doit` evaluates it."""
    return sympy.Add(*terms, evaluate=False)


def _product(*factors: Expr) -> Expr:
    """A product kept as written (for display); `doit` evaluates it."""
    return sympy.Mul(*factors, evaluate=False)


def h4_steps(n: int) -> list[Step]:
    """H4: H = ∇P∇Pᵀ + (P − t)∇²P; on P = t, H = ∇P∇Pᵀ and λ_max = ‖∇P‖² = t² Σ 1/w_i²."""
    net = ScalarNetwork(n)
    v = net.product_gradient
    outer = MatMul(v, v.T)
    minimum = {net.target: net.product}
    return [
        Step(
            net.hessian,
            MatAdd(
                outer,
                MatMul(net.residual, ImmutableMatrix(sympy.hessian(net.product, net.weights))),
            ),
            "product rule: ∇L = g ∇P, so ∇²L = ∇P∇Pᵀ + g ∇²P with g = P − t",
        ),
        Step(net.hessian, outer, "on the minimum set the residual g vanishes", where=minimum),
        Step(
            MatMul(v, v.T, v),
            MatMul(net.sharpness_sum(), v),
            "∇P is an eigenvector of the rank-one, positive semidefinite H = ∇P∇Pᵀ, "
            "so its eigenvalue ‖∇P‖² is λ_max and every other eigenvalue is 0",
        ),
        Step(sympy.Trace(outer), net.sharpness_sum(), "λ_max = tr H = ‖∇P‖²"),
        Step(
            net.sharpness_sum(),
            net.target**2 * net.inverse_square_sum(),
            "Π_{j≠i} w_j = P/w_i = t/w_i on the minimum set",
            where=minimum,
        ),
    ]


def imbalance_flow(net: ScalarNetwork, loss: Expr) -> tuple[dict, dict, Step]:
    """Gradient flow ẇ = −∇loss on paths w_i(τ): (path, along, the chain-rule step).

    `path` maps w_i to w_i(τ), `along` maps ẇ_i to −∂loss/∂w_i on the path, and the step is
    d/dτ D_ij = 2w_iẇ_i − 2w_jẇ_j for every pair i < j (one row each).
    """
    path = {w: Function(w.name, real=True)(TIME) for w in net.weights}
    along = {Derivative(path[w], TIME): -sympy.diff(loss, w).xreplace(path) for w in net.weights}
    ws = [path[w] for w in net.weights]
    chain = Step(
        Matrix([Derivative(net.imbalance(i, j).xreplace(path), TIME) for i, j in net.pairs]),
        Matrix([2 * ws[i] * ws[i].diff(TIME) - 2 * ws[j] * ws[j].diff(TIME) for i, j in net.pairs]),
        "chain rule, for every pair i < j (one row each)",
    )
    return path, along, chain


def gd_imbalance_steps(
    net: ScalarNetwork,
    loss: Expr,
    partials: Sequence[Expr],
    factor: Callable[[int, int], Expr],
    whys: tuple[str, str, str],
) -> list[Step]:
    """One GD step w_i' = w_i − η ∂loss/∂w_i, with ∂loss/∂w_i = `partials[i]`: D_ij'/D_ij is
    derived by cancelling and shown equal to `factor(i, j)`, hence D_ij' = D_ij factor(i, j).

    `whys` justify the gradient, the closed form of the factor and the final identity.
    """
    new = net.gd_step(ETA, loss)
    derived = Matrix([net.imbalance_factor(i, j, ETA, loss) for i, j in net.pairs])
    gradient_why, factor_why, final_why = whys
    return [
        Step(
            Matrix([w - ETA * Derivative(loss, w) for w in net.weights]),
            Matrix([w - ETA * p for w, p in zip(net.weights, partials, strict=True)]),
            gradient_why,
        ),
        Step(
            Matrix([net.step_ratio(i, j, ETA, loss) for i, j in net.pairs]),
            derived,
            "D_ij'/D_ij for every pair i < j (one row each): SymPy cancels the common factor "
            "w_i² − w_j²",
        ),
        Step(derived, Matrix([factor(i, j) for i, j in net.pairs]), factor_why),
        Step(
            Matrix([new[i] ** 2 - new[j] ** 2 for i, j in net.pairs]),
            Matrix([net.imbalance(i, j) * factor(i, j) for i, j in net.pairs]),
            final_why,
        ),
    ]


def g1_steps(n: int) -> list[Step]:
    """G1: along ẇ = −∇L, d/dτ D_ij = 2w_iẇ_i − 2w_jẇ_j = −2gP + 2gP = 0; for N = 2, 3 also
    d/dτ(W_{k+1}ᵀW_{k+1} − W_kW_kᵀ) = 0 for matrices."""
    net = ScalarNetwork(n)
    path, along, chain = imbalance_flow(net, net.loss)
    gp = (net.residual * net.product).xreplace(path)
    cancelling = Matrix([_sum(_product(-2, gp), _product(2, gp)) for _ in net.pairs])
    return [
        Step(
            Matrix([-Derivative(net.loss, w) for w in net.weights]),
            Matrix([-net.residual * net.product_without(i) for i in range(n)]),
            "gradient flow ẇ = −∇L, with ∂L/∂w_i = g Π_{k≠i} w_k",
        ),
        chain,
        Step(
            chain.rhs, cancelling, "along the flow w_i ẇ_i = −g w_i Π_{k≠i} w_k = −gP", where=along
        ),
        Step(cancelling, sympy.zeros(len(net.pairs), 1), "the two terms cancel"),
        *(matrix_flow_steps(MatrixBalance(n)) if n in WIDTHS else ()),
    ]


def g2_steps(n: int) -> list[Step]:
    """G2: a GD step gives D_ij' = D_ij [1 − η² g² Π_{k≠i,j} w_k²], the factor derived by SymPy;
    for N = 2, 3 also the matrix step, η²(G_{k+1}ᵀG_{k+1} − G_kG_kᵀ)."""
    net = ScalarNetwork(n)
    partials = [net.residual * net.product_without(i) for i in range(n)]
    whys = (
        "a GD step w' = w − η∇L, with ∂L/∂w_i = g Π_{k≠i} w_k",
        "Ginsburg's form",
        "hence D_ij' = w_i'² − w_j'² = D_ij [1 − η² g² Π_{k≠i,j} w_k²], with no division",
    )
    return [
        *gd_imbalance_steps(
            net, net.loss, partials, lambda i, j: net.ginsburg_factor(i, j, ETA), whys
        ),
        *(matrix_step_steps(MatrixBalance(n), ETA) if n in WIDTHS else ()),
    ]


def am_gm_witness(xs: Sequence[Expr]) -> Expr:
    """Σ x_i^n − n Π x_i (n = len(xs)) as Hurwitz's sum of terms nonnegative for x_i > 0:

    Σ_{k=1}^{n−1} c_k Σ_{i<j} Σ_{S} (x_i − x_j)² h_{n−k−1}(x_i, x_j) Π_{s∈S} x_s,

    with S over the (k−1)-subsets of the other indices, c_k = (k−1)!(n−k−1)!/(n−1)! and
    h_m(a, b) = Σ_{l=0}^m a^l b^(m−l).
    """
    n = len(xs)
    terms = []
    for k in range(1, n):
        weight = Rational(factorial(k - 1) * factorial(n - k - 1), factorial(n - 1))
        for i, j in combinations(range(n), 2):
            both = sympy.Add(*(xs[i] ** m * xs[j] ** (n - k - 1 - m) for m in range(n - k)))
            others = [x for m, x in enumerate(xs) if m not in (i, j)]
            terms += [
                weight * (xs[i] - xs[j]) ** 2 * both * sympy.Mul(*chosen)
                for chosen in combinations(others, k - 1)
            ]
    return sympy.Add(*terms)


def g6_steps(n: int) -> list[Step]:
    """G6: on P = 1, λ_max = Σ 1/w_i² ≥ N (= iff balanced; AM–GM by Hurwitz's witness);
    N = 2: λ_max = √(D² + 4)."""
    net = ScalarNetwork(n)
    v = net.product_gradient
    inverse = net.inverse_square_sum()
    mean = sympy.Pow(
        sympy.Mul(*(1 / w**2 for w in net.weights)), sympy.Rational(1, n), evaluate=False
    )
    geometric = _product(Integer(n), mean)
    means = sympy.symbols(f"a_1:{n + 1}", positive=True)
    minimum = net.on_unit_minimum()
    steps = [
        Step(
            sympy.Trace(MatMul(v, v.T)),
            inverse,
            "H4 with t = 1: λ_max = tr ∇P∇Pᵀ, and Π_{j≠i} w_j = P/w_i = 1/w_i on P = 1",
            where=minimum,
        ),
        Step(
            inverse,
            geometric,
            "AM–GM with a_i = |w_i|^(−2/N) > 0 (both sides are even in every w_i, so take "
            "w_i = a_i^(−N/2)): Σ a_i^N − N Π a_i is Hurwitz's sum of nonnegative terms",
            relation=AT_LEAST,
            witness=am_gm_witness(means),
            where={w: a ** Rational(-n, 2) for w, a in zip(net.weights, means, strict=True)},
        ),
        Step(geometric, Integer(n), "Π_i 1/w_i² = 1/P² = 1", where=minimum),
        Step(
            inverse,
            Integer(n),
            "equality when balanced (every w_i² = 1); AM–GM is strict otherwise, as every "
            "term of the witness has a factor (a_i − a_j)²",
            where={w**2: 1 for w in net.weights},
        ),
    ]
    if n > 2:
        return steps
    w1 = net.weights[0]
    both = w1**2 + 1 / w1**2
    return [
        *steps,
        Step(inverse, both, "N = 2: w_2 = 1/w_1 on P = 1", where=minimum),
        Step(
            both,
            sympy.sqrt(net.imbalance(0, 1) ** 2 + 4),
            "D² + 4 = (w_1² − w_1⁻²)² + 4 = (w_1² + w_1⁻²)²",
            where=minimum,
        ),
        Step(both, Integer(2), "sum of squares", relation=AT_LEAST, witness=(w1 - 1 / w1) ** 2),
    ]


DERIVATIONS = (
    Derivation(
        "H4",
        "The Hessian at a minimum is rank one",
        "At a minimum of the scalar network, H = ∇P∇Pᵀ and λ_max = ‖∇P‖² = t² Σ_i 1/w_i².",
        "standard (scalar case of H1)",
        h4_steps,
    ),
    Derivation(
        "G1",
        "Gradient flow conserves imbalance",
        "Along gradient flow every imbalance D_ij = w_i² − w_j² is constant; for matrix "
        "networks, so is every W_(k+1)ᵀW_(k+1) − W_kW_kᵀ.",
        "Ginsburg 2020",
        g1_steps,
    ),
    Derivation(
        "G2",
        "One GD step shrinks imbalance exactly",
        "One GD step multiplies D_ij by 1 − η² g² Π_{k≠i,j} w_k²; for matrix networks it "
        "changes W_(k+1)ᵀW_(k+1) − W_kW_kᵀ by exactly η²(G_(k+1)ᵀG_(k+1) − G_kG_kᵀ).",
        "Ginsburg 2020",
        g2_steps,
    ),
    Derivation(
        "G6",
        "Imbalance measures flatness",
        "On the minimum set P = 1, λ_max = Σ_i 1/w_i² ≥ N with equality iff balanced; "
        "for N = 2, λ_max = √(D² + 4).",
        "Ginsburg 2020",
        g6_steps,
        shown=2,
    ),
)
