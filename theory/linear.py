"""Deep linear networks and the derivations of H1, H2, F1 and F2.

Weights W_k ∈ R^{d_k × d_{k−1}}, data covariance Σx = S Sᵀ, target T:

    P = W_N ⋯ W_1,   L = ½ tr((P − T) Σx (P − T)ᵀ),   A_k = W_{k−1} ⋯ W_1,   B_k = W_N ⋯ W_{k+1},

so A_1 = I, B_N = I and P = B_k W_k A_k. With column-stacking vec, vec(dP) = Σ_k (A_kᵀ ⊗ B_k)
vec(dW_k). Layer indices k are 1-based, as in the maths.

Matrices are displayed by name (`Named`, `Blocks`) and evaluated to their entries when checked.
H1's trace also holds for every depth and widths (`h1_trace_steps`): a generic layer k of
MatrixSymbols with symbolic shapes.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from itertools import combinations

import sympy
from sympy import (
    Basic,
    Derivative,
    Expr,
    ImmutableMatrix,
    Integer,
    KroneckerProduct,
    MatAdd,
    MatMul,
    MatrixBase,
    MatrixExpr,
    MatrixSymbol,
    Max,
    Rational,
    Symbol,
    Trace,
    Transpose,
)
from sympy.core.symbol import Str
from sympy.tensor.array.expressions import ArrayContraction
from sympy.tensor.array.expressions.from_array_to_matrix import convert_array_to_matrix

from theory.derivation import AT_LEAST, Derivation, Step

LAMBDA_MAX = Symbol("lambda_max", positive=True)  # λ_max of the Hessian at a minimum
SIGMA_1 = Symbol("sigma_1", positive=True)  # the top singular value of T


class Named(MatrixSymbol):
    """A matrix displayed by its LaTeX name and evaluated (`doit`) to `value`: its entries, or
    a matrix expression of symbolic shape (MatrixSymbol algebra)."""

    def __new__(cls, name: str | Str, *args: Basic) -> Named:
        value = args[-1]  # args: (value,) or, when rebuilt, (rows, cols, value)
        symbolic = isinstance(value, MatrixExpr) and bool(sympy.Tuple(*value.shape).free_symbols)
        value = value if symbolic else ImmutableMatrix(value)
        name = name if isinstance(name, Str) else Str(name)
        return Basic.__new__(cls, name, *map(sympy.sympify, value.shape), value)

    @property
    def value(self) -> ImmutableMatrix | MatrixExpr:
        """The explicit entries (or the expression of symbolic shape)."""
        return self.args[3]

    def doit(self, **hints: object) -> ImmutableMatrix:
        return self.value.doit(**hints) if hints.get("deep", True) else self.value

    def _entry(self, i: int, j: int, **kwargs: object) -> Expr:
        return self.value[i, j]

    def _eval_subs(self, old: Basic, new: Basic) -> None:
        return None  # substitute into the value, not only into the shape

    def _latex(self, printer: object) -> str:
        return self.name

    def _sympystr(self, printer: object) -> str:
        return self.name


class Labelled(Expr):
    """A scalar displayed by its LaTeX name and evaluated (`doit`) to `value`."""

    def __new__(cls, name: str, value: Expr) -> Labelled:
        return Expr.__new__(cls, Str(name), sympy.sympify(value))

    def doit(self, **hints: object) -> Expr:
        return self.args[1].doit(**hints) if hints.get("deep", True) else self.args[1]

    def _latex(self, printer: object) -> str:
        return self.args[0].name

    def _sympystr(self, printer: object) -> str:
        return self.args[0].name


class Blocks(sympy.BlockMatrix):
    """A block matrix displayed in blocks and evaluated (`doit`) to its explicit entries."""

    def doit(self, **hints: object) -> ImmutableMatrix:
        rows = [
            ImmutableMatrix.hstack(*(block.doit(**hints) for block in row))
            for row in self.blocks.tolist()
        ]
        return ImmutableMatrix.vstack(*rows)


def vec(x: MatrixBase) -> ImmutableMatrix:
    """vec X: the columns of X stacked into one column."""
    return ImmutableMatrix([entry for column in x.T.tolist() for entry in column])


def cholesky_factor(d: int) -> ImmutableMatrix:
    """A lower-triangular S with symbolic entries s_ij and positive diagonal: Σx = S Sᵀ ≻ 0."""

    def entry(i: int, j: int) -> Expr:
        name = f"s_{{{i + 1}{j + 1}}}"
        if i == j:
            return Symbol(name, positive=True)
        return Symbol(name, real=True) if i > j else Integer(0)

    return ImmutableMatrix(d, d, entry)


def _layer(k: int, rows: int, cols: int) -> ImmutableMatrix:
    """W_k with symbolic entries w^{(k)}_ij, or w_k for a 1×1 layer."""
    if rows == cols == 1:
        return ImmutableMatrix([[Symbol(f"w_{{{k}}}", real=True)]])
    return ImmutableMatrix(
        rows, cols, lambda i, j: Symbol(f"w^{{({k})}}_{{{i + 1}{j + 1}}}", real=True)
    )


def _compose(layers: Sequence[ImmutableMatrix], size: int) -> ImmutableMatrix:
    """W_j ⋯ W_i for `layers` = (W_i, …, W_j) in the order they act, or I_size if empty."""
    result = sympy.eye(size)
    for layer in layers:
        result = layer * result
    return ImmutableMatrix(result)


class LinearNetwork:
    """P = W_N ⋯ W_1 of widths d_0, …, d_N, symbolic weights and target, Σx = S Sᵀ.

    `factor` is S (default I: whitened data).
    """

    def __init__(self, widths: Sequence[int], factor: MatrixBase | None = None):
        if len(widths) < 3:
            raise ValueError(f"depth must be at least 2, not {len(widths) - 1}")
        self.widths = tuple(widths)
        self.n = len(widths) - 1
        self.whitened = factor is None
        self.factor = ImmutableMatrix(sympy.eye(widths[0]) if factor is None else factor)
        self.covariance = ImmutableMatrix(self.factor * self.factor.T)
        self.weights = tuple(_layer(k, widths[k], widths[k - 1]) for k in range(1, self.n + 1))
        self.target = ImmutableMatrix(
            widths[-1],
            widths[0],
            lambda i, j: Symbol(f"t_{{{i + 1}{j + 1}}}", real=True),
        )
        self.product = self.before(self.n + 1)
        self.residual = ImmutableMatrix(self.product - self.target)
        self.loss = (self.residual * self.covariance * self.residual.T).trace() / 2
        self.parameters = tuple(entry for w in self.weights for entry in vec(w))

    @property
    def layers(self) -> range:
        """k = 1, …, N."""
        return range(1, self.n + 1)

    def before(self, k: int) -> ImmutableMatrix:
        """A_k = W_{k−1} ⋯ W_1 (A_1 = I; A_{N+1} = P)."""
        return _compose(self.weights[: k - 1], self.widths[0])

    def after(self, k: int) -> ImmutableMatrix:
        """B_k = W_N ⋯ W_{k+1} (B_N = I)."""
        return _compose(self.weights[k:], self.widths[k])

    def on_minimum(self) -> dict[Symbol, Expr]:
        """The global minimum set P = T, as T replaced by P entrywise."""
        return dict(zip(self.target, self.product, strict=True))

    def gradient(self, k: int) -> ImmutableMatrix:
        """∂L/∂W_k, by differentiating L entrywise."""
        return self.weights[k - 1].applyfunc(lambda w: sympy.diff(self.loss, w))

    def jacobian_block(self, k: int) -> ImmutableMatrix:
        """J_k = (A_k S)ᵀ ⊗ B_k: vec((P − T) S) changes by J_k vec(dW_k)."""
        return ImmutableMatrix(
            sympy.kronecker_product((self.before(k) * self.factor).T, self.after(k))
        )

    @cached_property
    def jacobian(self) -> ImmutableMatrix:
        """J = [J_1 ⋯ J_N]."""
        return ImmutableMatrix.hstack(*(self.jacobian_block(k) for k in self.layers))

    @cached_property
    def residual_jacobian(self) -> ImmutableMatrix:
        """∂ vec((P − T) S)/∂θ with θ = (vec W_1, …, vec W_N), by differentiating."""
        return ImmutableMatrix(vec(self.residual * self.factor).jacobian(self.parameters))

    @cached_property
    def hessian(self) -> ImmutableMatrix:
        """∇²L with respect to θ = (vec W_1, …, vec W_N)."""
        return ImmutableMatrix(sympy.hessian(self.loss, self.parameters))

    @cached_property
    def curvature(self) -> ImmutableMatrix:
        """M = Σ_k (Sᵀ A_kᵀ A_k S) ⊗ (B_k B_kᵀ) = J Jᵀ."""
        terms = (
            sympy.kronecker_product(
                self.factor.T * self.before(k).T * self.before(k) * self.factor,
                self.after(k) * self.after(k).T,
            )
            for k in self.layers
        )
        size = self.widths[0] * self.widths[-1]
        return ImmutableMatrix(sum(terms, sympy.zeros(size, size)))

    def trace_formula(self) -> Expr:
        """tr ∇²L = Σ_k ‖A_k S‖_F² ‖B_k‖_F² at a minimum."""
        return sympy.Add(
            *(
                _squared_norm(self.before(k) * self.factor) * _squared_norm(self.after(k))
                for k in self.layers
            )
        )

    # Display forms: named matrices whose values are the ones above.

    def named_before(self, k: int) -> Named:
        """A_k, displayed by name."""
        return Named(f"A_{{{k}}}", self.before(k))

    def named_after(self, k: int) -> Named:
        """B_k, displayed by name."""
        return Named(f"B_{{{k}}}", self.after(k))

    def named_weight(self, k: int) -> Named:
        """W_k, displayed by name."""
        return Named(f"W_{{{k}}}", self.weights[k - 1])

    def named_factor(self) -> Named:
        """S, displayed by name."""
        return Named("S", self.factor)

    def named_covariance(self) -> Named:
        """Σx, displayed by name."""
        return Named(r"\Sigma_{x}", self.covariance)

    def data_side(self, k: int) -> MatMul | Named:
        """A_k S (A_k when whitened), displayed."""
        a = self.named_before(k)
        return a if self.whitened else MatMul(a, self.named_factor())

    def jacobian_form(self) -> Blocks:
        """[(A_1 S)ᵀ ⊗ B_1 ⋯ (A_N S)ᵀ ⊗ B_N], displayed in blocks."""
        return Blocks(
            [
                [
                    KroneckerProduct(Transpose(self.data_side(k)), self.named_after(k))
                    for k in self.layers
                ]
            ]
        )

    def curvature_form(self) -> MatAdd:
        """Σ_k (Sᵀ A_kᵀ A_k S) ⊗ (B_k B_kᵀ), displayed."""
        return MatAdd(
            *(
                KroneckerProduct(
                    MatMul(Transpose(self.data_side(k)), self.data_side(k)),
                    MatMul(self.named_after(k), Transpose(self.named_after(k))),
                )
                for k in self.layers
            )
        )


def structured_hessian(net: LinearNetwork) -> ImmutableMatrix:
    """∇²L at a general point, assembled from products of small matrices (no differentiation).

    With θ = (vec W_1, …, vec W_N) (column-stacking), R = P − T and C_km = W_{m−1} ⋯ W_{k+1}
    (C_km = I when m = k + 1), the block of ∇²L in the rows of layer k and the columns of
    layer m ≥ k is

        H_km = (A_k Σx A_mᵀ) ⊗ (B_kᵀ B_m)                 (Gauss–Newton: JᵀJ)
             + [k < m] (G_kmᵀ ⊗ C_kmᵀ) K_m,   G_km = B_mᵀ R Σx A_kᵀ,

    and H_mk = H_kmᵀ. K_m is the commutation matrix of W_m (K_m vec X = vec Xᵀ), so the
    residual part has the entry C_km[j_b, i_a] · G_km[i_b, j_a] at a = (k, i_a, j_a),
    b = (m, i_b, j_b): the entry (i, j) of W_k is the parameter a = (k, i, j). It comes from
    d²L = tr(dP Σx dPᵀ) + tr(R Σx d²Pᵀ) with d²P = 2 Σ_{k<m} B_m dW_m C_km dW_k A_k; P is
    linear in each W_k, so H_kk is Gauss–Newton only. On the minimum set R = 0 and this is
    H1's JᵀJ.

    Entries are left unexpanded (sums of products), as are those of `net.hessian`, which
    differentiates L twice (`sympy.hessian`); the lower triangle is the upper one mirrored.
    """
    sigma, residual = net.covariance, net.residual
    before = {k: net.before(k) for k in net.layers}
    after = {k: net.after(k) for k in net.layers}
    sizes = [net.widths[k] * net.widths[k - 1] for k in net.layers]
    offsets = [sum(sizes[: k - 1]) for k in net.layers]
    hessian = sympy.zeros(sum(sizes), sum(sizes))
    for k, m in ((k, m) for k in net.layers for m in net.layers if m >= k):
        block = sympy.kronecker_product(
            before[k] * sigma * before[m].T, after[k].T * after[m]
        ).as_mutable()
        if m > k:
            between = _compose(net.weights[k : m - 1], net.widths[k])  # C_km
            g = after[m].T * residual * sigma * before[k].T  # G_km
            commute = _commutation(net.widths[m], net.widths[m - 1])  # K_m
            block += sympy.kronecker_product(g.T, between.T)[:, commute]
        row, col = offsets[k - 1], offsets[m - 1]
        hessian[row : row + block.rows, col : col + block.cols] = block
    for i, j in combinations(range(hessian.rows), 2):  # exactly symmetric, as sympy.hessian
        hessian[j, i] = hessian[i, j]
    return ImmutableMatrix(hessian)


def _commutation(rows: int, cols: int) -> list[int]:
    """K_{rows,cols} as a column permutation: X K = X[:, perm] maps vec-indices of a rows×cols
    matrix Y (j·rows + i) to those of Yᵀ (i·cols + j), so (X K) vec Y = X vec Yᵀ."""
    return [i * cols + j for j in range(cols) for i in range(rows)]


def _squared_norm(x: MatrixBase) -> Expr:
    """‖X‖_F² = Σ x_ij²."""
    return sympy.Add(*(entry**2 for entry in x))


def _sum(*terms: Expr) -> Expr:
    """A sum kept as written (for display); `doit` evaluates it."""
    return sympy.Add(*terms, evaluate=False)


def _product(*factors: Expr) -> Expr:
    """A product kept as written (for display); `doit` evaluates it."""
    return sympy.Mul(*factors, evaluate=False)


def _column(name: str, size: int) -> ImmutableMatrix:
    """A column of real symbols name_1, …, name_size."""
    return ImmutableMatrix([Symbol(f"{name}_{{{i + 1}}}", real=True) for i in range(size)])


def _norm_symbols(letter: str, n: int) -> tuple[Symbol, ...]:
    """Positive symbols letter_1, …, letter_n (norms such as a_k = ‖A_k q‖)."""
    return tuple(Symbol(f"{letter}_{{{k}}}", positive=True) for k in range(1, n + 1))


def _am_gm(terms: Sequence[Expr], scale: Expr | None = None) -> Step:
    """Σ x_k ≥ N (Π x_k)^{1/N} for x_k = a_k² b_k² (both sides over c = `scale`, if given).

    `terms` are the products a_k b_k. Cited, but for N = 2 the witness (a_1 b_1 − a_2 b_2)² / c.
    """
    n = len(terms)
    squares = [term**2 for term in terms]
    over = () if scale is None else (1 / scale,)
    lhs = _product(_sum(*squares), *over)
    mean = sympy.Pow(sympy.Mul(*squares), Rational(1, n), evaluate=False)
    rhs = _product(Integer(n), mean, *over)
    if n > 2:
        return Step(lhs, rhs, "AM–GM", relation=AT_LEAST)
    witness = _product((terms[0] - terms[1]) ** 2, *over)
    return Step(lhs, rhs, "AM–GM, as a square", relation=AT_LEAST, witness=witness)


def rotation(letter: str, d: int) -> ImmutableMatrix:
    """The Cayley rotation (I − K)(I + K)⁻¹ of a skew-symmetric K with symbols letter_ij."""
    skew = sympy.zeros(d, d)
    for i, j in combinations(range(d), 2):
        entry = Symbol(f"{letter}_{{{i + 1}{j + 1}}}", real=True)
        skew[i, j], skew[j, i] = entry, -entry
    eye = sympy.eye(d)
    return ImmutableMatrix(((eye - skew) * (eye + skew).inv()).applyfunc(sympy.cancel))


def flatness_ratio(target: MatrixBase, covariance: MatrixBase, v: MatrixBase, n: int) -> Expr:
    """f(v) = ‖v‖^{2/N} ‖Tv‖^{2−2/N} / (vᵀ Σx⁻¹ v), kept as written; `doit` evaluates it."""
    image = target * v
    return _product(
        sympy.Pow(v.dot(v), Rational(1, n), evaluate=False),
        sympy.Pow(image.dot(image), 1 - Rational(1, n), evaluate=False),
        sympy.Pow((v.T * covariance.inv() * v)[0], -1, evaluate=False),
    )


def flattest(n: int) -> Expr:
    """N σ_1^{2−2/N}."""
    return Integer(n) * SIGMA_1 ** (2 - Rational(2, n))


def h1_steps(n: int) -> list[Step]:
    """H1: at P = T, ∇²L = JᵀJ with J_k = (A_k S)ᵀ ⊗ B_k, JJᵀ = M, tr ∇²L = Σ ‖A_k S‖² ‖B_k‖²."""
    net = LinearNetwork((2,) * (n + 1), cholesky_factor(2))
    residual = Named(r"\left(P - T\right)", net.residual)
    j = Named("J", net.jacobian)
    gradients = [
        Step(
            Named(rf"\frac{{\partial L}}{{\partial W_{{{k}}}}}", net.gradient(k)),
            MatMul(
                Transpose(net.named_after(k)),
                residual,
                net.named_covariance(),
                Transpose(net.named_before(k)),
            ),
            f"gradient of layer {k}: dL = tr((P − T) Σx dPᵀ) with dP = B_k dW_k A_k and Σx = S Sᵀ",
        )
        for k in net.layers
    ]
    squared_norms = (
        _product(
            Trace(MatMul(Transpose(net.data_side(k)), net.data_side(k))),
            Trace(MatMul(net.named_after(k), Transpose(net.named_after(k)))),
        )
        for k in net.layers
    )
    return [
        *gradients,
        Step(
            Named(
                r"\frac{\partial \operatorname{vec}\left(\left(P - T\right) S\right)}"
                r"{\partial \theta}",
                net.residual_jacobian,
            ),
            net.jacobian_form(),
            "Jacobian J of the residual r = vec((P − T) S) in θ = (vec W_1, …, vec W_N): "
            "vec(B_k dW_k A_k S) is the Kronecker product of (A_k S)ᵀ and B_k times vec dW_k",
        ),
        Step(
            Named(r"\nabla^{2} L", net.hessian),
            MatMul(Transpose(j), j),
            "L = ½ rᵀr, so ∇²L = JᵀJ + Σ_i r_i ∇²r_i, and r = 0 on the minimum set P = T",
            where=net.on_minimum(),
        ),
        Step(
            MatMul(j, Transpose(j)),
            net.curvature_form(),
            "M = J Jᵀ has the nonzero eigenvalues of ∇²L = JᵀJ; another factor S of Σx (e.g. "
            "its symmetric square root) changes M by an orthogonal similarity only",
        ),
        Step(
            Trace(MatMul(Transpose(j), j)),
            _sum(*squared_norms),
            "tr ∇²L = tr M, and the trace of a Kronecker product is the product of the traces: "
            "tr ∇²L = Σ_k ‖A_k S‖_F² ‖B_k‖_F²",
        ),
    ]


def h1_trace_steps() -> list[Step]:
    """H1's trace, every depth and widths: a generic layer k, P = B_k W_k A_k with A_k, B_k free
    of W_k, has ∂L/∂W_k = B_kᵀ(P − T)ΣxA_kᵀ and tr ∂²L/∂W_k² = ‖A_kS‖_F² ‖B_k‖_F²."""
    d0, d1, d2, dn = sympy.symbols("d_0 d_{k-1} d_k d_N", integer=True, positive=True)
    below, weight = MatrixSymbol("A_{k}", d1, d0), MatrixSymbol("W_{k}", d2, d1)
    above, target = MatrixSymbol("B_{k}", dn, d2), MatrixSymbol("T", dn, d0)
    factor = MatrixSymbol("S", d0, d0)
    residual = MatAdd(MatMul(above, weight, below), -target)
    loss = Trace(MatMul(residual, factor, factor.T, residual.T)) / 2
    hessian = loss.diff(weight).diff(weight)  # ∂²L/∂W_k[a,b]∂W_k[c,d], indices (a, b, c, d)
    data = MatMul(below, factor)
    return [
        Step(
            Derivative(loss, weight),
            MatMul(above.T, residual, factor, factor.T, below.T),
            "any depth N and widths: layer k of P = W_N ⋯ W_1 is P = B_k W_k A_k with "
            "A_k = W_(k−1) ⋯ W_1, B_k = W_N ⋯ W_(k+1) free of W_k (I at the ends), and "
            "Σx = S Sᵀ; SymPy's matrix calculus",
        ),
        Step(
            Labelled(
                r"\operatorname{tr} \frac{\partial^{2} L}{\partial W_{k}^{2}}",
                convert_array_to_matrix(ArrayContraction(hessian, (0, 2), (1, 3)).doit()),
            ),
            _product(Trace(MatMul(data, data.T)), Trace(MatMul(above, above.T))),
            "the trace of the 4-index Hessian block of layer k (SymPy differentiates the "
            "gradient again and contracts a = c, b = d): ‖A_kS‖_F² ‖B_k‖_F² at every point, as "
            "P is linear in W_k; ‖A_kS‖_F² = tr(A_k Σx A_kᵀ) for every factor S. tr ∇²L is the "
            "sum of these over k, so tr ∇²L = Σ_k ‖A_kS‖_F² ‖B_k‖_F²",
        ),
    ]


def h2_steps(hidden: int) -> list[Step]:
    """H2: N = 2, Σx = I: M = I ⊗ W_2W_2ᵀ + W_1ᵀW_1 ⊗ I, so λ_max = ‖W_1‖₂² + ‖W_2‖₂².

    Widths (2, `hidden`, 2): the eigenvectors of W_1ᵀW_1 and W_2W_2ᵀ are 2×2 rotations.
    """
    net = LinearNetwork((2, hidden, 2))
    eye = Named("I", sympy.eye(2))
    w1, w2 = net.named_weight(1), net.named_weight(2)
    u, v = Named("U", rotation("u", 2)), Named("V", rotation("v", 2))
    alpha = sympy.symbols("alpha_1:3", nonnegative=True)
    beta = sympy.symbols("beta_1:3", nonnegative=True)
    gamma, delta = sympy.symbols("gamma delta", nonnegative=True)
    ordered = {alpha[0]: alpha[1] + gamma, beta[0]: beta[1] + delta}
    d_alpha = Named(r"D_{\alpha}", sympy.diag(*alpha))
    d_beta = Named(r"D_{\beta}", sympy.diag(*beta))
    both = KroneckerProduct(u, v)
    split = MatAdd(KroneckerProduct(d_alpha, eye), KroneckerProduct(eye, d_beta))
    sums = [a + b for a in alpha for b in beta]
    return [
        Step(
            net.curvature_form(),
            MatAdd(
                KroneckerProduct(eye, MatMul(w2, Transpose(w2))),
                KroneckerProduct(MatMul(Transpose(w1), w1), eye),
            ),
            "M of H1 with N = 2 and Σx = I: A_1 = I, B_1 = W_2, A_2 = W_1, B_2 = I",
        ),
        Step(
            MatMul(Transpose(both), both),
            Named("I_{4}", sympy.eye(4)),
            "U and V are rotations (Cayley: (I − K)(I + K)⁻¹ with K skew-symmetric and "
            "symbolic), so their Kronecker product is orthogonal",
        ),
        Step(
            MatAdd(
                KroneckerProduct(eye, MatMul(v, d_beta, Transpose(v))),
                KroneckerProduct(MatMul(u, d_alpha, Transpose(u)), eye),
            ),
            MatMul(both, split, Transpose(both)),
            "spectral theorem: W_1ᵀW_1 = U D_α Uᵀ and W_2W_2ᵀ = V D_β Vᵀ with eigenvalues "
            "α_i, β_j ≥ 0; mixed-product rule",
        ),
        Step(
            split,
            ImmutableMatrix(sympy.diag(*sums)),
            "so M is orthogonally similar to a diagonal matrix: its eigenvalues are α_i + β_j",
        ),
        Step(
            Max(*sums),
            alpha[0] + beta[0],
            "order α_1 = α_2 + γ ≥ α_2 and β_1 = β_2 + δ ≥ β_2 (γ, δ ≥ 0): λ_max(M) = α_1 + β_1 "
            "= ‖W_1‖₂² + ‖W_2‖₂²",
            where=ordered,
        ),
    ]


def _rayleigh_terms(net: LinearNetwork, left: Named, right: Named) -> MatAdd:
    """Σ_k (xᵀ A_kᵀ A_k x)(yᵀ B_k B_kᵀ y), displayed, for x = `left`, y = `right`."""
    return MatAdd(
        *(
            MatMul(
                MatMul(Transpose(left), Transpose(net.named_before(k)), net.named_before(k), left),
                MatMul(Transpose(right), net.named_after(k), Transpose(net.named_after(k)), right),
            )
            for k in net.layers
        )
    )


def _shares(net: LinearNetwork, p: Named, x: Named) -> list[Step]:
    """pᵀ P x = (B_kᵀ p)ᵀ (A_{k+1} x) for k = 1, …, N − 1: the Cauchy–Schwarz pairs."""
    return [
        Step(
            MatMul(Transpose(p), Named("P", net.product), x),
            MatMul(Transpose(MatMul(Transpose(net.named_after(k)), p)), net.named_before(k + 1), x),
            f"P = B_k W_k A_k and W_k A_k = A_(k+1), for k = {k}",
        )
        for k in range(1, net.n)
    ]


def f1_steps(n: int) -> list[Step]:
    """F1: Σx = I: λ_max ≥ (q⊗p)ᵀM(q⊗p) = Σ a_k²b_k² ≥ N (Π a_k²b_k²)^{1/N} ≥ N σ_1^{2−2/N}."""
    net = LinearNetwork((2,) * (n + 1))
    q, p = Named("q", _column("q", 2)), Named("p", _column("p", 2))
    both = KroneckerProduct(q, p)
    products = [a * b for a, b in zip(_norm_symbols("a", n), _norm_symbols("b", n), strict=True)]
    am_gm = _am_gm(products)
    scalar = LinearNetwork((1,) * (n + 1))
    balanced = {w[0]: SIGMA_1 ** Rational(1, n) for w in scalar.weights}
    return [
        Step(
            MatMul(Transpose(both), Named("M", net.curvature), both),
            _rayleigh_terms(net, q, p),
            "M of H1 with Σx = I, and the mixed-product rule",
        ),
        *_shares(net, p, q),
        Step(
            LAMBDA_MAX,
            _sum(*(x**2 for x in products)),
            "Rayleigh quotient of M at the unit vector of step 1, for unit q, p with T q = σ_1 p: "
            "Σ_k a_k² b_k² with a_k = ‖A_k q‖, b_k = ‖B_kᵀ p‖",
            relation=AT_LEAST,
        ),
        am_gm,
        Step(
            am_gm.rhs,
            flattest(n),
            "Cauchy–Schwarz on the pairs above: a_(k+1) b_k ≥ pᵀPq = pᵀTq = σ_1 at a global "
            "minimum, and a_1 = ‖q‖ = 1, b_N = ‖p‖ = 1, so Π_k a_k b_k ≥ σ_1^(N − 1)",
            relation=AT_LEAST,
        ),
        Step(
            scalar.curvature,
            ImmutableMatrix([[flattest(n)]]),
            "every balanced minimum (W_(k+1)ᵀW_(k+1) = W_kW_kᵀ) attains the bound; here widths 1 "
            "and W_k = σ_1^(1/N), so P = σ_1 = T and λ_max is the only entry of M",
            where=balanced,
        ),
    ]


def f2_steps(n: int) -> list[Step]:
    """F2: λ_max ≥ N max_v f(v), f(v) = ‖v‖^{2/N}‖Tv‖^{2−2/N}/(vᵀΣx⁻¹v); Marion: max f = 2."""
    net = LinearNetwork((2,) * (n + 1), cholesky_factor(2))
    s, v, p = net.named_factor(), Named("v", _column("v", 2)), Named("p", _column("p", 2))
    both = KroneckerProduct(MatMul(sympy.Inverse(s), v), p)
    products = [a * b for a, b in zip(_norm_symbols("a", n), _norm_symbols("b", n), strict=True)]
    spread = Symbol(r"{v^{\mathsf{T}} \Sigma_{x}^{-1} v}", positive=True)
    am_gm = _am_gm(products, spread)
    norm_v = Symbol(r"{\left\|v\right\|}", positive=True)
    norm_tv = Symbol(r"{\left\|T v\right\|}", positive=True)
    bound = _product(
        Integer(n), norm_v ** Rational(2, n), norm_tv ** (2 - Rational(2, n)), 1 / spread
    )
    return [
        Step(
            MatMul(Transpose(both), Named("M", net.curvature), both),
            _rayleigh_terms(net, v, p),
            "M of H1, and the mixed-product rule, at the test vector built from v ≠ 0 and p",
        ),
        Step(
            MatMul(Transpose(MatMul(sympy.Inverse(s), v)), MatMul(sympy.Inverse(s), v)),
            MatMul(Transpose(v), sympy.Inverse(net.named_covariance()), v),
            "its squared norm, with Σx = S Sᵀ",
        ),
        *_shares(net, p, v),
        Step(
            LAMBDA_MAX,
            _product(_sum(*(x**2 for x in products)), 1 / spread),
            "Rayleigh quotient of M at the test vector of steps 1–2, for p = Tv/‖Tv‖: "
            "a_k = ‖A_k v‖, b_k = ‖B_kᵀ p‖",
            relation=AT_LEAST,
        ),
        am_gm,
        Step(
            am_gm.rhs,
            bound,
            "Cauchy–Schwarz on the pairs above: a_(k+1) b_k ≥ pᵀPv = pᵀTv = ‖Tv‖ at a global "
            "minimum, a_1 = ‖v‖, b_N = ‖p‖ = 1; this is N f(v) for every v ≠ 0",
            relation=AT_LEAST,
        ),
        *_f2_special_cases(n),
        *_marion_steps(n),
    ]


def _f2_special_cases(n: int) -> list[Step]:
    """f for Σx = I (F1) and for d_0 = 1."""
    v = _column("v", 2)
    target = ImmutableMatrix(2, 2, lambda i, j: Symbol(f"t_{{{i + 1}{j + 1}}}", real=True))
    sigma_2 = Symbol("sigma_2", positive=True)
    scalar_v = Symbol("v", real=True, nonzero=True)
    s = Symbol("s", positive=True)
    t = _column("t", 2)
    image = target * v
    return [
        Step(
            flatness_ratio(target, sympy.eye(2), v, n),
            (image.dot(image) / v.dot(v)) ** (1 - Rational(1, n)),
            "Σx = I: f(v) = (‖Tv‖/‖v‖)^(2 − 2/N), largest at v = q (F1)",
        ),
        Step(
            flatness_ratio(sympy.diag(SIGMA_1, sigma_2), sympy.eye(2), v, n),
            SIGMA_1 ** (2 - Rational(2, n)),
            "for T = diag(σ_1, σ_2), σ_1 ≥ σ_2, at v = q = e_1",
            where={v[0]: 1, v[1]: 0},
        ),
        Step(
            flatness_ratio(t, ImmutableMatrix([[s]]), ImmutableMatrix([scalar_v]), n),
            s * t.dot(t) ** (1 - Rational(1, n)),
            "d_0 = 1 (T = t, a column; Σx = s > 0): f is constant, s ‖t‖^(2 − 2/N)",
        ),
    ]


def _marion_steps(n: int) -> list[Step]:
    """T = (1, 0), Σx = diag(2, 1): max f = f(e_1) = 2, attained: min λ_max = 2N."""
    v = _column("v", 2)
    covariance = sympy.diag(2, 1)
    f = flatness_ratio(ImmutableMatrix([[1, 0]]), covariance, v, n)
    first = {v[0]: 1, v[1]: 0}
    r = Symbol("r", positive=True)
    z = Symbol("z", nonnegative=True)
    numerator = sympy.expand(2 * (1 + z) ** n - 2 - z)
    denominator = sympy.expand((1 + z) ** n - Rational(1, 2))
    net = LinearNetwork((2,) + (1,) * n, sympy.diag(sympy.sqrt(2), 1))
    minimum = {w: value for w, value in zip(net.parameters, (1, 0, *(1,) * (n - 1)), strict=True)}
    return [
        Step(f, Integer(2), "example T = (1, 0), Σx = diag(2, 1): f(e_1) = 2", where=first),
        Step(
            ImmutableMatrix([sympy.Derivative(sympy.log(f), x) for x in v]),
            sympy.zeros(2, 1),
            "e_1 is a stationary point of log f",
            where=first,
        ),
        Step(
            Integer(2),
            f,
            "and the maximum: f(−v) = f(v), f does not change with the sign of v_2, f(0, v_2) = 0, "
            "and v_1 = r > 0, v_2 = r √((1 + z)^N − 1) with z ≥ 0 covers the rest",
            relation=AT_LEAST,
            witness=numerator / denominator,
            where={v[0]: r, v[1]: r * sympy.sqrt((1 + z) ** n - 1)},
        ),
        Step(
            Named("P", net.product),
            ImmutableMatrix([[1, 0]]),
            "a global minimum: W_1 = (1, 0) and W_k = 1 for k ≥ 2",
            where=minimum,
        ),
        Step(
            Named("M", net.curvature),
            sympy.diag(2 * n, 1),
            "its M (with S = diag(√2, 1)) has λ_max = 2N = N f(e_1): the bound is attained",
            where=minimum,
        ),
    ]


DERIVATIONS = (
    Derivation(
        "H1",
        "The Hessian at a global minimum is Gauss–Newton",
        "At a global minimum of a deep linear network, ∇²L = JᵀJ with J_k the Kronecker product "
        "of (A_k S)ᵀ and B_k (Σx = S Sᵀ), its nonzero spectrum is that of M = J Jᵀ, and "
        "tr ∇²L = Σ_k ‖A_k S‖_F² ‖B_k‖_F².",
        "Mulayoff & Michaeli 2020",
        h1_steps,
        sizes=(2, 3),
        shown=2,
        general=h1_trace_steps,
        covers=("trace", "spectrum"),
    ),
    Derivation(
        "H2",
        "Depth two: a Kronecker sum",
        "For N = 2 and whitened data, M is the Kronecker sum of W_1ᵀW_1 and W_2W_2ᵀ, so "
        "λ_max = ‖W_1‖₂² + ‖W_2‖₂².",
        "Kamber & Parhi 2025",
        h2_steps,
        sizes=(1, 2, 3),
        shown=2,
        size_name="d_1",
    ),
    Derivation(
        "F1",
        "The flattest global minima, whitened",
        "For whitened data, the smallest λ_max over global minima is N σ_1^(2 − 2/N) "
        "(σ_1 the top singular value of T), attained by every balanced minimum.",
        "Mulayoff & Michaeli 2020",
        f1_steps,
        sizes=(2, 3, 4),
        shown=2,
    ),
    Derivation(
        "F2",
        "The flattest global minima, any data covariance",
        "The smallest λ_max over global minima is N max_v f(v), f(v) = ‖v‖^(2/N) "
        "‖Tv‖^(2 − 2/N)/(vᵀΣx⁻¹v); for T = (1, 0), Σx = diag(2, 1) it is 2N.",
        "flatminima (generalises F1)",
        f2_steps,
        sizes=(2, 3),
        shown=3,
    ),
)
