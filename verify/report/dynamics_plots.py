"""Figures of the two phases (G7): loss and imbalance vs step, and paths in the (w1, w2) plane."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from verify.dynamics.data import expected_noise_loss
from verify.dynamics.trajectories import DATA, Schedule, Trajectory, trajectories
from verify.report.figure_files import plt, save


def _floor(run: Trajectory, schedule: Schedule, index: int) -> float:
    """The minimum of each regime's loss (0 for GD and weight decay, as a reference)."""
    if index == 2:
        return expected_noise_loss(1 / (1 + schedule.sigma**2), schedule.sigma)
    if index == 3:
        p = float(DATA.minimiser())
        xs, ys = np.array(DATA.xs, dtype=float), np.array(DATA.ys, dtype=float)
        return float(np.mean((p * xs - ys) ** 2) / 2)
    return 0.0


SMOOTH = 200  # steps in the running mean drawn over the stochastic runs


def _smooth(values: np.ndarray) -> np.ndarray:
    """Running mean over SMOOTH steps (a stochastic run's trend); entry i averages steps
    i..i+SMOOTH−1, so the result is SMOOTH − 1 entries shorter (no edge padding)."""
    width = min(SMOOTH, len(values))
    return np.convolve(values, np.ones(width) / width, mode="valid")


def plot_dynamics(directory: Path, schedule: Schedule | None = None) -> tuple[list[Path], list]:
    """Write phases.{png,svg} and paths.{png,svg}; returns the paths and the trajectories."""
    schedule = schedule or Schedule()
    runs = trajectories(schedule)
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(7, 7), sharex=True)
    for index, run in enumerate(runs):
        t = np.arange(1, len(run.losses) + 1)
        excess = np.array(run.losses) - _floor(run, schedule, index)
        if index >= 2:  # noise and SGD: the raw curve faintly, its running mean on top
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
    written = save(fig, directory, "phases")
    fig, ax = plt.subplots(figsize=(6, 6))
    grid = np.linspace(0.2, 3, 400)
    ax.plot(grid, 1 / grid, "k--", lw=0.8, label="w1·w2 = 1")
    noisy = 1 / (1 + schedule.sigma**2)
    ax.plot(grid, noisy / grid, "k:", lw=0.8, label=f"w1·w2 = 1/(1+σ²) = {noisy:.2f}")
    for index, run in enumerate(runs):
        path = np.array(run.path)
        if index >= 2:
            (line,) = ax.plot(path[:, 0], path[:, 1], lw=0.4, alpha=0.2)
            ax.plot(
                _smooth(path[:, 0]), _smooth(path[:, 1]), color=line.get_color(), label=run.name
            )
        else:
            ax.plot(path[:, 0], path[:, 1], lw=1.2, label=run.name)
    ax.plot([1], [1], "k*", ms=12, label="balanced minimum (1, 1)")
    ax.set_xlim(0, 2.2)
    ax.set_ylim(0, 2.2)
    ax.set_xlabel("w1")
    ax.set_ylabel("w2")
    ax.set_aspect("equal")
    ax.legend(fontsize=8)
    written += save(fig, directory, "paths")
    return written, runs
