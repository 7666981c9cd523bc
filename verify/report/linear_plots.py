"""Figures of GD-found minima of deep linear networks (F1, F5, F9), drawn from
`verify.linear.found.gd_minima`; their text is in verify/report/captions.py."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from verify.report.figure_files import label, legend_right, plt, save, titled

if TYPE_CHECKING:
    from verify.linear.found import FoundMinimum

COLOURS = {"small": "tab:blue", "large": "tab:red"}  # by init
SHARPNESS, GAINS = "linear_sharpness_vs_step", "linear_top_path_gains"


def _sharpness_figure(found: list[FoundMinimum], flat: float):
    """λ_max of each minimum against its step η, with 2/η and the flattest value."""
    fig, ax = plt.subplots(figsize=(7.5, 4), layout="constrained")
    steps = [m.step for m in found]
    etas = np.linspace(min(steps) * 0.9, max(steps) * 1.1, 200)
    ax.plot(etas, 2 / etas, "k--", label=r"$2/\eta$ (stability edge, F9)")
    label_flat = rf"flattest $N\sigma_1^{{2-2/N}}$ = {flat:.3f} (F1)"
    ax.axhline(flat, color="tab:green", label=label_flat)
    for init, colour in COLOURS.items():
        points = [(m.step, m.sharpness) for m in found if m.init == init]
        if points:
            ax.scatter(*zip(*points, strict=True), s=18, color=colour, label=f"GD, {init} init")
    ax.set_yscale("log")
    text = titled(fig, SHARPNESS, depth=len(found[0].gains) - 1)
    label(ax, text.panels[0])
    legend_right(ax)
    return fig


def _gains_figure(found: list[FoundMinimum]):
    """Each minimum's gain along the top path, layer by layer, with F5's band [1, √N]."""
    fig, ax = plt.subplots(figsize=(7.5, 4), layout="constrained")
    depth = len(found[0].gains) - 1
    layers = range(depth + 1)
    for init in ("large", "small"):
        runs = [m for m in found if m.init == init]
        for i, m in enumerate(runs):
            name = f"GD, {init} init ({len(runs)} runs)" if i == 0 else None
            ax.plot(layers, m.gains, color=COLOURS[init], alpha=0.5, marker="o", ms=3, label=name)
    ax.axhline(1, color="k", lw=0.8)
    band = r"F5 band $[1, \sqrt{N}]$ (flattest minima)"
    ax.axhline(np.sqrt(depth), color="k", lw=0.8, ls="--", label=band)
    ax.set_yscale("log")
    ax.set_xticks(list(layers))
    text = titled(fig, GAINS, depth=depth)
    label(ax, text.panels[0])
    legend_right(ax)
    return fig


def plot_linear(directory: Path, found: list[FoundMinimum], flat: float) -> list[Path]:
    """linear_sharpness_vs_step (F9, F1) and linear_top_path_gains (F5) of the minima found
    (≥ 1), given the flattest sharpness λ_flat."""
    paths = save(_sharpness_figure(found, flat), directory, SHARPNESS)
    return paths + save(_gains_figure(found), directory, GAINS)
