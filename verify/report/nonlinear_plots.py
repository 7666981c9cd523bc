"""Figures of N2: alignment and balance of GD- and SGD-found ReLU minima against their
sharpness, drawn from the outcomes of `verify.nonlinear.practice` experiments; their text is in
verify/report/captions.py."""

from __future__ import annotations

from collections.abc import Sequence
from operator import attrgetter
from pathlib import Path
from typing import Protocol

import numpy as np
from matplotlib import ticker

from verify.report.figure_files import label, legend_below, plt, save, titled


class Experiment(Protocol):
    """What is drawn of an N2 experiment (`practice.PracticeExperiment`)."""

    teacher: tuple[int, ...]
    student: tuple[int, ...]
    samples: int
    steps: tuple[float, ...]
    batch: int


class Minimum(Protocol):
    """What is drawn of one minimum (`practice.Minimum`)."""

    setting: str
    step: float
    sharpness: float
    structure: tuple[float, float, float]  # alignment, imbalance, unit imbalance
    baseline: tuple[float, float]  # the rotation baseline's alignment, imbalance


class Outcome(Protocol):
    """The minima an experiment reached (`practice.Outcome`)."""

    minima: tuple[Minimum, ...]


STRUCTURE = attrgetter("structure")
NAME = "nonlinear_structure"


def _series(exp: Experiment, out: Outcome) -> list:
    """(minima, a minimum's (alignment, imbalance) pair, scatter style) per series drawn."""
    gd = [m for m in out.minima if m.setting == "gd"]
    colours = plt.cm.viridis(np.linspace(0, 0.85, len(exp.steps)))
    baseline = {"color": "0.6", "marker": "x", "s": 18, "label": "rotation baseline (same norms)"}
    series = [(gd, attrgetter("baseline"), baseline)]
    series += [
        (
            [m for m in gd if m.step == eta],
            STRUCTURE,
            {"color": c, "s": 22, "alpha": 0.7, "label": f"GD, small init, η = {eta:g}"},
        )
        for eta, c in zip(exp.steps, colours, strict=True)
    ]
    sgd = {
        "facecolors": "none",
        "edgecolors": "tab:orange",
        "marker": "D",
        "s": 26,
        "label": f"SGD, small init, B = {exp.batch} of {exp.samples}, all η",
    }
    sharp = {"color": "tab:red", "marker": "^", "s": 26, "label": "large init, η = 0.01 (sharper)"}
    for setting, style in (("sgd", sgd), ("sharp", sharp)):
        series.append(([m for m in out.minima if m.setting == setting], STRUCTURE, style))
    return series


def _log_ticks(ax) -> None:
    """Log-scale λ_max with plain tick labels at 1, 2, 5 × 10^k (the data span about a
    decade: the default labels read 2×10^0)."""
    ax.set_xscale("log")
    ax.xaxis.set_major_locator(ticker.LogLocator(subs=(1.0, 2.0, 5.0)))
    ax.xaxis.set_major_formatter(ticker.FuncFormatter(lambda x, _: f"{x:g}"))
    ax.xaxis.set_minor_formatter(ticker.NullFormatter())


def plot_nonlinear(directory: Path, results: Sequence[tuple[Experiment, Outcome]]) -> list[Path]:
    """nonlinear_structure.{png,svg}: for each (experiment, outcome) (columns), alignment
    |u_1(W_k)·v_1(W_{k+1})| (top) and imbalance (bottom), layer pairs averaged, against λ_max
    at every end point: GD from small init by step size, mini-batch SGD from the same init (all
    step sizes), the sharper setting (large init, small step) and the same-norm rotation
    baseline of the GD minima (drawn at its minimum's λ_max; rotated weights are not
    minima)."""
    fig, axes = plt.subplots(
        2,
        len(results),
        figsize=(5 * len(results), 7.5),
        squeeze=False,
        sharex="col",
        sharey="row",
        layout="constrained",
    )
    text = titled(fig, NAME)
    for col, (exp, out) in enumerate(results):
        for row in (0, 1):
            ax = axes[row][col]
            for ms, value, style in _series(exp, out):
                ax.scatter([m.sharpness for m in ms], [value(m)[row] for m in ms], **style)
            _log_ticks(ax)
            fields = {"student": exp.student, "teacher": exp.teacher, "samples": exp.samples}
            label(ax, text.panels[row], **fields)
            ax.label_outer()  # the y label and ticks once per row
    legend_below(fig, ncols=3)
    return save(fig, directory, NAME)
