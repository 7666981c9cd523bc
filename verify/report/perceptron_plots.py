"""Figures of the binary-perceptron enumeration (P3–P5), drawn from `verify.perceptron.survey`.

perceptron_local_entropy: the filled fraction n_d / C(N, d) of each Hamming shell around
solutions, by margin class (P4), and the mean margin of the solutions in the shell.
perceptron_counts_vs_alpha: the number of solutions (κ ≥ 0) against the first moment
2^N H(0)^M (P3).
perceptron_crossover: the fraction of instances whose local-entropy curve around the
highest-margin solution is monotone out to N/3, against α, with logistic fits; and the
crossovers α_×(N) against 1/N for the radii N/6, N/4, N/3, extrapolated to N → ∞, with the
literature's α ≈ 0.77–0.78 (P5). Their text is in verify/report/captions.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from verify.report.figure_files import label, legend_below, legend_right, plt, save, titled

if TYPE_CHECKING:
    from verify.perceptron.survey import CountsByLoad, Crossovers, LocalEntropyByClass

ENTROPY, COUNTS = "perceptron_local_entropy", "perceptron_counts_vs_alpha"
CROSSOVER = "perceptron_crossover"
FLOOR = 0.5  # counts below this are drawn at it (log axis: zero solutions stay visible)


def _quartile_label(c: int, classes: int) -> str:
    extreme = {0: " (lowest)", classes - 1: " (highest)"}.get(c, "")
    return f"margin quartile {c + 1}{extreme}"


def _local_entropy_figure(data: LocalEntropyByClass):
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 7), sharex=True, layout="constrained")
    classes = len(data.fractions)
    for c, (fraction, margin) in enumerate(zip(data.fractions, data.margins, strict=True)):
        name = _quartile_label(c, classes)
        top.semilogy(data.ds, np.maximum(fraction, 1e-12), marker="o", ms=3, label=name)
        bottom.plot(data.ds, margin, marker="o", ms=3)
    moment = r"$2^{-M}$: fraction of all $w$ that are solutions (first moment)"
    top.axhline(data.first_moment, color="k", ls="--", lw=0.8, label=moment)
    text = titled(fig, ENTROPY, n=data.n, m=data.m)
    for ax, panel in zip((top, bottom), text.panels, strict=True):
        label(ax, panel)
    legend_below(fig, ncols=3)
    return fig


def _counts_figure(data: CountsByLoad):
    fig, ax = plt.subplots(figsize=(7.5, 4.5), layout="constrained")
    ax.semilogy(data.loads, data.first_moment, "k--", lw=1, label="first moment $2^N H(0)^M$")
    lows = np.maximum(data.lows, FLOOR)
    ax.fill_between(data.loads, lows, data.highs, alpha=0.25, label="mean ± 4 SE")
    ax.semilogy(data.loads, data.means, "o-", ms=3, label=f"mean over {data.instances} instances")
    medians = np.maximum(data.medians, FLOOR)
    ax.semilogy(data.loads, medians, "s:", ms=3, label="median (typical instance)")
    label(ax, titled(fig, COUNTS, n=data.n).panels[0])
    legend_right(ax)
    return fig


def _literature(band, data: Crossovers) -> None:
    """The literature's threshold as a band (`band`: an axes' axvspan or axhspan)."""
    low, high = data.literature
    band(
        low,
        high,
        color="tab:red",
        alpha=0.4,
        label=rf"literature $\alpha \approx {low:g}$–${high:g}$",
    )


def _fractions_panel(ax, data: Crossovers) -> None:
    """Monotone fraction against α per size, Wilson bands and logistic fits."""
    for curve in data.curves:
        (line,) = ax.plot(curve.alphas, curve.fractions, "o", ms=3, label=f"$N$ = {curve.n}")
        ax.fill_between(curve.alphas, curve.lows, curve.highs, color=line.get_color(), alpha=0.12)
        ax.plot(data.grid, curve.fitted, color=line.get_color())
    _literature(ax.axvspan, data)
    ax.axhline(0.5, color="k", lw=0.8)


def _extrapolation_panel(ax, data: Crossovers) -> None:
    """α_×(N) against 1/N per radius, the fitted lines and α_∞ ± 4 SE at 1/N = 0."""
    _literature(ax.axhspan, data)
    inverse = np.linspace(0, 1 / 6, 50)
    for fit in data.fits:
        xs = [1 / n for n in fit.sizes]
        (line,) = ax.plot(xs, fit.crossovers, "o", label=f"$D = N/{fit.fraction.denominator}$")
        colour = line.get_color()
        ax.errorbar(xs, fit.crossovers, yerr=fit.halfwidths, fmt="none", color=colour)
        ax.plot(inverse, fit.limit + fit.slope * inverse, "--", color=colour)
        low, high = fit.interval
        bar = [[fit.limit - low], [high - fit.limit]]
        ax.errorbar([0], [fit.limit], yerr=bar, fmt="s", color=colour, capsize=4)
    ax.set_ylim(0, 1.05)


def _crossover_figure(data: Crossovers):
    """The two panels stacked, each with its legend beside it (side by side they were too
    narrow to read)."""
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 8.5), layout="constrained")
    _fractions_panel(top, data)
    _extrapolation_panel(bottom, data)
    text = titled(fig, CROSSOVER)
    for ax, panel in zip((top, bottom), text.panels, strict=True):
        label(ax, panel, radius=data.radius.denominator)
        legend_right(ax)
    return fig


def plot_perceptron(
    directory: Path, entropy: LocalEntropyByClass, counts: CountsByLoad, crossovers: Crossovers
) -> list[Path]:
    """Write perceptron_local_entropy, perceptron_counts_vs_alpha and perceptron_crossover (PNG
    and SVG) into `directory`."""
    written = save(_local_entropy_figure(entropy), directory, ENTROPY)
    written += save(_counts_figure(counts), directory, COUNTS)
    return written + save(_crossover_figure(crossovers), directory, CROSSOVER)
