"""Scalar deep linear network w_1..w_N, data x = 1, target t: L = ½(P - t)², P = Π w_i.

Cases hold exact rationals; every function takes an explicit mpmath context.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations
from math import prod

from mpmath.ctx_mp import MPContext

from verify import taylor
from verify.precision import exact


@dataclass(frozen=True)
class ScalarNetwork:
    """Weights w_1..w_N and target t (a global minimum when Π w = t)."""

    weights: tuple[Fraction, ...]
    target: Fraction = Fraction(1)

    @property
    def depth(self) -> int:
        return len(self.weights)

    def at(self, ctx: MPContext) -> list:
        """The weights as numbers of `ctx`."""
        return [exact(ctx, w) for w in self.weights]

    def target_at(self, ctx: MPContext):
        return exact(ctx, self.target)


@dataclass(frozen=True)
class ScalarRun:
    """A network and a GD schedule: `steps` steps of size `step`."""

    network: ScalarNetwork
    step: Fraction
    steps: int


@dataclass(frozen=True)
class ScalarFlow:
    """A network and a gradient-flow horizon."""

    network: ScalarNetwork
    horizon: Fraction


def others(ws: Sequence, *skip: int):
    """Π_{k not in skip} w_k (1 when nothing is left)."""
    return prod((w for k, w in enumerate(ws) if k not in skip), start=1)


def gradient(ctx: MPContext, ws: Sequence, t) -> list:
    """∂L/∂w_i = g Π_{k≠i} w_k with g = P - t."""
    g = others(ws) - t
    return [g * others(ws, i) for i in range(len(ws))]


def hessian(ctx: MPContext, ws: Sequence, t):
    """H_ij = ∂_iP ∂_jP + (P - t) ∂_ij P, with ∂_ii P = 0 and ∂_ij P = Π_{k≠i,j} w_k."""
    n, g = len(ws), others(ws) - t
    partial = [others(ws, i) for i in range(n)]
    return ctx.matrix(
        [
            [partial[i] * partial[j] + (g * others(ws, i, j) if i != j else 0) for j in range(n)]
            for i in range(n)
        ]
    )


class _Rows:
    """A `ctx.matrix` that keeps the rows as given: `hessian` on exact rationals."""

    @staticmethod
    def matrix(rows: list) -> list:
        return rows


def exact_hessian(network: ScalarNetwork) -> list[list[Fraction]]:
    """H over ℚ: `hessian` on the exact weights and target."""
    return hessian(_Rows, list(network.weights), network.target)


def gd_step(ctx: MPContext, ws: Sequence, t, eta) -> list:
    """w_i' = w_i - η ∂L/∂w_i."""
    return [w - eta * d for w, d in zip(ws, gradient(ctx, ws, t), strict=True)]


def imbalances(ws: Sequence) -> dict[tuple[int, int], object]:
    """D_ij = w_i² - w_j² for i < j."""
    return {(i, j): ws[i] ** 2 - ws[j] ** 2 for i, j in combinations(range(len(ws)), 2)}


def flow(ctx: MPContext, ws: Sequence, t, horizon) -> list:
    """Gradient flow ẇ_i = -(P - t) Π_{k≠i} w_k integrated to `horizon` (Taylor method)."""

    def field(ys):
        g = others(ys) - t
        return [-(g * others(ys, i)) for i in range(len(ys))]

    return taylor.integrate(ctx, field, ws, horizon)
