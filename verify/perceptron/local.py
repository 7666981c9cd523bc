"""Per-instance measurements of local entropy (P4, P5) and the statistics that pool them.

P4: within an instance, Spearman's ρ between a solution's margin κ(s) and n_d(s), the number
of solutions at Hamming distance d (d = 1, 2); and, around the highest-margin solution s*, the
least-squares slope in d of the mean margin of the solutions at distance d (d = 1..⌊N/3⌋).
P5: whether the local-entropy curve of s* is monotone, 1 = n_0 ≤ n_1 ≤ … ≤ n_D, D = ⌊N/3⌋
(a gap or a dip at small d is the break-up of the dense region), as a fraction of instances.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from verify.perceptron.enumerate import (
    enumerate_instance,
    local_entropy,
    seed_block,
    shell_counts,
)
from verify.stats import spearman, wilson

MIN_SOLUTIONS = 8  # fewer solutions in an instance: no within-instance correlation


def slope(xs: np.ndarray, ys: np.ndarray) -> float | None:
    """Least-squares slope of ys against xs; None with fewer than two points."""
    if len(xs) < 2:
        return None
    xc = xs - xs.mean()
    return float((xc * (ys - ys.mean())).sum() / (xc * xc).sum())


def radius(n: int) -> int:
    """D = ⌊N/3⌋: C(N, d) at least doubles with each step d → d + 1 up to D."""
    return max(2, n // 3)


@dataclass(frozen=True)
class Density:
    """P4 measurements of one instance (None where undefined)."""

    solutions: int
    rho: tuple[float | None, float | None]  # Spearman(κ(s), n_d(s)), d = 1, 2
    neighbour_slope: float | None  # d ↦ mean κ of solutions at distance d from s*


@lru_cache(maxsize=65536)
def density(kind: str, n: int, m: int, seed: int) -> Density:
    """Within-instance correlation of margin and local entropy, and the neighbour-margin slope
    around the highest-margin solution (cached: the check runs at two precisions)."""
    inst = enumerate_instance(kind, n, m, seed)
    sols, kappa = inst.solutions, inst.solution_margins
    if len(sols) < MIN_SOLUTIONS:
        return Density(len(sols), (None, None), None)
    rho = tuple(spearman(kappa, shell_counts(inst, sols, d)) for d in (1, 2))
    best = sols[np.argmax(kappa)]
    means = local_entropy(inst, np.array([best])).mean_margins()[0, 1 : radius(n) + 1]
    ds = np.arange(1, len(means) + 1)
    keep = ~np.isnan(means)
    return Density(len(sols), rho, slope(ds[keep].astype(float), means[keep]))


@lru_cache(maxsize=65536)
def monotone_curve(kind: str, n: int, m: int, seed: int) -> bool | None:
    """Is n_0 ≤ n_1 ≤ … ≤ n_D around the highest-margin solution? None when unsatisfiable."""
    inst = enumerate_instance(kind, n, m, seed)
    if len(inst.solutions) == 0:
        return None
    best = inst.solutions[np.argmax(inst.solution_margins)]
    counts = local_entropy(inst, np.array([best])).counts[0, : radius(n) + 1]
    return bool(np.all(np.diff(counts) >= 0))


def first_drop(xs: list[float], ys: list[float], level: float = 0.5) -> float | None:
    """The first x at which the piecewise-linear curve (xs, ys) falls to `level` (None if it
    never does, or already starts at or below it)."""
    if not ys or ys[0] <= level:
        return None
    for k in range(1, len(xs)):
        if ys[k] <= level:
            t = (ys[k - 1] - level) / (ys[k - 1] - ys[k])
            return xs[k - 1] + t * (xs[k] - xs[k - 1])
    return None


def last_drop(xs: list[float], ys: list[float], level: float = 0.5) -> float | None:
    """The x after which the curve stays at or below `level` (None if it ends above it)."""
    if not ys or ys[-1] > level:
        return None
    k = len(ys) - 1
    while k > 0 and ys[k - 1] <= level:
        k -= 1
    if k == 0:
        return None
    t = (ys[k - 1] - level) / (ys[k - 1] - ys[k])
    return xs[k - 1] + t * (xs[k] - xs[k - 1])


@dataclass(frozen=True)
class Crossover:
    """Fraction of instances with a monotone curve at each load, and where it crosses 1/2."""

    loads: list[float]
    fractions: list[float]
    lows: list[float]
    highs: list[float]
    satisfiable: list[int]
    estimate: float | None
    low: float | None
    high: float | None


def crossover(kind: str, n: int, seed: int, instances: int) -> Crossover:
    """Sweep M = 1..N (α = M/N), over loads where at least half the instances are satisfiable;
    the estimate is where the fraction first falls to 1/2, its interval runs from where the
    lower Wilson bound first does to where the upper one does for good."""
    loads, fractions, lows, highs, sat = [], [], [], [], []
    for m in range(1, n + 1):
        found = [monotone_curve(kind, n, m, s) for s in seed_block(seed, instances)]
        found = [f for f in found if f is not None]
        if 2 * len(found) < instances:  # mostly unsatisfiable: past the finite-N capacity
            continue
        loads.append(m / n)
        fractions.append(sum(found) / len(found))
        low, high = wilson(sum(found), len(found))
        lows.append(low)
        highs.append(high)
        sat.append(len(found))
    return Crossover(
        loads,
        fractions,
        lows,
        highs,
        sat,
        first_drop(loads, fractions),
        first_drop(loads, lows),
        last_drop(loads, highs),
    )
