"""Matrix analogues of G1 and G2: the balance W_{k+1}ᵀW_{k+1} − W_kW_kᵀ of a deep linear network.

With G_k = ∂L/∂W_k (Σx = I, symbolic target T), the first-order terms cancel because

    G_{k+1}ᵀ W_{k+1} = W_k G_kᵀ   (both are A_{k+1}(P − T)ᵀB_k),

so gradient flow conserves the balance and one GD step W_k' = W_k − ηG_k changes it by exactly
η²(G_{k+1}ᵀG_{k+1} − G_kG_kᵀ). Both are checked entrywise on small shapes (`WIDTHS`).
"""

from __future__ import annotations

from collections.abc import Callable

import sympy
from sympy import ImmutableMatrix, MatAdd, MatMul, MatrixBase, S, Symbol, Transpose

from theory.derivation import Step
from theory.linear import LinearNetwork, Named

WIDTHS = {2: (2, 2, 1), 3: (2, 2, 2, 1)}  # depth N → widths d_0, …, d_N (W_k is d_k × d_{k−1})


class MatrixBalance:
    """The whitened network of depth n with widths `WIDTHS[n]`, its gradients and balances."""

    def __init__(self, n: int):
        self.net = LinearNetwork(WIDTHS[n])
        self.gradients = tuple(self.net.gradient(k) for k in self.net.layers)

    @property
    def links(self) -> range:
        """k = 1, …, N − 1: the balance between layers k and k + 1."""
        return range(1, self.net.n)

    def weight(self, k: int) -> Named:
        """W_k, displayed by name."""
        return self.net.named_weight(k)

    def gradient(self, k: int) -> Named:
        """G_k = ∂L/∂W_k (by differentiation), displayed by name."""
        return Named(f"G_{{{k}}}", self.gradients[k - 1])

    def stepped(self, k: int, eta: Symbol) -> Named:
        """W_k' = W_k − η G_k, displayed by name."""
        return Named(f"W_{{{k}}}'", self.net.weights[k - 1] - eta * self.gradients[k - 1])

    def balance(self, k: int, weight: Callable[[int], Named] | None = None) -> MatAdd:
        """W_{k+1}ᵀW_{k+1} − W_kW_kᵀ, displayed (`weight(k)` names W_k; default `self.weight`)."""
        weight = weight or self.weight
        upper, lower = weight(k + 1), weight(k)
        return MatAdd(MatMul(Transpose(upper), upper), negative(MatMul(lower, Transpose(lower))))

    def gradient_balance(self, k: int) -> MatAdd:
        """G_{k+1}ᵀG_{k+1} − G_kG_kᵀ, displayed."""
        return self.balance(k, self.gradient)

    def first_order(self, k: int) -> MatAdd:
        """(G_{k+1}ᵀW_{k+1} + W_{k+1}ᵀG_{k+1}) − (G_kW_kᵀ + W_kG_kᵀ), displayed."""
        w, g = self.weight, self.gradient
        return MatAdd(
            MatMul(Transpose(g(k + 1)), w(k + 1)),
            MatMul(Transpose(w(k + 1)), g(k + 1)),
            negative(MatMul(g(k), Transpose(w(k)))),
            negative(MatMul(w(k), Transpose(g(k)))),
        )

    def flow_derivative(self, k: int) -> Named:
        """d/dτ of the balance along Ẇ = −G: Σ_θ ∂(balance)/∂θ · (−∂L/∂θ), the chain rule."""
        value = self.balance(k).doit()
        rate = sum(
            (
                value.diff(theta) * -sympy.diff(self.net.loss, theta)
                for theta in self.net.parameters
            ),
            sympy.zeros(*value.shape),
        )
        upper, lower = f"W_{{{k + 1}}}", f"W_{{{k}}}"
        name = rf"\frac{{d}}{{d\tau}}\left({upper}^{{T}} {upper} - {lower} {lower}^{{T}}\right)"
        return Named(name, rate)


def negative(x: MatMul | MatAdd) -> MatMul:
    """−X, displayed (negating a product of named matrices would evaluate it)."""
    return MatMul(S.NegativeOne, *(x.args if isinstance(x, MatMul) else (x,)))


def _shape(n: int) -> str:
    widths = WIDTHS[n]
    shapes = ", ".join(f"W_{k} {widths[k]}×{widths[k - 1]}" for k in range(1, n + 1))
    return f"matrix network of depth {n} ({shapes}, Σx = I, symbolic T)"


def _cancellation(m: MatrixBalance, k: int) -> Step:
    """G_{k+1}ᵀW_{k+1} = W_kG_kᵀ, checked with G_k computed by differentiating L."""
    return Step(
        MatMul(Transpose(m.gradient(k + 1)), m.weight(k + 1)),
        MatMul(m.weight(k), Transpose(m.gradient(k))),
        f"{_shape(m.net.n)}, G_k = ∂L/∂W_k = B_kᵀ(P − T)A_kᵀ: both sides are "
        f"A_(k+1)(P − T)ᵀB_k, for k = {k}",
    )


def _zero(value: MatrixBase) -> ImmutableMatrix:
    return ImmutableMatrix(sympy.zeros(*value.shape))


def matrix_flow_steps(m: MatrixBalance) -> list[Step]:
    """G1 for matrices: d/dτ(W_{k+1}ᵀW_{k+1} − W_kW_kᵀ) = −(first-order terms) = 0."""
    steps = []
    for k in m.links:
        rate = m.flow_derivative(k)
        steps += [
            _cancellation(m, k),
            Step(
                rate,
                negative(m.first_order(k)),
                "gradient flow Ẇ_k = −G_k; product rule",
            ),
            Step(
                negative(m.first_order(k)),
                _zero(rate.value),
                "by the cancellation identity and its transpose: the balance is conserved",
            ),
        ]
    return steps


def matrix_step_steps(m: MatrixBalance, eta: Symbol) -> list[Step]:
    """G2 for matrices: W_k' = W_k − ηG_k changes the balance by η²(G_{k+1}ᵀG_{k+1} − G_kG_kᵀ).

    The steps use `m.gradients` as G_k (a test may replace them by another direction).
    """
    steps = []
    for k in m.links:
        change = MatAdd(m.balance(k, lambda j: m.stepped(j, eta)), negative(m.balance(k)))
        steps += [
            _cancellation(m, k),
            Step(
                change,
                MatAdd(MatMul(-eta, m.first_order(k)), MatMul(eta**2, m.gradient_balance(k))),
                "one GD step W_k' = W_k − ηG_k, expanded",
            ),
            Step(
                change,
                MatMul(eta**2, m.gradient_balance(k)),
                "the first-order terms cancel (cancellation identity and its transpose)",
            ),
        ]
    return steps
