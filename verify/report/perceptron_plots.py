"""Figures of the binary-perceptron enumeration (P3–P5), as PNG and SVG.

local_entropy: the filled fraction n_d / C(N, d) of each Hamming shell around solutions, by
margin class (P4), and the mean margin of the solutions in the shell.
counts_vs_alpha: the number of solutions (κ ≥ 0) against the first moment 2^N H(0)^M (P3).
crossover: the fraction of instances whose local-entropy curve around the highest-margin
solution is monotone, against α, with the literature's α ≈ 0.77–0.78 (P5).
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
from verify.perceptron.local import crossover
from verify.report.plots import _save, plt
from verify.stats import interval

CLASSES = 4  # margin quartiles among the solutions


@dataclass(frozen=True)
class PerceptronPlot:
    """What to enumerate: size, load, instances per point, sizes of the crossover sweep."""

    n: int = 21
    alpha: float = 0.5
    instances: int = 8
    sweep_sizes: tuple[int, ...] = (13, 15, 17)
    sweep_instances: int = 80
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
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    for n in spec.sweep_sizes:
        found = crossover("gaussian", n, 0, spec.sweep_instances)
        (line,) = ax.plot(found.loads, found.fractions, "o-", ms=3, label=f"N = {n}")
        ax.fill_between(found.loads, found.lows, found.highs, color=line.get_color(), alpha=0.12)
    ax.axvspan(0.77, 0.78, color="tab:red", alpha=0.4, label="literature α ≈ 0.77–0.78")
    ax.axhline(0.5, color="k", lw=0.8)
    ax.set_xlabel("α = M / N")
    ax.set_ylabel("fraction with monotone n_0 ≤ … ≤ n_⌊N/3⌋")
    ax.set_title("local-entropy curve around the highest-margin solution (Wilson 4σ bands)")
    ax.legend(fontsize=8)
    return fig


def plot_perceptron(directory, spec: PerceptronPlot | None = None) -> list:
    """Write local_entropy, counts_vs_alpha and crossover (PNG and SVG) into `directory`."""
    spec = spec or PerceptronPlot()
    written = _save(_local_entropy_figure(spec), directory, "local_entropy")
    written += _save(_counts_figure(spec), directory, "counts_vs_alpha")
    return written + _save(_crossover_figure(spec), directory, "crossover")
