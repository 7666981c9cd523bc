"""Figures of N2: alignment and balance of GD- and SGD-found ReLU minima against their
sharpness."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from verify.nonlinear.practice import PracticeExperiment, outcome
from verify.report.figure_files import plt, save

EXPERIMENTS = (
    PracticeExperiment((3, 2, 1), (3, 8, 1), 8, 0, tuple(range(8)), (0.05, 0.1, 0.2, 0.4)),
    PracticeExperiment((3, 2, 1), (3, 6, 6, 1), 8, 0, tuple(range(8)), (0.05, 0.1, 0.2, 0.4)),
)


def plot_nonlinear(directory: Path) -> list[Path]:
    """nonlinear_structure.{png,svg}: for each experiment (columns), alignment
    |u_1(W_k)·v_1(W_{k+1})| (top) and imbalance (bottom), layer pairs averaged, against λ_max
    at every end point: GD from small init by step size, mini-batch SGD from the same init (all
    step sizes), the sharper setting (large init, small step) and the same-norm rotation
    baseline of the GD minima (drawn at its minimum's λ_max; rotated weights are not
    minima)."""
    fig, axes = plt.subplots(2, len(EXPERIMENTS), figsize=(5.5 * len(EXPERIMENTS), 7))
    for col, exp in enumerate(EXPERIMENTS):
        out = outcome(exp)
        top, bottom = axes[0][col], axes[1][col]
        colours = plt.cm.viridis(np.linspace(0, 0.85, len(exp.steps)))
        gd = [m for m in out.minima if m.setting == "gd"]
        sharp = [m for m in out.minima if m.setting == "sharp"]
        # (minima, value of a minimum's (alignment, imbalance) pair, style)
        series = [
            (
                gd,
                lambda m: m.baseline,
                {"color": "0.6", "marker": "x", "s": 18, "label": "rotation baseline (same norms)"},
            )
        ]
        series += [
            (
                [m for m in gd if m.step == eta],
                lambda m: m.structure,
                {"color": c, "s": 22, "alpha": 0.7, "label": f"GD, small init, η = {eta:g}"},
            )
            for eta, c in zip(exp.steps, colours, strict=True)
        ]
        series.append(
            (
                [m for m in out.minima if m.setting == "sgd"],
                lambda m: m.structure,
                {
                    "facecolors": "none",
                    "edgecolors": "tab:orange",
                    "marker": "D",
                    "s": 26,
                    "label": f"SGD, small init, B = {exp.batch} of {exp.samples}, all η",
                },
            )
        )
        series.append(
            (
                sharp,
                lambda m: m.structure,
                {
                    "color": "tab:red",
                    "marker": "^",
                    "s": 26,
                    "label": "large init, η = 0.01 (sharper)",
                },
            )
        )
        for index, ax in ((0, top), (1, bottom)):
            for ms, value, style in series:
                ax.scatter([m.sharpness for m in ms], [value(m)[index] for m in ms], **style)
            ax.set_xscale("log")
        top.set_title(f"student {exp.student}, teacher {exp.teacher}, n = {exp.samples}")
        bottom.set_xlabel("λ_max at the GD / SGD end point (loss < 1e-5)")
    axes[0][0].set_ylabel("alignment |u₁(W_k)·v₁(W_k+1)|")
    axes[1][0].set_ylabel("normalised imbalance")
    axes[0][0].legend(fontsize=7)
    return save(fig, directory, "nonlinear_structure")
