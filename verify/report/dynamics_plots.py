"""Figures of the two phases (G7): loss and imbalance vs step, and paths in the (w1, w2) plane,
drawn from the trajectories of `verify.dynamics.trajectories`."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from verify.report.figure_files import plt, save


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


SMOOTH = 200  # steps in the running mean drawn over the stochastic runs


def _smooth(values: np.ndarray) -> np.ndarray:
    """Running mean over SMOOTH steps (a stochastic run's trend); entry i averages steps
    i..i+SMOOTH−1, so the result is SMOOTH − 1 entries shorter (no edge padding)."""
    width = min(SMOOTH, len(values))
    return np.convolve(values, np.ones(width) / width, mode="valid")


def _phases_figure(schedule: Setting, runs: Sequence[Run]):
    """Loss above its floor (top) and |D_12| (bottom) against the step, log-log."""
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(7, 7), sharex=True)
    for run in runs:
        t = np.arange(1, len(run.losses) + 1)
        excess = np.array(run.losses) - run.floor
        if run.stochastic:  # the raw curve faintly, its running mean on top
            (line,) = top.loglog(t, np.abs(excess), lw=0.5, alpha=0.25)
            trend = np.abs(_smooth(excess))
            top.loglog(t[: len(trend)], trend, color=line.get_color(), lw=1.2, label=run.name)
        else:
            top.loglog(t, np.maximum(excess, 1e-300), label=run.name, lw=1.2)
        bottom.loglog(t, np.maximum(run.imbalances, 1e-300), label=run.name, lw=1.2)
    top.set_ylim(bottom=1e-16)
    top.set_ylabel("|loss − its minimum| (running mean for noise, SGD)")
    top.set_title(f"two phases (η = {schedule.eta:g}): fast loss decay, then slow balancing")
    bottom.set_ylabel("|D_12| = |w_1² − w_2²|")
    bottom.set_xlabel("step + 1")
    top.legend(fontsize=8)
    return fig


def _paths_figure(schedule: Setting, runs: Sequence[Run]):
    """Each run's path in the (w1, w2) plane, with the minima's hyperbolas."""
    fig, ax = plt.subplots(figsize=(6, 6))
    grid = np.linspace(0.2, 3, 400)
    ax.plot(grid, 1 / grid, "k--", lw=0.8, label="w1·w2 = 1")
    noisy = schedule.noisy_minimiser
    ax.plot(grid, noisy / grid, "k:", lw=0.8, label=f"w1·w2 = 1/(1+σ²) = {noisy:.2f}")
    for run in runs:
        path = np.array(run.path)
        if run.stochastic:
            (line,) = ax.plot(path[:, 0], path[:, 1], lw=0.4, alpha=0.2)
            trend = (_smooth(path[:, 0]), _smooth(path[:, 1]))
            ax.plot(*trend, color=line.get_color(), label=run.name)
        else:
            ax.plot(path[:, 0], path[:, 1], lw=1.2, label=run.name)
    ax.plot([1], [1], "k*", ms=12, label="balanced minimum (1, 1)")
    ax.set_xlim(0, 2.2)
    ax.set_ylim(0, 2.2)
    ax.set_xlabel("w1")
    ax.set_ylabel("w2")
    ax.set_aspect("equal")
    ax.legend(fontsize=8)
    return fig


def plot_dynamics(directory: Path, schedule: Setting, runs: Sequence[Run]) -> list[Path]:
    """Write dynamics_phases.{png,svg} and dynamics_paths.{png,svg} of the runs of this schedule."""
    written = save(_phases_figure(schedule, runs), directory, "dynamics_phases")
    return written + save(_paths_figure(schedule, runs), directory, "dynamics_paths")
