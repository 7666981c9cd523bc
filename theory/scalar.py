"""Scalar deep linear network and the derivations of H4, G1, G2 and G6.

H4 and G2 hold for every depth N: they look at a generic pair w_i, w_j (`GenericPair`), the
product of the other weights a symbol Q_ij; G6 derives λ_max = Σ 1/w_i² that way too.

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
    MatMul,
    Matrix,
    Rational,
    Symbol,
)

from theory.derivation import AT_LEAST, Derivation, Step

ETA = Symbol("eta", positive=True)  # learning rate η
TIME = Symbol("tau", real=True)  # time τ of the gradient flow
DEPTH = Symbol("N", integer=True, positive=True)  # a symbolic depth
INDEX = Symbol("i", integer=True, positive=True)  # a summation index i = 1…N
WEIGHT = sympy.IndexedBase("w", real=True)  # w_i for a symbolic index


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


class GenericPair:
    """Weights w_i, w_j (i ≠ j) of a scalar network of any depth N ≥ 2, with the product of the
    others a symbol Q_ij = Π_{k≠i,j} w_k, free of w_i and w_j (Q_ij = 1 for N = 2):

        P = w_i w_j Q_ij,   L = ½(P − t)²,   g = P − t.
    """

    def __init__(self) -> None:
        self.first, self.second = sympy.symbols("w_i w_j", real=True, nonzero=True)
        self.others = Symbol("Q_{ij}", real=True, nonzero=True)
        self.target = Symbol("t", real=True)
        self.product = self.first * self.second * self.others
        self.residual = self.product - self.target
        self.loss = self.residual**2 / 2

    @property
    def weights(self) -> tuple[Symbol, Symbol]:
        """(w_i, w_j)."""
        return self.first, self.second

    @property
    def partials(self) -> tuple[Expr, Expr]:
        """∂P/∂w_i = w_j Q_ij = Π_{k≠i} w_k and ∂P/∂w_j = w_i Q_ij."""
        return self.second * self.others, self.first * self.others

    def gd_step(self, eta: Expr) -> tuple[Expr, Expr]:
        """(w_i', w_j') = (w_i − η g w_j Q_ij, w_j − η g w_i Q_ij)."""
        return tuple(
            w - eta * self.residual * p for w, p in zip(self.weights, self.partials, strict=True)
        )


GENERIC = (
    "for any depth N ≥ 2 and any pair i ≠ j, P = w_i w_j Q_ij with Q_ij = Π_{k≠i,j} w_k free "
    "of w_i and w_j"
)
SQUARES = sympy.Sum(WEIGHT[INDEX] ** -2, (INDEX, 1, DEPTH))  # Σ_{i=1}^N 1/w_i²


def gradient_norm(product: Expr) -> sympy.Sum:
    """‖∇P‖² = Σ_{i=1}^N (P/w_i)², with P given (a symbol, or t on the minimum set)."""
    return sympy.Sum((product / WEIGHT[INDEX]) ** 2, (INDEX, 1, DEPTH))


def h4_steps(_: int) -> list[Step]:
    """H4, every N: on P = t, ∂²L/∂w_i∂w_j = ∂_iP ∂_jP, so H = ∇P∇Pᵀ (rank one) and
    λ_max = ‖∇P‖² = Σ_i (P/w_i)² = t² Σ_i 1/w_i²."""
    pair = GenericPair()
    wi, wj = pair.weights
    di, dj = pair.partials
    entries = Matrix([[Derivative(pair.loss, wi, 2), Derivative(pair.loss, wi, wj)]])
    grad = sympy.MatrixSymbol(r"\nabla P", DEPTH, 1)
    product = Symbol("P", real=True)
    return [
        Step(
            Matrix([Derivative(pair.loss, w) for w in pair.weights]),
            Matrix([pair.residual * d for d in pair.partials]),
            f"{GENERIC}: ∂L/∂w_i = g ∂P/∂w_i with ∂P/∂w_i = w_j Q_ij = Π_(k≠i) w_k",
        ),
        Step(
            entries,
            Matrix([[di**2, _sum(di * dj, pair.residual * pair.others)]]),
            "the diagonal entry (i, i) and an off-diagonal entry (i, j) of ∇²L = ∇P∇Pᵀ + g ∇²P "
            "(∂²P/∂w_i² = 0, ∂²P/∂w_i∂w_j = Q_ij)",
        ),
        Step(
            entries,
            Matrix([[di**2, di * dj]]),
            "on the minimum set the residual g vanishes: H_ij = ∂_iP ∂_jP for all i, j, "
            "i.e. H = ∇P∇Pᵀ",
            where={pair.target: pair.product},
        ),
        Step(
            MatMul(MatMul(grad, grad.T), grad),
            MatMul(grad, MatMul(grad.T, grad)),
            "∇P (of symbolic length N) is an eigenvector of the rank-one, positive semidefinite "
            "H = ∇P∇Pᵀ with eigenvalue ‖∇P‖² = λ_max; H u = 0 for u ⊥ ∇P",
        ),
        Step(di, product / wi, "∂P/∂w_i = P/w_i", where={product: pair.product}),
        Step(
            gradient_norm(product),
            pair.target**2 * SQUARES,
            "so λ_max = ‖∇P‖² = Σ_(i=1)^N (P/w_i)² = t² Σ_i 1/w_i²",
            where={product: pair.target},
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
    """G1: along ẇ = −∇L, d/dτ D_ij = 2w_iẇ_i − 2w_jẇ_j = −2gP + 2gP = 0."""
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
    ]


def g2_steps(_: int) -> list[Step]:
    """G2, every N: a GD step gives D_ij' = D_ij [1 − η² g² Π_{k≠i,j} w_k²], the factor derived
    by SymPy for a generic pair."""
    pair = GenericPair()
    wi, wj = pair.weights
    new_i, new_j = pair.gd_step(ETA)
    imbalance = wi**2 - wj**2
    factor = 1 - ETA**2 * pair.residual**2 * pair.others**2
    derived = sympy.cancel((new_i**2 - new_j**2) / imbalance)
    return [
        Step(
            Matrix([w - ETA * Derivative(pair.loss, w) for w in pair.weights]),
            Matrix([new_i, new_j]),
            f"{GENERIC}: a GD step w' = w − η∇L, with ∂L/∂w_i = g w_j Q_ij = g Π_(k≠i) w_k",
        ),
        Step(
            (new_i**2 - new_j**2) / imbalance,
            derived,
            "D_ij'/D_ij: SymPy cancels the common factor w_i² − w_j²",
        ),
        Step(derived, factor, "Ginsburg's form, Q_ij² = Π_(k≠i,j) w_k²"),
        Step(
            new_i**2 - new_j**2,
            imbalance * factor,
            "hence D_ij' = D_ij [1 − η² g² Π_(k≠i,j) w_k²], with no division",
        ),
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


def g6_general() -> list[Step]:
    """G6, every N: on P = 1, λ_max = ‖∇P‖² = Σ_i 1/w_i² (H4 with t = 1)."""
    product = Symbol("P", real=True)
    return [
        Step(
            gradient_norm(product),
            SQUARES,
            "H4 (every depth N) with t = 1: λ_max = ‖∇P‖² = Σ_(i=1)^N (P/w_i)², and P = 1",
            where={product: 1},
        )
    ]


def g6_steps(n: int) -> list[Step]:
    """G6, depth n: Σ 1/w_i² ≥ N on P = 1 (= iff balanced; AM–GM by Hurwitz's witness);
    N = 2: λ_max = √(D² + 4)."""
    net = ScalarNetwork(n)
    inverse = net.inverse_square_sum()
    mean = sympy.Pow(
        sympy.Mul(*(1 / w**2 for w in net.weights)), sympy.Rational(1, n), evaluate=False
    )
    geometric = _product(Integer(n), mean)
    means = sympy.symbols(f"a_1:{n + 1}", positive=True)
    minimum = net.on_unit_minimum()
    steps = [
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
        sizes=(1,),
        shown=1,
        size_name="",
    ),
    Derivation(
        "G1",
        "Gradient flow conserves imbalance",
        "Along gradient flow every imbalance D_ij = w_i² − w_j² is constant.",
        "Ginsburg 2020",
        g1_steps,
    ),
    Derivation(
        "G2",
        "One GD step shrinks imbalance exactly",
        "One GD step multiplies D_ij by 1 − η² g² Π_{k≠i,j} w_k², for every depth N.",
        "Ginsburg 2020",
        g2_steps,
        sizes=(1,),
        shown=1,
        size_name="",
    ),
    Derivation(
        "G6",
        "Imbalance measures flatness",
        "On the minimum set P = 1, λ_max = Σ_i 1/w_i² ≥ N with equality iff balanced; "
        "for N = 2, λ_max = √(D² + 4).",
        "Ginsburg 2020",
        g6_steps,
        shown=2,
        general=g6_general,
        covers=("λ_max = Σ 1/w_i²", "λ_max ≥ N"),
    ),
)
