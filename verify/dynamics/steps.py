"""One step of the scalar network w_1..w_N on any data, with weight decay μ ≥ 0.

With P = Π w_i and r = ∂L/∂P the gradient factor of the data used in the step,

    w_i' = (1 − ημ) w_i − η r Π_{k≠i} w_k,

and the imbalance D_ij = w_i² − w_j² obeys, exactly (G2, G3, G4, G5),

    D_ij' = D_ij [(1 − ημ)² − η² r² Π_{k≠i,j} w_k²].

r is P − t for data x = 1 and target t, (1 + σ²)P − 1 for the expected noise loss, and the
mini-batch mean of (P x_m − y_m) x_m for SGD.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from mpmath.ctx_mp import MPContext

from verify.evidence import InvalidCase
from verify.scalar import imbalances, others

DIVERGED = 10**6  # |w_i| beyond this: the run has left every basin of this network


class Diverged(Exception):
    """A trajectory left the bounded region: reported as divergence, never as NaN."""

    def __init__(self, step: int):
        super().__init__(f"diverged at step {step}: a weight exceeded {DIVERGED:.0e} in size")
        self.step = step


def check_schedule(
    eta: Fraction | float, mu: Fraction | float = 0, batch: int = 1, n: int = 1
) -> None:
    """One-line errors for a negative or zero step, μ < 0, and a batch not in 1..n."""
    if eta <= 0:
        raise InvalidCase(f"step size η must be positive, got {eta}")
    if mu < 0:
        raise InvalidCase(f"weight decay μ must be non-negative, got {mu}")
    if not 1 <= batch <= n:
        raise InvalidCase(f"batch size must be between 1 and the {n} data points, got {batch}")


def step(ws: Sequence, r, eta, mu=0) -> list:
    """w_i' = (1 − ημ) w_i − η r Π_{k≠i} w_k."""
    return [(1 - eta * mu) * w - eta * r * others(ws, i) for i, w in enumerate(ws)]


def imbalance_factor(ws: Sequence, i: int, j: int, r, eta, mu=0):
    """The exact factor (1 − ημ)² − η² r² Π_{k≠i,j} w_k² of D_ij over one step."""
    return (1 - eta * mu) ** 2 - eta**2 * r**2 * others(ws, i, j) ** 2


def guard(ws: Sequence, t: int) -> None:
    """Raise Diverged when a weight has grown beyond DIVERGED (or is not a number)."""
    if not all(abs(w) < DIVERGED for w in ws):
        raise Diverged(t)


def worst_factor_error(ctx: MPContext, ws: list, nxt: list, r, eta, mu=0) -> object:
    """max over pairs of |D_ij' − D_ij · factor| / scale for one step ws → nxt."""
    before, after = imbalances(ws), imbalances(nxt)
    worst = ctx.zero
    for (i, j), d in before.items():
        predicted = d * imbalance_factor(ws, i, j, r, eta, mu)
        size = max(ctx.one, ws[i] ** 2 + ws[j] ** 2, nxt[i] ** 2 + nxt[j] ** 2)
        worst = max(worst, abs(after[(i, j)] - predicted) / size)
    return worst
