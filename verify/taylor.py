"""High-order Taylor integration of polynomial ODEs y' = f(y) at arbitrary precision.

The right-hand side is written with ordinary arithmetic on `Series` objects (truncated power
series in t with lazily computed, memoised coefficients), so one step costs O(K^2) per product
for order K and needs no symbolic differentiation. Order and step size follow the working
precision: K ~ 1.2 * dps, h chosen so the last two Taylor terms are below 10^-(dps+5).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from mpmath.ctx_mp import MPContext


class Series:
    """A power series sum_k c_k t^k whose k-th coefficient is computed on demand by `rule(k)`."""

    __slots__ = ("_coefficients", "_ctx", "_rule")

    def __init__(self, ctx: MPContext, rule: Callable[[int], object]):
        self._ctx = ctx
        self._rule = rule
        self._coefficients: list = []

    def __getitem__(self, k: int):
        while len(self._coefficients) <= k:
            self._coefficients.append(self._rule(len(self._coefficients)))
        return self._coefficients[k]

    def _lift(self, other) -> Series:
        if isinstance(other, Series):
            return other
        value = self._ctx.mpf(other)
        return Series(self._ctx, lambda k: value if k == 0 else self._ctx.zero)

    def __add__(self, other) -> Series:
        other = self._lift(other)
        return Series(self._ctx, lambda k: self[k] + other[k])

    __radd__ = __add__

    def __neg__(self) -> Series:
        return Series(self._ctx, lambda k: -self[k])

    def __sub__(self, other) -> Series:
        return self + (-self._lift(other))

    def __rsub__(self, other) -> Series:
        return self._lift(other) - self

    def __mul__(self, other) -> Series:
        if not isinstance(other, Series):
            factor = self._ctx.mpf(other)
            return Series(self._ctx, lambda k: factor * self[k])
        fdot = self._ctx.fdot
        return Series(self._ctx, lambda k: fdot((self[m], other[k - m]) for m in range(k + 1)))

    __rmul__ = __mul__


def _solution_series(ctx: MPContext, f: Callable, y0: Sequence) -> list[Series]:
    """Series of the solution through y0: y_k+1 = f(y)_k / (k + 1)."""
    slots: list[Series] = []
    ys = [
        Series(ctx, lambda k, i=i, c=c: c if k == 0 else slots[i][k - 1] / k)
        for i, c in enumerate(y0)
    ]
    slots.extend(f(ys))
    return ys


def integrate(
    ctx: MPContext, f: Callable[[list[Series]], list[Series]], y0: Sequence, t_end
) -> list:
    """y(t_end) for y' = f(y), y(0) = y0, to about ctx.dps digits.

    `f` maps a list of Series to a list of Series using +, -, * only (polynomial fields).
    """
    order = int(1.2 * ctx.dps) + 10
    target = ctx.mpf(10) ** (-ctx.dps - 5)
    y = [ctx.mpf(c) for c in y0]
    t, t_end = ctx.zero, ctx.mpf(t_end)
    while t < t_end:
        series = _solution_series(ctx, f, y)
        scale = max([ctx.one, *(abs(c) for c in y)])
        step = t_end - t
        for s in series:
            for k in (order - 1, order):
                size = abs(s[k])
                if size:
                    step = min(step, 0.9 * (target * scale / size) ** (ctx.one / k))
        y = [ctx.polyval([s[k] for k in range(order, -1, -1)], step) for s in series]
        t += step
    return y
