"""G1b and G2b: the balance W_{k+1}ᵀW_{k+1} − W_kW_kᵀ of a deep linear network, for every depth,
width and input covariance, in noncommutative MatrixSymbol algebra.

A generic link k (1 ≤ k < N) sees the network as P = B W_{k+1} W_k A, where A = W_{k−1} ⋯ W_1
(I when k = 1) and B = W_N ⋯ W_{k+2} (I when k + 1 = N) are MatrixSymbols free of W_k and
W_{k+1}, all shapes symbols d_0, …, d_N. With Σx = S Sᵀ (S any d_0 × d_0 matrix: every
covariance) and L = ½ tr((P − T) Σx (P − T)ᵀ), SymPy's matrix calculus gives

    G_k = W_{k+1}ᵀBᵀ(P − T)ΣxAᵀ,   G_{k+1} = Bᵀ(P − T)ΣxAᵀW_kᵀ,   so W_{k+1}ᵀG_{k+1} = G_kW_kᵀ,

hence the first-order terms cancel: gradient flow conserves the balance (G1b), and the GD step
W_j' = (1 − ημ)W_j − ηG_j gives balance' = (1 − ημ)² balance + η²(G_{k+1}ᵀG_{k+1} − G_kG_kᵀ)
(G2b). Every identity is checked by expanding both sides as noncommutative polynomials.
"""

from __future__ import annotations

import sympy
from sympy import (
    Derivative,
    MatAdd,
    MatMul,
    MatrixExpr,
    MatrixSymbol,
    S,
    Symbol,
    Trace,
    Transpose,
    ZeroMatrix,
)

from theory.derivation import Derivation, Step
from theory.linear import Named
from theory.scalar import ETA

MU = Symbol("mu", nonnegative=True)  # weight decay μ ≥ 0
KEEP = Symbol("kappa", real=True)  # κ = 1 − ημ, the factor weight decay keeps
EPSILON = Symbol("epsilon", real=True)  # the step along the flow direction


class GenericLink:
    """Layers k and k + 1 of a deep linear network of any depth and widths: P = B W_{k+1} W_k A."""

    def __init__(self) -> None:
        d0, d1, d2, d3, dn = sympy.symbols(
            "d_0 d_{k-1} d_k d_{k+1} d_N", integer=True, positive=True
        )
        self.below = MatrixSymbol("A_{k}", d1, d0)  # A = W_{k−1} ⋯ W_1
        self.lower = MatrixSymbol("W_{k}", d2, d1)
        self.upper = MatrixSymbol("W_{k+1}", d3, d2)
        self.above = MatrixSymbol("B_{k+1}", dn, d3)  # B = W_N ⋯ W_{k+2}
        self.target = MatrixSymbol("T", dn, d0)
        self.factor = MatrixSymbol("S", d0, d0)  # Σx = S Sᵀ
        self.covariance = MatMul(self.factor, self.factor.T)
        self.product = MatMul(self.above, self.upper, self.lower, self.below)
        self.residual = MatAdd(self.product, -self.target)
        self.loss = Trace(MatMul(self.residual, self.covariance, self.residual.T)) / 2
        middle = (self.above.T, self.residual, self.covariance, self.below.T)
        self.closed_forms = (MatMul(self.upper.T, *middle), MatMul(*middle, self.lower.T))
        self.gradients: tuple[MatrixExpr, MatrixExpr] = (
            Named("G_{k}", self.closed_forms[0]),
            Named("G_{k+1}", self.closed_forms[1]),
        )  # G_k = W_{k+1}ᵀBᵀ(P − T)ΣxAᵀ, G_{k+1} = Bᵀ(P − T)ΣxAᵀW_kᵀ, displayed by name

    def balance(self, upper: MatrixExpr, lower: MatrixExpr) -> MatAdd:
        """Uᵀ U − L Lᵀ for the pair (U, L) = (W_{k+1}, W_k) or its replacements, displayed (the
        constructors keep named matrices unevaluated; `.T` and `*` would evaluate them)."""
        return MatAdd(MatMul(Transpose(upper), upper), negative(MatMul(lower, Transpose(lower))))

    @property
    def weight_balance(self) -> MatAdd:
        """W_{k+1}ᵀW_{k+1} − W_kW_kᵀ."""
        return self.balance(self.upper, self.lower)

    @property
    def gradient_balance(self) -> MatAdd:
        """G_{k+1}ᵀG_{k+1} − G_kG_kᵀ."""
        return self.balance(self.gradients[1], self.gradients[0])

    @property
    def first_order(self) -> MatAdd:
        """(G_{k+1}ᵀW_{k+1} + W_{k+1}ᵀG_{k+1}) − (G_kW_kᵀ + W_kG_kᵀ)."""
        (g, h), w, u = self.gradients, self.lower, self.upper
        return MatAdd(
            MatMul(Transpose(h), u),
            MatMul(Transpose(u), h),
            negative(MatMul(g, Transpose(w))),
            negative(MatMul(w, Transpose(g))),
        )

    def zero(self) -> ZeroMatrix:
        """The d_k × d_k zero matrix."""
        return ZeroMatrix(*self.weight_balance.shape)


def negative(x: MatMul | MatAdd) -> MatMul:
    """−X, displayed as written."""
    return MatMul(S.NegativeOne, *(x.args if isinstance(x, MatMul) else (x,)))


GENERIC = (
    "a generic link k of a linear network of any depth N ≥ 2 and widths: P = B W_(k+1) W_k A "
    "with A = W_(k−1) ⋯ W_1 and B = W_N ⋯ W_(k+2) (I at the ends), Σx = S Sᵀ for any S"
)


def gradient_steps(m: GenericLink) -> list[Step]:
    """G_k, G_{k+1} by SymPy's matrix calculus; the cancellation W_{k+1}ᵀG_{k+1} = G_kW_kᵀ."""
    lower, upper = m.closed_forms
    return [
        Step(
            Derivative(m.loss, m.lower),
            lower,
            f"{GENERIC}; L = ½ tr((P − T) Σx (P − T)ᵀ) differentiated in W_k: G_k",
        ),
        Step(Derivative(m.loss, m.upper), upper, "and in W_(k+1): G_(k+1)"),
        Step(
            MatMul(Transpose(m.upper), m.gradients[1]),
            MatMul(m.gradients[0], Transpose(m.lower)),
            "the cancellation identity: both sides are W_(k+1)ᵀBᵀ(P − T)ΣxAᵀW_kᵀ",
        ),
    ]


def flow_steps(m: GenericLink) -> list[Step]:
    """Along Ẇ = −G, d/dτ(W_{k+1}ᵀW_{k+1} − W_kW_kᵀ) = −(first-order terms) = 0."""
    g, h = m.gradients
    moved = m.balance(MatAdd(m.upper, MatMul(-EPSILON, h)), MatAdd(m.lower, MatMul(-EPSILON, g)))
    return [
        Step(
            Derivative(moved, EPSILON),
            negative(m.first_order),
            "gradient flow Ẇ_j = −G_j: the balance is a polynomial in the weights, so its rate "
            "is its derivative at ε = 0 along W_j − εG_j (product rule)",
            where={EPSILON: 0},
        ),
        Step(
            negative(m.first_order),
            m.zero(),
            "by the cancellation identity and its transpose: the balance is conserved",
        ),
    ]


def step_steps(m: GenericLink) -> list[Step]:
    """W_j' = κW_j − ηG_j, κ = 1 − ημ: balance' = κ² balance − ηκ(first-order terms) +
    η²(G_{k+1}ᵀG_{k+1} − G_kG_kᵀ), and the first-order terms vanish."""
    g, h = m.gradients
    decay = {KEEP: 1 - ETA * MU}
    stepped = m.balance(
        MatAdd(MatMul(KEEP, m.upper), MatMul(-ETA, h)),
        MatAdd(MatMul(KEEP, m.lower), MatMul(-ETA, g)),
    )
    result = MatAdd(MatMul(KEEP**2, m.weight_balance), MatMul(ETA**2, m.gradient_balance))
    return [
        Step(
            stepped,
            MatAdd(result, MatMul(-ETA * KEEP, m.first_order)),
            "one GD step with weight decay μ ≥ 0, W_j' = κW_j − ηG_j, expanded (true for any G_j)",
            where=decay,
        ),
        Step(
            stepped,
            result,
            "the first-order terms cancel (cancellation identity and its transpose)",
            where=decay,
        ),
    ]


def g1b_steps(_: int) -> list[Step]:
    """G1b: the gradients, the cancellation, and the conserved balance."""
    m = GenericLink()
    return [*gradient_steps(m), *flow_steps(m)]


def g2b_steps(_: int) -> list[Step]:
    """G2b: the gradients, the cancellation, and balance' = (1 − ημ)² balance +
    η²(G_{k+1}ᵀG_{k+1} − G_kG_kᵀ)."""
    m = GenericLink()
    return [*gradient_steps(m), *step_steps(m)]


DERIVATIONS = (
    Derivation(
        "G1b",
        "Matrix gradient flow conserves the balance",
        "For a deep linear network of any depth and widths and any input covariance, gradient "
        "flow conserves every W_(k+1)ᵀW_(k+1) − W_kW_kᵀ.",
        "Ginsburg 2020",
        g1b_steps,
        sizes=(1,),
        shown=1,
        size_name="",
    ),
    Derivation(
        "G2b",
        "One matrix GD step changes the balance exactly",
        "For any depth, widths and input covariance, one GD step with weight decay μ ≥ 0 maps "
        "W_(k+1)ᵀW_(k+1) − W_kW_kᵀ to (1 − ημ)² times itself plus η²(G_(k+1)ᵀG_(k+1) − G_kG_kᵀ).",
        "Ginsburg 2020",
        g2b_steps,
        sizes=(1,),
        shown=1,
        size_name="",
    ),
)
