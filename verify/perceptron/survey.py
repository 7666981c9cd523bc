"""The binary-perceptron survey drawn in the perceptron family's figures (P3–P5), as plain
data (frozen dataclasses of numpy arrays and floats); Gaussian patterns throughout.

Local entropy by margin class: the filled fraction n_d / C(N, d) of each Hamming shell around
the solutions, by margin quartile (P4), and the mean margin of the solutions in the shell.
Counts by load: the number of solutions (κ ≥ 0) against α, with the first moment (P3).
Crossovers: per size, the fraction of instances whose local-entropy curve around the
highest-margin solution is monotone out to N/3, against α, with a logistic fit; per radius
N/6, N/4, N/3, the crossovers α_×(N) extrapolated to N → ∞ (P5, `scaling`).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from math import comb

import numpy as np

from verify.perceptron.enumerate import (
    check_size,
    enumerate_instance,
    local_entropy,
    patterns_count,
    seed_block,
    solution_counts,
)
from verify.perceptron.scaling import (
    LITERATURE_THRESHOLD,
    RADII,
    Extrapolation,
    SizeSweep,
    extrapolate,
    size_sweep,
    sizes_for,
)
from verify.stats import interval, logistic_fit, wilson

CLASSES = 4  # margin quartiles among the solutions
GRID = np.linspace(0, 1, 201)  # the loads α where the logistic fits are evaluated


@dataclass(frozen=True)
class Survey:
    """What to enumerate: size, load, instances per point, sizes of the crossover sweep."""

    n: int = 21
    alpha: float = 0.5
    instances: int = 8
    sweep_sizes: tuple[int, ...] = (6, 8, 9, 12, 15, 16, 18)
    sweep_instances: int = 100
    count_size: int = 15
    count_instances: int = 100

    def __post_init__(self) -> None:
        check_size(self.n, self.alpha)
        for n in (*self.sweep_sizes, self.count_size):
            check_size(n)


@dataclass(frozen=True)
class LocalEntropyByClass:
    """At N and M = αN, per margin class (lowest first) and distance d in ds: the mean filled
    fraction n_d / C(N, d) around its solutions, and the mean margin of the solutions at d
    (nan where none). No classes when no instance has ≥ CLASSES solutions."""

    n: int
    m: int
    ds: np.ndarray
    fractions: tuple[np.ndarray, ...]
    margins: tuple[np.ndarray, ...]
    first_moment: float  # 2^−M: the fraction of all w that are solutions


@dataclass(frozen=True)
class CountsByLoad:
    """Solutions per instance at N, per load α = M/N: mean, mean ∓ 4 SE, median, and the first
    moment 2^N H(0)^M = 2^(N−M)."""

    n: int
    instances: int
    loads: np.ndarray
    means: np.ndarray
    lows: np.ndarray
    highs: np.ndarray
    medians: np.ndarray
    first_moment: np.ndarray


@dataclass(frozen=True)
class SizeCurve:
    """At one size N, per load α: the fraction of instances monotone out to the radius, its
    Wilson 4σ band, and the logistic fit on GRID."""

    n: int
    alphas: np.ndarray
    fractions: np.ndarray
    lows: np.ndarray
    highs: np.ndarray
    fitted: np.ndarray


@dataclass(frozen=True)
class Crossovers:
    """The monotone fractions at D = radius · N per size; the extrapolations per radius in
    RADII; the literature's threshold (low, high)."""

    radius: Fraction
    grid: np.ndarray
    curves: tuple[SizeCurve, ...]
    fits: tuple[Extrapolation, ...]
    literature: tuple[float, float]


def _by_class(survey: Survey, m: int) -> tuple[list[list[np.ndarray]], np.ndarray, np.ndarray]:
    """Per margin class: the filled fractions around each solution, and the summed margins and
    counts of the solutions at each distance, over the instances with ≥ CLASSES solutions."""
    n = survey.n
    shells = np.array([comb(n, d) for d in range(n + 1)], dtype=float)
    fractions = [[] for _ in range(CLASSES)]
    sums, counts = np.zeros((CLASSES, n + 1)), np.zeros((CLASSES, n + 1))
    for seed in seed_block(0, survey.instances):
        inst = enumerate_instance("gaussian", n, m, seed)
        if len(inst.solutions) < CLASSES:
            continue
        profile = local_entropy(inst)
        order = np.argsort(inst.solution_margins)
        for c, part in enumerate(np.array_split(order, CLASSES)):
            fractions[c].append(profile.counts[part] / shells)
            sums[c] += profile.margin_sums[part].sum(0)
            counts[c] += profile.counts[part].sum(0)
    return fractions, sums, counts


def local_entropy_by_class(survey: Survey) -> LocalEntropyByClass:
    """The local entropy around the solutions of `survey.instances` instances at N = survey.n,
    by margin quartile, out to d = N/2."""
    m = patterns_count(survey.n, survey.alpha)
    fractions, sums, counts = _by_class(survey, m)
    ds = np.arange(1, survey.n // 2 + 1)
    if not fractions[0]:
        return LocalEntropyByClass(survey.n, m, ds, (), (), 2.0**-m)
    means = tuple(np.concatenate(f).mean(axis=0)[ds] for f in fractions)
    margins = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)[:, ds]
    return LocalEntropyByClass(survey.n, m, ds, means, tuple(margins), 2.0**-m)


def counts_by_load(survey: Survey) -> CountsByLoad:
    """Solutions (κ ≥ 0) of `survey.count_instances` instances at N = survey.count_size, at every
    load M = 1..N."""
    n, seeds = survey.count_size, seed_block(1, survey.count_instances)
    ms = np.arange(1, n + 1)
    rows = []
    for m in ms:
        counts = solution_counts("gaussian", n, int(m), seeds, Fraction(0))
        rows.append((*interval(counts), float(np.median(counts))))
    means, lows, highs, medians = np.array(rows).T
    return CountsByLoad(
        n, survey.count_instances, ms / n, means, lows, highs, medians, 2.0 ** (n - ms)
    )


def _curve(sweep: SizeSweep, radius: Fraction) -> SizeCurve:
    """The monotone fractions of one sweep, their Wilson bands and the logistic fit."""
    alphas, fractions, counts = sweep.fractions(radius)
    bands = np.array([wilson(round(f * c), c) for f, c in zip(fractions, counts, strict=True)])
    beta, _ = logistic_fit(sweep.loads, sweep.monotone(radius))
    fitted = 1 / (1 + np.exp(-(beta[0] + beta[1] * GRID)))
    return SizeCurve(
        sweep.n, np.array(alphas), np.array(fractions), bands[:, 0], bands[:, 1], fitted
    )


def crossovers(survey: Survey) -> Crossovers:
    """The sweeps at `survey.sweep_sizes`: curves at D = N/3, extrapolations per radius."""
    largest = max(survey.sweep_sizes)
    sweeps = {n: size_sweep("gaussian", n, 0, survey.sweep_instances) for n in survey.sweep_sizes}
    radius = RADII[-1]
    curves = tuple(_curve(sweeps[n], radius) for n in sizes_for(radius, largest))
    fits = tuple(extrapolate([sweeps[n] for n in sizes_for(c, largest)], c) for c in RADII)
    low, high = LITERATURE_THRESHOLD
    return Crossovers(radius, GRID, curves, fits, (float(low), float(high)))
