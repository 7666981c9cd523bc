"""Per-instance measurements of local entropy (P4, P5) and the statistics that pool them.

P4: within an instance, Spearman's ρ between a solution's margin κ(s) and n_d(s), the number
of solutions at Hamming distance d (d = 1, 2); and, around the highest-margin solution s*, the
least-squares slope in d of the mean margin of the solutions at distance d (d = 1..⌊N/3⌋).
P5: how far the local-entropy curve of s* (and of a typical solution) stays monotone,
1 = n_0 ≤ n_1 ≤ … ≤ n_D, D ≤ ⌊N/3⌋ (a gap or a dip is the break-up of the dense region);
`scaling.py` pools these over instances, sizes and radii D = cN.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from verify.perceptron.enumerate import enumerate_instance, local_entropy, shell_counts
from verify.stats import spearman

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
def monotone_reach(kind: str, n: int, m: int, seed: int) -> tuple[int, int] | None:
    """How far the local-entropy curve stays monotone around (the highest-margin solution, a
    typical one): the largest D ≤ ⌊N/3⌋ with n_0 ≤ n_1 ≤ … ≤ n_D. The typical solution is
    drawn uniformly among the solutions (seeded [seed, 9]); None when there is none."""
    inst = enumerate_instance(kind, n, m, seed)
    if len(inst.solutions) == 0:
        return None
    best = inst.solutions[np.argmax(inst.solution_margins)]
    typical = inst.solutions[np.random.default_rng([seed, 9]).integers(len(inst.solutions))]
    counts = local_entropy(inst, np.array([best, typical])).counts[:, : radius(n) + 1]
    falls = np.diff(counts, axis=1) < 0
    first = np.where(falls.any(axis=1), falls.argmax(axis=1), counts.shape[1] - 1)
    return int(first[0]), int(first[1])
