"""Homogeneous activations balance every hidden unit (Du, Hu & Lee 2018): N1.

σ(z) = max(z, a z) with a ≤ 1 (ReLU a = 0, leaky ReLU 0 < a < 1, linear a = 1) is s z on each
side of the kink, s ∈ {1, a}, so σ'(z) z = σ(z). A hidden unit with incoming weights w ∈ Rⁿ,
bias b and outgoing weights v ∈ Rⁿ sees, on samples x_1, x_2 (each on its own piece, slope
s_k), z_k = wᵀx_k + b and contributes h_k = σ(z_k) v to the next layer; everything downstream
(other units, later layers, the loss) is an arbitrary differentiable ℓ of (h_1, h_2):

    L = ℓ(h_1, h_2),   wᵀg_w + b g_b = Σ_k σ'(z_k) z_k vᵀ∂_kℓ = Σ_k σ(z_k) vᵀ∂_kℓ = vᵀg_v,

with g = ∇L (g_w = ∇_wL, g_b = ∂_bL, g_v = ∇_vL) computed by SymPy through the undefined ℓ.

Hence gradient flow conserves ‖w‖² + b² − ‖v‖², one GD step changes it by exactly
η²(‖g_w‖² + g_b² − ‖g_v‖²), and summing over a bias-free layer conserves
‖W_{k+1}‖_F² − ‖W_k‖_F². Vectors are `Named` (displayed by name, checked entrywise).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import sympy
from sympy import (
    Derivative,
    Expr,
    Function,
    ImmutableMatrix,
    MatAdd,
    MatMul,
    MatPow,
    Matrix,
    Max,
    Symbol,
    Transpose,
)

from theory.balance import negative
from theory.derivation import Derivation, Step
from theory.linear import Named
from theory.scalar import ETA, TIME

SAMPLES = 2  # x_1, x_2
LAYER_WIDTH = 2  # hidden units of the bias-free layer
Z = Symbol("z", real=True)  # a pre-activation
SLOPE = Symbol("s", real=True)  # the slope of σ on the current piece
LEAK = Symbol("a", real=True)  # σ(z) = max(z, a z)
MARGIN = Symbol("p", positive=True)  # |z| off the kink
SLACK = Symbol("r", nonnegative=True)  # a = 1 − r ≤ 1

Activation = Callable[[Expr, Expr], Expr]  # σ(z) on a piece of slope s


def on_piece(z: Expr, s: Expr) -> Expr:
    """σ(z) = s z: ReLU, leaky ReLU or linear on its piece of slope s."""
    return s * z


def _column(base: str, indices: Iterable[str]) -> ImmutableMatrix:
    """The column of real symbols base_{index}."""
    return ImmutableMatrix([Symbol(f"{base}_{{{index}}}", real=True) for index in indices])


class HiddenLayer:
    """`width` hidden units between n inputs and n outputs, on samples x_1, x_2: unit j has
    z_kj = w_jᵀx_k + b_j and L = ℓ(h_1, h_2) with h_k = Σ_j σ(z_kj) v_j, σ of slope s_kj.

    ℓ is an undefined function (everything downstream of the layer); `bias=False` drops the
    b_j. A single unit (width 1) drops the index j from its names.
    """

    def __init__(
        self, n: int, width: int = 1, bias: bool = True, activation: Activation = on_piece
    ) -> None:
        units = [""] if width == 1 else [str(j) for j in range(1, width + 1)]
        rows = [str(i) for i in range(1, n + 1)]
        self.ins = [_column("w", (j + i for i in rows)) for j in units]
        self.outs = [_column("v", (i + j for i in rows)) for j in units]
        self.biases = [Symbol(f"b_{j}" if j else "b", real=True) if bias else 0 for j in units]
        h = sympy.zeros(n, SAMPLES)
        for k in range(1, SAMPLES + 1):
            x = _column("x", (f"{k}{i}" for i in rows))
            for j, w, b, v in zip(units, self.ins, self.biases, self.outs, strict=True):
                slope = Symbol(f"s_{{{k}{j}}}", real=True)
                h[:, k - 1] += activation((w.T * x)[0] + b, slope) * v
        self.loss = Function("ell")(*h)
        self.parameters = [
            theta
            for w, b, v in zip(self.ins, self.biases, self.outs, strict=True)
            for theta in (*w, b, *v)
            if theta != 0
        ]

    def gradient(self, column: ImmutableMatrix) -> ImmutableMatrix:
        """(∂L/∂θ) for every entry θ of `column`, by the chain rule through ℓ."""
        return column.applyfunc(lambda theta: sympy.diff(self.loss, theta))

    def flow_rate(self, quantity: Expr) -> Expr:
        """d/dτ quantity along θ̇ = −∇L: differentiated on paths θ(τ), θ̇ = −∂L/∂θ substituted,
        then written in the symbols θ again."""
        path = {theta: Function(theta.name, real=True)(TIME) for theta in self.parameters}
        along = {
            Derivative(f, TIME): -sympy.diff(self.loss, t).xreplace(path) for t, f in path.items()
        }
        rate = sympy.diff(quantity.xreplace(path), TIME).subs(along)
        return rate.xreplace({f: theta for theta, f in path.items()})


def _inner(x: Named, y: Named) -> MatMul:
    """xᵀy, displayed."""
    return MatMul(Transpose(x), y)


def _balance(w: Named, b: Named, v: Named) -> MatAdd:
    """wᵀw + b² − vᵀv (1×1), displayed."""
    return MatAdd(_inner(w, w), MatPow(b, 2), negative(_inner(v, v)))


def _one_by_one(name: str, value: Expr) -> Named:
    """The 1×1 matrix (value), displayed by `name`."""
    return Named(name, ImmutableMatrix([[value]]))


def n1_steps(n: int, activation: Activation = on_piece) -> list[Step]:
    """N1: σ'(z) z = σ(z) gives wᵀg_w + b g_b = vᵀg_v (g = ∇L) for a unit with n inputs and
    outputs; so d/dτ(‖w‖² + b² − ‖v‖²) = 0 along the flow, a GD step changes it by
    η²(‖g_w‖² + g_b² − ‖g_v‖²), and a bias-free layer conserves ‖W_{k+1}‖_F² − ‖W_k‖_F²."""
    unit = HiddenLayer(n, activation=activation)
    (w,), (v,), (b,) = unit.ins, unit.outs, unit.biases
    w, v, b = Named("w", w), Named("v", v), _one_by_one("b", b)
    gw = Named(r"g_{w}", unit.gradient(w.value))
    gv = Named(r"g_{v}", unit.gradient(v.value))
    gb = Named(r"g_{b}", unit.gradient(b.value))
    incoming = MatAdd(_inner(w, gw), MatMul(b, gb))
    first = MatAdd(incoming, negative(_inner(v, gv)))
    balance = _balance(w, b, v)
    rate = _one_by_one(
        r"\frac{d}{d\tau}\left(\|w\|^{2} + b^{2} - \|v\|^{2}\right)",
        unit.flow_rate(balance.doit()[0]),
    )
    stepped = [Named(f"{x.name}'", x.value - ETA * g.value) for x, g in ((w, gw), (b, gb), (v, gv))]
    change = MatAdd(_balance(*stepped), negative(balance))
    second = MatMul(ETA**2, _balance(gw, gb, gv))

    layer = HiddenLayer(n, LAYER_WIDTH, bias=False, activation=activation)
    units = []
    for j, (wj, vj) in enumerate(zip(layer.ins, layer.outs, strict=True), start=1):
        wj, vj = Named(f"w_{{{j}}}", wj), Named(f"v_{{{j}}}", vj)
        gwj = Named(f"g_{{w_{{{j}}}}}", layer.gradient(wj.value))
        gvj = Named(f"g_{{v_{{{j}}}}}", layer.gradient(vj.value))
        units += [_inner(wj, gwj), negative(_inner(vj, gvj))]
    frobenius = sum((x.T * x)[0] for x in layer.outs) - sum((x.T * x)[0] for x in layer.ins)
    layer_rate = _one_by_one(
        r"\frac{d}{d\tau}\left(\|W_{k+1}\|_F^{2} - \|W_{k}\|_F^{2}\right)",
        layer.flow_rate(frobenius),
    )
    zero = ImmutableMatrix([[0]])
    return [
        Step(
            Matrix([Max(MARGIN, LEAK * MARGIN), Max(-MARGIN, -LEAK * MARGIN)]),
            Matrix([MARGIN, LEAK * -MARGIN]),
            "σ(z) = max(z, a z) with a ≤ 1 (ReLU a = 0, leaky ReLU 0 < a < 1, linear a = 1) is "
            "z at z = p > 0 and a z at z = −p < 0: off the kink, σ(z) = s z with s = 1 or s = a",
            where={LEAK: 1 - SLACK},
        ),
        Step(
            Derivative(activation(Z, SLOPE), Z) * Z,
            activation(Z, SLOPE),
            "positive homogeneity on a piece: σ'(z) z = σ(z)",
        ),
        Step(
            incoming,
            _inner(v, gv),
            f"one hidden unit with {n} inputs and {n} outputs: z_k = wᵀx_k + b and "
            "h_k = σ(z_k) v on samples x_1, x_2 (slopes s_1, s_2), L = ℓ(h_1, h_2) for any "
            "differentiable ℓ (the rest of the network and the loss), g = ∇L; by the chain "
            "rule both sides are Σ_k σ'(z_k) z_k vᵀ∂_kℓ = Σ_k σ(z_k) vᵀ∂_kℓ, equal by step 2",
        ),
        Step(
            rate,
            MatMul(-2, first),
            "gradient flow dθ/dτ = −∇L, chain rule (SymPy differentiates on paths θ(τ))",
        ),
        Step(MatMul(-2, first), zero, "by step 3: the unit's ‖w‖² + b² − ‖v‖² is conserved"),
        Step(
            change,
            MatAdd(MatMul(-2 * ETA, first), second),
            "one GD step w' = w − ηg_w, b' = b − ηg_b, v' = v − ηg_v, expanded",
        ),
        Step(
            change,
            second,
            "the first-order term vanishes by step 3: the change is exactly "
            "η²(‖g_w‖² + g_b² − ‖g_v‖²)",
        ),
        Step(
            layer_rate,
            MatMul(2, MatAdd(*units)),
            f"a bias-free layer of {LAYER_WIDTH} units (unit j: row w_j of W_k, column v_j of "
            "W_(k+1)): ‖W_(k+1)‖_F² − ‖W_k‖_F² = −Σ_j (‖w_j‖² − ‖v_j‖²); gradient flow, "
            "chain rule",
        ),
        Step(
            MatMul(2, MatAdd(*units)),
            zero,
            "step 3 for every unit (b_j = 0): the layer's balance is conserved",
        ),
    ]


DERIVATIONS = (
    Derivation(
        "N1",
        "Homogeneous activations balance every hidden unit",
        "For ReLU, leaky-ReLU or linear hidden units, every unit (incoming w, bias b, "
        "outgoing v; g = ∇L) has wᵀg_w + b g_b = vᵀg_v, so gradient flow conserves "
        "‖w‖² + b² − ‖v‖² (and, per bias-free layer, ‖W_(k+1)‖_F² − ‖W_k‖_F²), and one GD "
        "step changes it by exactly η²(‖g_w‖² + g_b² − ‖g_v‖²).",
        "Du, Hu & Lee 2018",
        n1_steps,
        sizes=(1, 2, 3),
        shown=2,
        size_name="n",
    ),
)
