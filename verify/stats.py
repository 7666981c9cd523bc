"""Statistics shared by the measured claims: intervals over seeds, ranks and Spearman's ρ.

Every resampling is seeded, so a claim's verdict is the same at both working precisions and in
every run.
"""

from __future__ import annotations

import numpy as np

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
