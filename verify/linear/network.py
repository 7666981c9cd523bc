"""Linear network cases (exact rationals) and their products at a working precision.

Conventions: W_1 is the input layer, W_k ∈ R^{d_k × d_{k-1}}, P = W_N ⋯ W_1,
L = ½ tr((P − T) Σx (P − T)ᵀ), A_k = W_{k−1} ⋯ W_1 (A_1 = I), B_k = W_N ⋯ W_{k+1} (B_N = I).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from functools import reduce
from operator import add, is_

from mpmath.ctx_mp import MPContext

from verify.precision import exact

Rows = tuple[tuple[Fraction, ...], ...]


def rows_at(ctx: MPContext, rows: Rows):
    """A rational matrix as an mpmath matrix of `ctx`."""
    return ctx.matrix([[exact(ctx, x) for x in row] for row in rows])


def matmul(left, right) -> list[list]:
    """Product of two matrices given as sequences of rows, whose entries may be any ring
    elements: Fractions, mpmath numbers or `taylor.Series` (no zero of the kind is needed)."""
    columns = list(zip(*right, strict=True))
    return [
        [reduce(add, (a * b for a, b in zip(row, col, strict=True))) for col in columns]
        for row in left
    ]


def rows_product(left: Rows, right: Rows) -> Rows:
    """Exact product of two rational matrices."""
    return tuple(map(tuple, matmul(left, right)))


def identity_rows(n: int) -> Rows:
    return tuple(tuple(Fraction(int(i == j)) for j in range(n)) for i in range(n))


def transpose(rows: Rows) -> Rows:
    return tuple(zip(*rows, strict=True))


def inverse(rows: Rows) -> Rows:
    """Exact inverse by Gauss–Jordan elimination (the matrix must be invertible)."""
    n = len(rows)
    work = [list(row) + list(unit) for row, unit in zip(rows, identity_rows(n), strict=True)]
    for col in range(n):
        pivot = next(r for r in range(col, n) if work[r][col] != 0)
        work[col], work[pivot] = work[pivot], work[col]
        head = work[col][col]
        work[col] = [x / head for x in work[col]]
        for r in range(n):
            if r != col and work[r][col] != 0:
                factor = work[r][col]
                work[r] = [x - factor * y for x, y in zip(work[r], work[col], strict=True)]
    return tuple(tuple(row[n:]) for row in work)


def column_factorization(rows: Rows) -> tuple[Rows, Rows]:
    """Exact rank factorization T = C R: C the pivot columns of T (independent, r = rank T of
    them), R the nonzero rows of T's reduced row echelon form (r × d0; empty if T = 0)."""
    work = [list(row) for row in rows]
    cols = len(rows[0])  # T has d_N ≥ 1 rows
    pivots: list[int] = []
    for col in range(cols):
        r = len(pivots)
        pivot = next((i for i in range(r, len(work)) if work[i][col] != 0), None)
        if pivot is None:
            continue
        work[r], work[pivot] = work[pivot], work[r]
        head = work[r][col]
        work[r] = [x / head for x in work[r]]
        for i in range(len(work)):
            if i != r and work[i][col] != 0:
                factor = work[i][col]
                work[i] = [x - factor * y for x, y in zip(work[i], work[r], strict=True)]
        pivots.append(col)
    basis = tuple(tuple(row[j] for j in pivots) for row in rows)
    return basis, tuple(tuple(row) for row in work[: len(pivots)])


class LayerShapes:
    """depth and widths of a network whose `weights` are W_1..W_N as rational rows."""

    weights: tuple[Rows, ...]

    @property
    def depth(self) -> int:
        return len(self.weights)

    @property
    def widths(self) -> tuple[int, ...]:
        """(d_0, d_1, …, d_N)."""
        return (len(self.weights[0][0]), *(len(w) for w in self.weights))


@dataclass(frozen=True)
class LinearNetwork(LayerShapes):
    """Weights W_1..W_N, data covariance Σx (None: whitened) and target T (None: the product).

    `construction` says how a strategy built the case (e.g. "balanced", "gauge").
    """

    weights: tuple[Rows, ...]
    sigma_x: Rows | None = None
    target: Rows | None = None
    construction: str = ""

    @property
    def whitened(self) -> bool:
        return self.sigma_x is None

    def product_rows(self) -> Rows:
        """P = W_N ⋯ W_1, exactly."""
        product = self.weights[0]
        for w in self.weights[1:]:
            product = rows_product(w, product)
        return product

    def target_rows(self) -> Rows:
        return self.target if self.target is not None else self.product_rows()

    def at_global_minimum(self) -> bool:
        """P = T, decided exactly on the rationals (always, when T is the product)."""
        return self.target is None or self.product_rows() == self.target

    def sigma_rows(self) -> Rows:
        return self.sigma_x if self.sigma_x is not None else identity_rows(self.widths[0])

    def at(self, ctx: MPContext) -> Net:
        """The network's matrices at the precision of `ctx`."""
        return Net(
            ctx,
            [rows_at(ctx, w) for w in self.weights],
            rows_at(ctx, self.sigma_rows()),
            rows_at(ctx, self.target_rows()),
        )


@dataclass
class Net:
    """Numeric weights, Σx and T in one context, with the products every formula uses."""

    ctx: MPContext
    weights: list
    sigma: object
    target: object
    _chains: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def depth(self) -> int:
        return len(self.weights)

    def width(self, j: int) -> int:
        """d_j (d_0 is the input dimension)."""
        return self.weights[0].cols if j == 0 else self.weights[j - 1].rows

    def chain(self, first: int, last: int):
        """W_last ⋯ W_first (1-based, inclusive); the identity of size d_{first−1} if empty.

        Multiplied from the end with the smaller outer width, so every partial product is thin
        (d_last × d_j or d_j × d_{first−1}): O(Σ d_j d_{j+1} min(d_{first−1}, d_last)) work.
        Remembered for the same layer objects (A_k, B_k are asked for by several formulas; new
        weights, `net.weights = …`, are new objects), and a single layer is returned itself:
        the formulas never write into these matrices.
        """
        layers = self.weights[first - 1 : last]
        if not layers:
            return self.ctx.eye(self.width(first - 1))
        known, out = self._chains.get((first, last), ((), None))
        if len(known) == len(layers) and all(map(is_, known, layers)):
            return out  # the same layer objects as last time
        if layers[-1].rows < layers[0].cols:  # thin on the left: W_last, then ·W_{last−1} …
            out = layers[-1]
            for w in reversed(layers[:-1]):
                out = out * w
        else:  # thin on the right: W_first, then W_{first+1}· …
            out = layers[0]
            for w in layers[1:]:
                out = w * out
        self._chains[(first, last)] = (tuple(layers), out)
        return out

    def a(self, k: int):
        """A_k = W_{k−1} ⋯ W_1 (A_1 = I of size d_0)."""
        return self.chain(1, k - 1)

    def b(self, k: int):
        """B_k = W_N ⋯ W_{k+1} (B_N = I of size d_N)."""
        return self.chain(k + 1, self.depth)

    def product(self):
        return self.chain(1, self.depth)

    def residual(self):
        """P − T."""
        return self.product() - self.target
