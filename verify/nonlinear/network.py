"""Fully connected networks with a homogeneous activation (ReLU, leaky ReLU, linear).

Conventions: W_1 is the input layer, W_k ∈ R^{d_k × d_{k−1}}, biases b_k ∈ R^{d_k} (all layers
or none); data X (d_0 × n, columns are samples) and targets Y (d_N × n);
z_k = W_k h_{k−1} + b_k, h_0 = X, h_k = σ(z_k) on hidden layers and h_N = z_N (linear output);
L = (1/(2n)) Σ_i ‖f(x_i) − y_i‖² = (1/(2n)) ‖h_N − Y‖_F².

σ(z) = z for z > 0 and a z for z < 0 (a = 0 ReLU, 0 < a < 1 leaky, a = 1 linear), so within
one activation region (fixed signs of every hidden pre-activation) f is a polynomial in the
parameters, multilinear in the layers. The generic core (`forward_with`, `gradient_with`) works
on lists of rows whose entries are Fractions, mpmath numbers or `taylor.Series`, with a
`Pointwise` map z ↦ (σ(z), σ'(z)) per hidden layer, so the same code evaluates the network,
forms the gradient-flow field of one region and differentiates the gradient (the Hessian).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from mpmath.ctx_mp import MPContext

from verify.evidence import Degenerate
from verify.linear.network import LayerShapes, Rows, transpose
from verify.linear.network import matmul as mul
from verify.nonlinear.fast import forward64, gradient64, loss64
from verify.precision import exact, tolerance

Matrix = list[list]
# (k, z_k) ↦ (σ(z_k), σ'(z_k)) entrywise, for hidden layer k (1-based)
__all__ = [
    "LINEAR",
    "RELU",
    "Activation",
    "Point",
    "ReluNetwork",
    "forward",
    "forward64",
    "gradient",
    "gradient64",
    "kink_distance",
    "layer_balances",
    "leaky_relu",
    "loss",
    "loss64",
    "unit_balances",
]
Pointwise = Callable[[int, Matrix], tuple[Matrix, Matrix]]


@dataclass(frozen=True)
class Activation:
    """σ(z) = z (z > 0), slope·z (z < 0): positively homogeneous, σ' piecewise constant."""

    name: str
    slope: Fraction  # a: 0 ReLU, 1 linear

    def derivative(self, z):
        """σ'(z) = 1 or a as a number of z's kind; Degenerate "on a kink" at z = 0 (a ≠ 1):
        exactly for Fractions, |z| ≤ 10^-(dps−10) for mpmath numbers (sign not resolved)."""
        exact_zero = z == 0 if isinstance(z, Fraction | int) else abs(z) <= tolerance(z.context)
        if exact_zero and self.slope != 1:
            raise Degenerate("on a kink: a hidden pre-activation is 0 (to working precision)")
        return self.number(z, Fraction(1) if z > 0 else self.slope)

    @staticmethod
    def number(z, q: Fraction):
        """q as a number of z's kind (Fraction or the mpmath context of z)."""
        return q if isinstance(z, Fraction | int) else exact(z.context, q)

    def pointwise(self, k: int, z: Matrix) -> tuple[Matrix, Matrix]:
        """(σ(z), σ'(z)) entrywise, read from the signs of z."""
        d = [[self.derivative(x) for x in row] for row in z]
        return _times(z, d), d


RELU = Activation("relu", Fraction(0))
LINEAR = Activation("linear", Fraction(1))


def leaky_relu(slope: Fraction = Fraction(1, 10)) -> Activation:
    """σ(z) = max(z, a z), 0 < a < 1."""
    return Activation("leaky_relu", Fraction(slope))


@dataclass(frozen=True)
class ReluNetwork(LayerShapes):
    """A network with exact rational weights, biases (None: no biases), activation and data."""

    weights: tuple[Rows, ...]
    biases: tuple[tuple[Fraction, ...], ...] | None
    activation: Activation
    inputs: Rows  # d_0 × n
    targets: Rows  # d_N × n

    @property
    def samples(self) -> int:
        return len(self.inputs[0])

    def point(self, ctx: MPContext | None = None) -> Point:
        """The parameters at the precision of `ctx` (None: exact Fractions)."""
        num = (lambda q: q) if ctx is None else (lambda q: exact(ctx, q))
        return Point(
            [[[num(x) for x in row] for row in w] for w in self.weights],
            None if self.biases is None else [[num(x) for x in b] for b in self.biases],
        )

    def data(self, ctx: MPContext | None = None) -> tuple[Matrix, Matrix]:
        """(X, Y) at the precision of `ctx` (None: exact Fractions)."""
        num = (lambda q: q) if ctx is None else (lambda q: exact(ctx, q))
        return (
            [[num(x) for x in row] for row in self.inputs],
            [[num(y) for y in row] for row in self.targets],
        )

    def arrays64(self) -> tuple[list[np.ndarray], list[np.ndarray] | None]:
        """(weights, biases) as float64 arrays, for `forward64` / `gradient64`."""
        ws = [np.array(w, dtype=float) for w in self.weights]
        bs = None if self.biases is None else [np.array(b, dtype=float) for b in self.biases]
        return ws, bs


@dataclass
class Point:
    """Parameters (or a gradient) of one network: weights[k−1] = W_k, biases[k−1] = b_k."""

    weights: list[Matrix]
    biases: list[list] | None

    def flat(self) -> list:
        """Entries in the order W_1 (row-major), b_1, W_2, b_2, …."""
        out = []
        for k, w in enumerate(self.weights):
            out += [x for row in w for x in row]
            out += [] if self.biases is None else list(self.biases[k])
        return out

    def like(self, values: list) -> Point:
        """A point of this shape holding `values` (in `flat` order)."""
        it = iter(values)
        ws, bs = [], []
        for w in self.weights:
            ws.append([[next(it) for _ in row] for row in w])
            bs.append([] if self.biases is None else [next(it) for _ in w])
        return Point(ws, None if self.biases is None else bs)

    def step(self, grad: Point, eta) -> Point:
        """θ − η g."""
        return self.like([x - eta * g for x, g in zip(self.flat(), grad.flat(), strict=True)])


def _times(a: Matrix, b: Matrix) -> Matrix:
    """Entrywise product (entries of `a` may be Series; b's are numbers)."""
    return [[x * y for x, y in zip(ra, rb, strict=True)] for ra, rb in zip(a, b, strict=True)]


def forward_with(point: Point, inputs: Matrix, pointwise: Pointwise) -> tuple[list, list]:
    """([h_0, …, h_N], [σ'(z_1), …, σ'(z_{N−1})])."""
    hs, ds, depth = [inputs], [], len(point.weights)
    for k, w in enumerate(point.weights, 1):
        z = mul(w, hs[-1])
        if point.biases is not None:
            z = [[x + b for x in row] for row, b in zip(z, point.biases[k - 1], strict=True)]
        if k < depth:
            h, d = pointwise(k, z)
            ds.append(d)
        else:
            h = z
        hs.append(h)
    return hs, ds


def pre_activations(point: Point, inputs: Matrix, activation: Activation) -> list[Matrix]:
    """[z_1, …, z_{N−1}], the hidden pre-activations (no kink check: σ(0) = 0 either side)."""
    zs: list[Matrix] = []

    def record(k: int, z: Matrix) -> tuple[Matrix, None]:
        zs.append(z)
        return [
            [x if x >= 0 else x * activation.number(x, activation.slope) for x in row] for row in z
        ], None

    forward_with(point, inputs, record)
    return zs


def gradient_with(point: Point, inputs: Matrix, targets: Matrix, pointwise: Pointwise, inv_n):
    """∂L/∂θ by backpropagation: δ_N = (h_N − Y)/n, G_k = δ_k h_{k−1}ᵀ, ∂L/∂b_k = δ_k 1,
    δ_{k−1} = σ'(z_{k−1}) ⊙ W_kᵀδ_k. `inv_n` is 1/n as a number of the entries' kind."""
    hs, ds = forward_with(point, inputs, pointwise)
    delta = [
        [(o - y) * inv_n for o, y in zip(ro, ry, strict=True)]
        for ro, ry in zip(hs[-1], targets, strict=True)
    ]
    ws, bs = [], []
    for k in range(len(point.weights), 0, -1):
        ws.append(mul(delta, transpose(hs[k - 1])))
        bs.append([sum(row[1:], row[0]) for row in delta])
        if k > 1:
            delta = _times(mul(transpose(point.weights[k - 1]), delta), ds[k - 2])
    return Point(ws[::-1], None if point.biases is None else bs[::-1])


def _residual_sum(outputs: Matrix, targets: Matrix):
    """‖h_N − Y‖_F²."""
    terms = [
        (o - y) * (o - y)
        for ro, ry in zip(outputs, targets, strict=True)
        for o, y in zip(ro, ry, strict=True)
    ]
    return sum(terms[1:], terms[0])


def forward(ctx: MPContext, net: ReluNetwork, point: Point | None = None) -> Matrix:
    """f(X) = h_N (d_N × n) at the precision of `ctx` (at `point`, default the net's own)."""
    point = net.point(ctx) if point is None else point
    return forward_with(point, net.data(ctx)[0], net.activation.pointwise)[0][-1]


def loss(ctx: MPContext, net: ReluNetwork, point: Point | None = None):
    """L = (1/(2n)) ‖f(X) − Y‖_F²."""
    return _residual_sum(forward(ctx, net, point), net.data(ctx)[1]) / (2 * net.samples)


def gradient(ctx: MPContext, net: ReluNetwork, point: Point | None = None) -> Point:
    """∂L/∂W_k and ∂L/∂b_k as a Point; Degenerate "on a kink" at a pre-activation 0 (decided
    exactly at the net's own point)."""
    if point is None:
        check_kinks(net)
        point = net.point(ctx)
    x, y = net.data(ctx)
    return gradient_with(
        point, x, y, net.activation.pointwise, exact(ctx, Fraction(1, net.samples))
    )


def check_kinks(net: ReluNetwork) -> None:
    """Degenerate "on a kink" unless every hidden pre-activation at the net's point is ≠ 0."""
    forward_with(net.point(), net.data()[0], net.activation.pointwise)


def kink_distance(ctx: MPContext | None, net: ReluNetwork, point: Point | None = None):
    """min over samples and hidden units of |z| (0: on a kink); exact at the net's own point
    (a Fraction when ctx is None)."""
    if point is None:
        zs = pre_activations(net.point(), net.data()[0], net.activation)
        margin = min(abs(x) for z in zs for row in z for x in row)
        return margin if ctx is None else exact(ctx, margin)
    zs = pre_activations(point, net.data(ctx)[0], net.activation)
    return min(abs(x) for z in zs for row in z for x in row)


def unit_products(p: Point, q: Point) -> list[list]:
    """Per hidden unit j of layer k: ⟨p_in, q_in⟩ − ⟨p_out, q_out⟩, where in = (W_k[j,:], b_k[j])
    and out = W_{k+1}[:,j]. With q = p the unit's balance ‖in‖² − ‖out‖²; with q = ∇L it
    vanishes (homogeneity: scaling in by c and out by 1/c leaves f unchanged)."""
    out = []
    for k in range(len(p.weights) - 1):
        units = []
        for j in range(len(p.weights[k])):
            ins = [(p.weights[k][j], q.weights[k][j])]
            if p.biases is not None:
                ins.append(([p.biases[k][j]], [q.biases[k][j]]))
            col = ([r[j] for r in p.weights[k + 1]], [r[j] for r in q.weights[k + 1]])
            units.append(sum(_dot(*pair) for pair in ins) - _dot(*col))
        out.append(units)
    return out


def unit_balances(point: Point) -> list[list]:
    """Per hidden unit j of layer k: ‖W_k[j,:]‖² + b_k[j]² − ‖W_{k+1}[:,j]‖²."""
    return unit_products(point, point)


def layer_balances(point: Point) -> list:
    """‖W_{k+1}‖_F² − ‖W_k‖_F² − ‖b_k‖², k = 1..N−1 (minus the sum of k's unit balances)."""
    return [-sum(units[1:], units[0]) for units in unit_balances(point)]


def _dot(xs: list, ys: list):
    return sum((x * y for x, y in zip(xs[1:], ys[1:], strict=True)), xs[0] * ys[0])
