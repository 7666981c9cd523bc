"""Figures of the two phases (G7): loss and imbalance vs step, and paths in the (w1, w2) plane,
drawn from the trajectories of `verify.dynamics.trajectories`; their text is in
verify/report/captions.py."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from verify.report.captions import SMOOTH
from verify.report.figure_files import label, legend_below, plt, save, titled


class Setting(Protocol):
    """What is drawn of the runs' schedule (`trajectories.Schedule`)."""

    eta: float
    sigma: float

    @property
    def noisy_minimiser(self) -> float: ...


class Run(Protocol):
    """What is drawn of one run (`trajectories.Trajectory`)."""

    name: str
    losses: list[float]
    imbalances: list[float]
    path: list[tuple[float, float]]
    floor: float
    stochastic: bool


PHASES, PATHS = "dynamics_phases", "dynamics_paths"


def _smooth(values: np.ndarray) -> np.ndarray:
    """Running mean over SMOOTH steps (a stochastic run's trend); entry i averages steps
    i..i+SMOOTH−1, so the result is SMOOTH − 1 entries shorter (no edge padding)."""
    width = min(SMOOTH, len(values))
    return np.convolve(values, np.ones(width) / width, mode="valid")


def _styles(runs: Sequence[Run]) -> list[dict]:
    """One colour per run, the same in both figures; deterministic runs after the first are
    dashed (GD + weight decay follows GD's path at first: solid under dashed stays visible)."""
    styles, deterministic = [], 0
    for i, run in enumerate(runs):
        dashed = not run.stochastic and deterministic > 0
        deterministic += not run.stochastic
        styles.append({"color": f"C{i}", "ls": "--" if dashed else "-"})
    return styles


def _phases_figure(schedule: Setting, runs: Sequence[Run]):
    """Loss above its floor (top) and |D_12| (bottom) against the step, log-log; deterministic
    runs left, stochastic runs (raw faintly, their running mean on top) right."""
    fig, axes = plt.subplots(
        2, 2, figsize=(10, 7.5), sharex=True, sharey="row", layout="constrained"
    )
    for run, style in zip(runs, _styles(runs), strict=True):
        top, bottom = axes[0][int(run.stochastic)], axes[1][int(run.stochastic)]
        t = np.arange(1, len(run.losses) + 1)
        excess = np.array(run.losses) - run.floor
        if run.stochastic:
            top.loglog(t, np.abs(excess), color=style["color"], lw=0.4, alpha=0.15)
            trend = np.abs(_smooth(excess))
            top.loglog(t[: len(trend)], trend, lw=1.4, label=run.name, **style)
        else:
            top.loglog(t, np.maximum(excess, 1e-300), lw=1.4, label=run.name, **style)
        bottom.loglog(t, np.maximum(run.imbalances, 1e-300), lw=1.4, **style)
    axes[0][0].set_ylim(bottom=1e-16)
    text = titled(fig, PHASES, eta=f"{schedule.eta:g}")
    for ax, panel in zip(axes.flat, text.panels, strict=True):
        label(ax, panel)
    legend_below(fig, ncols=4)
    return fig


def _paths_figure(schedule: Setting, runs: Sequence[Run]):
    """Each run's path in the (w1, w2) plane, with the minima's hyperbolas; deterministic runs
    left, stochastic runs (raw faintly, their running mean on top) right."""
    fig, axes = plt.subplots(
        1, 2, figsize=(10, 6.2), sharex=True, sharey=True, layout="constrained"
    )
    grid = np.linspace(0.2, 3, 400)
    noisy = schedule.noisy_minimiser
    for ax in axes:
        ax.plot(grid, 1 / grid, "k--", lw=0.8, label=r"$w_1 w_2 = 1$")
        ax.plot(
            grid, noisy / grid, "k:", lw=0.8, label=rf"$w_1 w_2 = 1/(1+\sigma^2)$ = {noisy:.2f}"
        )
        ax.plot([1], [1], "k*", ms=12, label="balanced minimum (1, 1)")
    for run, style in zip(runs, _styles(runs), strict=True):
        ax, path = axes[int(run.stochastic)], np.array(run.path)
        if run.stochastic:
            ax.plot(path[:, 0], path[:, 1], color=style["color"], lw=0.4, alpha=0.2)
            ax.plot(_smooth(path[:, 0]), _smooth(path[:, 1]), lw=1.4, label=run.name, **style)
        else:
            ax.plot(path[:, 0], path[:, 1], lw=1.6, label=run.name, **style)
    for ax in axes:
        ax.set_xlim(0, 2.2)
        ax.set_ylim(0, 2.2)
        ax.set_aspect("equal")
    text = titled(fig, PATHS, eta=f"{schedule.eta:g}")
    for ax, panel in zip(axes, text.panels, strict=True):
        label(ax, panel)
    legend_below(fig, ncols=4)
    return fig


def plot_dynamics(directory: Path, schedule: Setting, runs: Sequence[Run]) -> list[Path]:
    """Write dynamics_phases.{png,svg} and dynamics_paths.{png,svg} of the runs of this schedule."""
    written = save(_phases_figure(schedule, runs), directory, PHASES)
    return written + save(_paths_figure(schedule, runs), directory, PATHS)
