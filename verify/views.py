"""What a one-argument conjecture check receives: a case bound to the working precision.

`bind(case, ctx)` wraps linear-network cases in `LinearView` and scalar networks in
`ScalarView`; any other case is passed through unchanged.
"""

from __future__ import annotations

from functools import cached_property

from mpmath.ctx_mp import MPContext

from verify import scalar
from verify.linear import curvature as cv
from verify.linear.network import LinearNetwork
from verify.linear.structure import top_path


class LinearView:
    """A linear network (W_1 the input layer) at the precision of `ctx`.

    `weights`, `sigma_x`, `target` are mpmath matrices; every method computes at ctx.dps.
    """

    def __init__(self, case: LinearNetwork, ctx: MPContext):
        self.case, self.ctx = case, ctx
        self.net = case.at(ctx)
        self.weights, self.sigma_x, self.target = self.net.weights, self.net.sigma, self.net.target
        self.depth = case.depth

    def sharpness(self):
        """λ_max of the Hessian: through H1's M at a global minimum, else the full Hessian."""
        if self.case.product_rows() == self.case.target_rows():  # exact, on the rationals
            return cv.sharpness(self.net)
        return self.spectrum()[-1]

    @cached_property
    def _hessian(self):
        return cv.full_hessian(self.net)

    def hessian(self):
        """The full Hessian (column-stacked weights, layer by layer); formed once per view."""
        return self._hessian.copy()

    def hessian_trace(self):
        """tr H = Σ_k ‖A_k S‖_F² ‖B_k‖_F² + (residual terms, zero at a global minimum)."""
        return sum(self._hessian[i, i] for i in range(self._hessian.rows))

    def spectrum(self) -> list:
        """Eigenvalues of the full Hessian, ascending."""
        return cv.eigenvalues(self.ctx, self._hessian)

    def balance(self) -> list:
        """W_{k+1}ᵀW_{k+1} − W_kW_kᵀ, k = 1..N−1."""
        return cv.balance(self.net)

    def gains(self) -> list:
        """‖A_{k+1} q‖ for k = 0..N: the gain from the input to layer k along T's top input q."""
        q = top_path(self.net)[0]
        return [self.ctx.norm(self.net.a(k) * q) for k in range(1, self.depth + 2)]

    def a(self, k: int):
        """A_k = W_{k−1} ⋯ W_1."""
        return self.net.a(k)

    def b(self, k: int):
        """B_k = W_N ⋯ W_{k+1}."""
        return self.net.b(k)


class ScalarView:
    """A scalar network w_1..w_N with target t at the precision of `ctx`."""

    def __init__(self, case: scalar.ScalarNetwork, ctx: MPContext):
        self.case, self.ctx = case, ctx
        self.weights, self.target = case.at(ctx), case.target_at(ctx)
        self.depth = case.depth

    def sharpness(self):
        return cv.eigenvalues(self.ctx, scalar.hessian(self.ctx, self.weights, self.target))[-1]

    def imbalances(self) -> dict:
        """D_ij = w_i² − w_j² for i < j (0-based pairs)."""
        return scalar.imbalances(self.weights)


def bind(case: object, ctx: MPContext) -> object:
    """The view of `case` at `ctx` (the case itself when no view applies)."""
    if isinstance(case, LinearNetwork):
        return LinearView(case, ctx)
    if isinstance(case, scalar.ScalarNetwork):
        return ScalarView(case, ctx)
    return case
