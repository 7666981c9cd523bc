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

from functools import cached_property

import sympy
from sympy import Derivative, MatAdd, MatMul, MatrixExpr, MatrixSymbol, S, Symbol, Trace, ZeroMatrix

from theory.derivation import Derivation, Step
from theory.scalar import ETA

MU = Symbol("mu", nonnegative=True)  # weight decay μ ≥ 0
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
        self.gradients = (MatrixSymbol("G_{k}", d2, d1), MatrixSymbol("G_{k+1}", d3, d2))

    @cached_property
    def closed_forms(self) -> tuple[MatMul, MatMul]:
        """G_k = W_{k+1}ᵀBᵀ(P − T)ΣxAᵀ and G_{k+1} = Bᵀ(P − T)ΣxAᵀW_kᵀ."""
        middle = (self.above.T, self.residual, self.covariance, self.below.T)
        return MatMul(self.upper.T, *middle), MatMul(*middle, self.lower.T)

    @property
    def at_gradients(self) -> dict[MatrixSymbol, MatMul]:
        """G_k, G_{k+1} replaced by their closed forms."""
        return dict(zip(self.gradients, self.closed_forms, strict=True))

    def balance(self, upper: MatrixExpr, lower: MatrixExpr) -> MatAdd:
        """Uᵀ U − L Lᵀ for the pair (U, L) = (W_{k+1}, W_k) or its replacements."""
        return MatAdd(MatMul(upper.T, upper), negative(MatMul(lower, lower.T)))

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
            MatMul(h.T, u), MatMul(u.T, h), negative(MatMul(g, w.T)), negative(MatMul(w, g.T))
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
            f"{GENERIC}; L = ½ tr((P − T) Σx (P − T)ᵀ) differentiated in W_k",
        ),
        Step(Derivative(m.loss, m.upper), upper, "and in W_(k+1)"),
        Step(
            MatMul(m.upper.T, m.gradients[1]),
            MatMul(m.gradients[0], m.lower.T),
            "the cancellation identity: both sides are W_(k+1)ᵀBᵀ(P − T)ΣxAᵀW_kᵀ",
            where=m.at_gradients,
        ),
    ]


def g1b_steps(_: int) -> list[Step]:
    """G1b: along Ẇ = −G, d/dτ(W_{k+1}ᵀW_{k+1} − W_kW_kᵀ) = −(first-order terms) = 0."""
    m = GenericLink()
    (g, h) = m.gradients
    moved = m.balance(MatAdd(m.upper, -EPSILON * h), MatAdd(m.lower, -EPSILON * g))
    return [
        *gradient_steps(m),
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
            where=m.at_gradients,
        ),
    ]


def g2b_steps(_: int) -> list[Step]:
    """G2b: W_j' = (1 − ημ)W_j − ηG_j gives balance' = (1 − ημ)² balance + η²(G_{k+1}ᵀG_{k+1} −
    G_kG_kᵀ)."""
    m = GenericLink()
    (g, h), keep = m.gradients, 1 - ETA * MU
    stepped = m.balance(MatAdd(keep * m.upper, -ETA * h), MatAdd(keep * m.lower, -ETA * g))
    result = MatAdd(MatMul(keep**2, m.weight_balance), MatMul(ETA**2, m.gradient_balance))
    return [
        *gradient_steps(m),
        Step(
            stepped,
            MatAdd(result, MatMul(-ETA * keep, m.first_order)),
            "one GD step with weight decay μ ≥ 0, W_j' = (1 − ημ)W_j − ηG_j, expanded (any G_j)",
        ),
        Step(
            stepped,
            result,
            "the first-order terms cancel (cancellation identity and its transpose)",
            where=m.at_gradients,
        ),
    ]


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
