"""Statistics shared by the measured claims: intervals over seeds, ranks and Spearman's ρ.

Every resampling is seeded, so a claim's verdict is the same at both working precisions and in
every run.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from mpmath.ctx_mp import MPContext

from verify.precision import tolerance

INTERVAL_Z = 4  # standard errors: a false alarm below 1e-4 per case, safe over many cases
BOOTSTRAP = 1000  # resamples of a percentile bootstrap


def interval(values: list) -> tuple[float, float, float]:
    """(mean, mean − 4 SE, mean + 4 SE) of per-seed values (SE = sample sd / √n)."""
    xs = [float(v) for v in values]
    n = len(xs)
    mean = sum(xs) / n
    sd = (sum((x - mean) ** 2 for x in xs) / (n - 1)) ** 0.5 if n > 1 else float("inf")
    half = INTERVAL_Z * sd / n**0.5
    return mean, mean - half, mean + half


def ranks(values: np.ndarray) -> np.ndarray:
    """Ranks 1..n of a 1-D sample, ties sharing their average rank (O(n log n))."""
    _, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    return (np.cumsum(counts) - (counts - 1) / 2)[inverse]


def average_ranks(keys: np.ndarray) -> np.ndarray:
    """`ranks` along the last axis of a batch of small samples (bootstrap resamples):
    #{k_j < k_i} + (#{k_j = k_i} + 1) / 2, O(n²) memory per sample."""
    less = (keys[..., None, :] < keys[..., :, None]).sum(-1)
    same = (keys[..., None, :] == keys[..., :, None]).sum(-1)
    return less + (same + 1) / 2


def pearson(x, y) -> float | None:
    """Pearson's correlation of two samples; None when one is constant."""
    xs, ys = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    dx, dy = xs - xs.mean(), ys - ys.mean()
    den = float(np.sqrt((dx @ dx) * (dy @ dy)))
    return None if den == 0 else float(dx @ dy) / den


def spearman(x: np.ndarray, y: np.ndarray) -> float | None:
    """Spearman's ρ (Pearson correlation of average ranks); None if either is constant."""
    return pearson(ranks(x), ranks(y))


def bootstrap_rho(x_keys: list, y_keys: list, seed: int = 0) -> tuple[float, float, int]:
    """A seeded percentile bootstrap of Spearman's ρ over (x, y) pairs resampled with
    replacement: (5th percentile, 95th percentile, number of resamples where ρ was defined).
    Keys are tie-group ranks, re-ranked within each resample."""
    rng = np.random.default_rng(seed)
    x, y = np.asarray(x_keys, dtype=float), np.asarray(y_keys, dtype=float)
    pick = rng.integers(0, len(x), (BOOTSTRAP, len(x)))
    rx, ry = average_ranks(x[pick]), average_ranks(y[pick])
    dx = rx - rx.mean(axis=1, keepdims=True)
    dy = ry - ry.mean(axis=1, keepdims=True)
    den = np.sqrt((dx * dx).sum(1) * (dy * dy).sum(1))
    defined = den > 0
    rhos = (dx * dy).sum(1)[defined] / den[defined]
    if not len(rhos):
        return 0.0, 0.0, 0
    return float(np.quantile(rhos, 0.05)), float(np.quantile(rhos, 0.95)), len(rhos)


def bootstrap_mean(values: list[float], seed: int = 0) -> tuple[float, float]:
    """A seeded percentile bootstrap of a mean: (5th, 95th percentile) of resampled means."""
    rng = np.random.default_rng(seed)
    xs = np.asarray(values, dtype=float)
    means = [float(xs[rng.integers(0, len(xs), len(xs))].mean()) for _ in range(BOOTSTRAP)]
    return float(np.quantile(means, 0.05)), float(np.quantile(means, 0.95))


def wilson(successes: int, trials: int, z: float = INTERVAL_Z) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion at z standard errors."""
    p = successes / trials
    centre = (p + z * z / (2 * trials)) / (1 + z * z / trials)
    half = z * np.sqrt(p * (1 - p) / trials + z * z / (4 * trials**2)) / (1 + z * z / trials)
    return max(0.0, centre - half), min(1.0, centre + half)


def logistic_fit(x, y, iterations: int = 100) -> tuple[np.ndarray, np.ndarray]:
    """Maximum-likelihood logistic regression P(y = 1 | x) = 1 / (1 + e^−(β₀ + β₁x)) by
    Newton's method (IRLS): (β, covariance = inverse Fisher information at β).
    ValueError when no finite maximum exists (separated or constant outcomes)."""
    xs, ys = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if ys.min() == ys.max():
        raise ValueError("every outcome is the same: no finite logistic fit")
    design = np.column_stack([np.ones_like(xs), xs])
    beta = np.zeros(2)
    for _ in range(iterations):
        p = 1 / (1 + np.exp(-(design @ beta)))
        fisher = design.T @ (design * (p * (1 - p))[:, None])
        if np.linalg.cond(fisher) > 1e12:  # p → 0 or 1 everywhere: |β| runs off to infinity
            break
        step = np.linalg.solve(fisher, design.T @ (ys - p))
        beta = beta + step
        if np.max(np.abs(step)) < 1e-12 * (1 + np.max(np.abs(beta))):
            return beta, np.linalg.inv(fisher)
    raise ValueError("the logistic fit does not converge (the outcomes are separated in x)")


def logistic_midpoint(x, y) -> tuple[float, float]:
    """Where a falling logistic fit crosses 1/2, x_½ = −β₀/β₁, and its standard error by the
    delta method (gradient (−1/β₁, β₀/β₁²)). ValueError unless the fit falls (β₁ < 0)."""
    beta, cov = logistic_fit(x, y)
    if beta[1] >= 0:
        raise ValueError("the fitted fraction does not fall with x")
    grad = np.array([-1 / beta[1], beta[0] / beta[1] ** 2])
    return float(-beta[0] / beta[1]), float(np.sqrt(grad @ cov @ grad))


def weighted_line(x, y, se) -> tuple[np.ndarray, np.ndarray, float]:
    """Weighted least squares y = a + b x with weights 1/se²: ((a, b), covariance, χ²/dof).
    The covariance is scaled by max(1, χ²/dof) (the Birge ratio), so scatter beyond the
    stated errors widens the interval instead of being ignored."""
    xs, ys, w = (np.asarray(v, dtype=float) for v in (x, y, np.asarray(se, dtype=float) ** -2))
    if len(xs) < 3:
        raise ValueError(f"a line with a goodness of fit needs ≥ 3 points, got {len(xs)}")
    design = np.column_stack([np.ones_like(xs), xs])
    normal = design.T @ (design * w[:, None])
    coef = np.linalg.solve(normal, design.T @ (w * ys))
    chi2 = float(np.sum(w * (ys - design @ coef) ** 2)) / (len(xs) - 2)
    return coef, np.linalg.inv(normal) * max(1.0, chi2), chi2


def tie_ranks(values: list, ctx: MPContext, relative=None) -> list[Fraction]:
    """Ranks 1..n with ties averaged; values within `relative` (default: working-precision
    tolerance) of their group's smallest, relative to max(1, |value|), are one tie group."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    tol = tolerance(ctx) if relative is None else relative
    groups: list[list[int]] = []
    for i in order:
        if groups:
            last = values[groups[-1][0]]
            if values[i] - last <= tol * max(ctx.one, abs(last), abs(values[i])):
                groups[-1].append(i)
                continue
        groups.append([i])
    ranks: list[Fraction] = [Fraction(0)] * len(values)
    position = 0
    for group in groups:
        mean = Fraction(2 * position + len(group) + 1, 2)
        for i in group:
            ranks[i] = mean
        position += len(group)
    return ranks
