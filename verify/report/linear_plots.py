"""Figures of GD-found minima of deep linear networks (F1, F5, F9), drawn from
`verify.linear.found.gd_minima`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from verify.report.figure_files import plt, save

if TYPE_CHECKING:
    from verify.linear.found import FoundMinimum

COLOURS = {"small": "tab:blue", "large": "tab:red"}  # by init


def _sharpness_figure(found: list[FoundMinimum], flat: float):
    """λ_max of each minimum against its step η, with 2/η and the flattest value."""
    fig, ax = plt.subplots(figsize=(6, 4))
    steps = [m.step for m in found]
    etas = np.linspace(min(steps) * 0.9, max(steps) * 1.1, 200)
    ax.plot(etas, 2 / etas, "k--", label="2/η (stability edge, F9)")
    ax.axhline(flat, color="tab:green", label=f"flattest N σ1^(2−2/N) = {flat:.3f} (F1)")
    for init, colour in COLOURS.items():
        points = [(m.step, m.sharpness) for m in found if m.init == init]
        if points:
            ax.scatter(*zip(*points, strict=True), s=18, color=colour, label=f"GD, {init} init")
    ax.set(xlabel="step size η", ylabel="λ_max at the polished minimum", yscale="log")
    depth = len(found[0].gains) - 1
    ax.set_title(f"Minima found by GD, depth {depth}, T = diag(2, 1/2), whitened")
    ax.legend(fontsize=8)
    return fig


def _gains_figure(found: list[FoundMinimum]):
    """Each minimum's gain along the top path, layer by layer, with F5's band [1, √N]."""
    fig, ax = plt.subplots(figsize=(6, 4))
    depth = len(found[0].gains) - 1
    for init in ("large", "small"):
        runs = [m for m in found if m.init == init]
        for i, m in enumerate(runs):
            label = f"GD, {init} init ({len(runs)} runs)" if i == 0 else None
            layers = range(depth + 1)
            ax.plot(layers, m.gains, color=COLOURS[init], alpha=0.5, marker="o", ms=3, label=label)
    ax.axhline(1, color="k", lw=0.8)
    label = "F5 band [1, √N] (flattest minima)"
    ax.axhline(np.sqrt(depth), color="k", lw=0.8, ls="--", label=label)
    ax.set(xlabel="layer k", ylabel="‖W_k⋯W_1 q‖ / σ1^(k/N)", yscale="log")
    ax.set_title("Gain from the input to layer k along the top path")
    ax.legend(fontsize=8)
    return fig


def plot_linear(directory: Path, found: list[FoundMinimum], flat: float) -> list[Path]:
    """linear_sharpness_vs_step (F9, F1) and linear_top_path_gains (F5) of the minima found
    (≥ 1), given the flattest sharpness λ_flat."""
    paths = save(_sharpness_figure(found, flat), directory, "linear_sharpness_vs_step")
    return paths + save(_gains_figure(found), directory, "linear_top_path_gains")
