"""Figures of the binary-perceptron enumeration (P3–P5), as PNG and SVG.

local_entropy: the filled fraction n_d / C(N, d) of each Hamming shell around solutions, by
margin class (P4), and the mean margin of the solutions in the shell.
counts_vs_alpha: the number of solutions (κ ≥ 0) against the first moment 2^N H(0)^M (P3).
crossover: the fraction of instances whose local-entropy curve around the highest-margin
solution is monotone out to N/3, against α, with logistic fits; and the crossovers α_×(N)
against 1/N for the radii N/6, N/4, N/3, extrapolated to N → ∞, with the literature's
α ≈ 0.77–0.78 (P5).
"""

from __future__ import annotations

from dataclasses import dataclass
from math import comb

import numpy as np

from verify.perceptron.enumerate import (
    check_size,
    enumerate_instance,
    local_entropy,
    patterns_count,
    seed_block,
)
from verify.perceptron.scaling import (
    LITERATURE_THRESHOLD,
    RADII,
    extrapolate,
    size_sweep,
    sizes_for,
)
from verify.report.figure_files import plt, save
from verify.stats import INTERVAL_Z, interval, logistic_fit, wilson

CLASSES = 4  # margin quartiles among the solutions


@dataclass(frozen=True)
class PerceptronPlot:
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


def _local_entropy_figure(spec: PerceptronPlot):
    m = patterns_count(spec.n, spec.alpha)
    fractions = [[] for _ in range(CLASSES)]
    means = [[] for _ in range(CLASSES)]
    shells = np.array([comb(spec.n, d) for d in range(spec.n + 1)], dtype=float)
    for seed in seed_block(0, spec.instances):
        inst = enumerate_instance("gaussian", spec.n, m, seed)
        if len(inst.solutions) < CLASSES:
            continue
        profile = local_entropy(inst)
        order = np.argsort(inst.solution_margins)
        for c, part in enumerate(np.array_split(order, CLASSES)):
            fractions[c].append(profile.counts[part] / shells)
            means[c].append((profile.margin_sums[part].sum(0), profile.counts[part].sum(0)))
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(7, 7), sharex=True)
    ds = np.arange(1, spec.n // 2 + 1)
    for c in range(CLASSES):
        if not fractions[c]:
            continue
        frac = np.concatenate(fractions[c]).mean(axis=0)[ds]
        label = f"margin quartile {c + 1} ({'lowest' if c == 0 else 'highest' if c == 3 else ''})"
        top.semilogy(ds, np.maximum(frac, 1e-12), marker="o", ms=3, label=label.replace(" ()", ""))
        sums, counts = (sum(parts) for parts in zip(*means[c], strict=True))
        pooled = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
        bottom.plot(ds, pooled[ds], marker="o", ms=3)
    label = "2^−M: fraction of all w that are solutions (first moment)"
    top.axhline(2.0**-m, color="k", ls="--", lw=0.8, label=label)
    top.set_ylabel("n_d / C(N, d): filled fraction of the shell")
    top.set_title(f"local entropy by margin class, N = {spec.n}, M = {m} (Gaussian patterns)")
    top.legend(fontsize=8)
    bottom.set_ylabel("mean margin of the solutions at distance d")
    bottom.set_xlabel("Hamming distance d")
    return fig


def _counts_figure(spec: PerceptronPlot):
    n = spec.count_size
    loads, means, lows, highs, medians = [], [], [], [], []
    for m in range(1, n + 1):
        counts = [
            len(enumerate_instance("gaussian", n, m, s).solutions)
            for s in seed_block(1, spec.count_instances)
        ]
        mean, low, high = interval(counts)
        loads.append(m / n)
        means.append(mean)
        lows.append(max(low, 0.5))
        highs.append(high)
        medians.append(max(float(np.median(counts)), 0.5))
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    loads = np.array(loads)
    ax.semilogy(loads, 2.0 ** (n - loads * n), "k--", lw=1, label="first moment 2^N H(0)^M")
    ax.fill_between(loads, lows, highs, alpha=0.25, label="mean ± 4 SE")
    ax.semilogy(loads, means, "o-", ms=3, label=f"mean over {spec.count_instances} instances")
    ax.semilogy(loads, medians, "s:", ms=3, label="median (typical instance)")
    ax.set_xlabel("α = M / N")
    ax.set_ylabel("number of solutions (κ ≥ 0)")
    ax.set_title(f"exhaustive enumeration, N = {n}, Gaussian patterns")
    ax.legend(fontsize=8)
    return fig


def _crossover_figure(spec: PerceptronPlot):
    largest = max(spec.sweep_sizes)
    sweeps = {n: size_sweep("gaussian", n, 0, spec.sweep_instances) for n in spec.sweep_sizes}
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.5))
    grid = np.linspace(0, 1, 201)
    third = RADII[-1]
    for n in sizes_for(third, largest):
        alphas, fractions, counts = sweeps[n].fractions(third)
        bands = np.array([wilson(round(f * c), c) for f, c in zip(fractions, counts, strict=True)])
        (line,) = left.plot(alphas, fractions, "o", ms=3, label=f"N = {n}")
        left.fill_between(alphas, bands[:, 0], bands[:, 1], color=line.get_color(), alpha=0.12)
        beta, _ = logistic_fit(sweeps[n].loads, sweeps[n].monotone(third))
        left.plot(grid, 1 / (1 + np.exp(-(beta[0] + beta[1] * grid))), color=line.get_color())
    for ax in (left, right):
        band = ax.axvspan if ax is left else ax.axhspan
        low, high = map(float, LITERATURE_THRESHOLD)
        band(low, high, color="tab:red", alpha=0.4, label=f"literature α ≈ {low:g}–{high:g}")
    left.axhline(0.5, color="k", lw=0.8)
    left.set_xlabel("α = M / N")
    left.set_ylabel("fraction with monotone n_0 ≤ … ≤ n_{N/3}")
    left.set_title("around the highest-margin solution (logistic fits, Wilson 4σ bands)")
    left.legend(fontsize=8)
    inverse = np.linspace(0, 1 / 6, 50)
    for fraction in RADII:
        fit = extrapolate([sweeps[n] for n in sizes_for(fraction, largest)], fraction)
        xs = [1 / n for n in fit.sizes]
        yerr = INTERVAL_Z * np.array(fit.errors)
        (line,) = right.plot(xs, fit.crossovers, "o", label=f"D = N/{fraction.denominator}")
        right.errorbar(xs, fit.crossovers, yerr=yerr, fmt="none", color=line.get_color())
        right.plot(inverse, fit.limit + fit.slope * inverse, "--", color=line.get_color())
        low, high = fit.interval
        bar = [[fit.limit - low], [high - fit.limit]]
        right.errorbar([0], [fit.limit], yerr=bar, fmt="s", color=line.get_color(), capsize=4)
    right.set_xlabel("1 / N")
    right.set_ylabel("crossover α_×(N), highest-margin solution")
    right.set_title("α_×(N) = α_∞ + b/N per radius, α_∞ ± 4 SE at 1/N = 0")
    right.set_ylim(0, 1.05)
    right.legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_perceptron(directory, spec: PerceptronPlot | None = None) -> list:
    """Write local_entropy, counts_vs_alpha and crossover (PNG and SVG) into `directory`."""
    spec = spec or PerceptronPlot()
    written = save(_local_entropy_figure(spec), directory, "local_entropy")
    written += save(_counts_figure(spec), directory, "counts_vs_alpha")
    return written + save(_crossover_figure(spec), directory, "crossover")
