"""Figures (matplotlib, written as PNG and SVG): computed by verify/, drawn here."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from verify.linear import curvature as cv
from verify.linear import train
from verify.linear.flattest import flattest_whitened, top_singular_value
from verify.linear.polish import polish
from verify.linear.structure import top_path
from verify.precision import workcontext
from verify.report.figure_files import plt, save

TARGET = np.diag([2.0, 0.5])  # whitened data; σ1 = 2, flattest λ_max = 3 · 2^{4/3} at depth 3
WIDTHS = (2, 3, 3, 2)


@dataclass
class FoundMinimum:
    """A GD run that converged, polished onto P = T: step η, λ_max and top-path gains."""

    step: float
    init: str
    sharpness: float
    gains: list[float]  # ‖A_{k+1} q‖ / σ1^{k/N}, k = 0..N


def gd_minima(fractions: list[float], seeds: int, dps: int = 30) -> tuple[list, float]:
    """Train from small and large random inits at steps η = c · 2/λ_flat; keep converged runs."""
    ctx = workcontext(dps)
    target = ctx.matrix(TARGET.tolist())
    depth = len(WIDTHS) - 1
    flat = flattest_whitened(ctx, target, depth)
    s1 = top_singular_value(ctx, target)
    found = []
    for c in fractions:
        eta = c * 2 / float(flat)
        for seed in range(seeds):
            for init, scale in (("small", 0.2), ("large", 1.0)):
                start = train.random_init(WIDTHS, scale, np.random.default_rng(seed))
                run = train.gd(start, np.eye(2), TARGET, eta, 20_000)
                if not run.converged:
                    continue
                net = polish(ctx, run.weights, ctx.eye(2), target).net
                path = top_path(net)
                gains = [
                    float(ctx.norm(net.a(k + 1) * path[0]) / s1 ** (ctx.mpf(k) / depth))
                    for k in range(depth + 1)
                ]
                found.append(FoundMinimum(eta, init, float(cv.sharpness(net)), gains))
    return found, float(flat)


def plot_linear(directory: Path, fractions: list[float] | None = None, seeds: int = 3) -> list:
    """sharpness_vs_step (F9, F1) and top_path_gains (F5) for GD-found minima."""
    fractions = fractions or list(np.linspace(0.05, 0.95, 10))
    found, flat = gd_minima(fractions, seeds)
    depth = len(WIDTHS) - 1
    fig, ax = plt.subplots(figsize=(6, 4))
    etas = np.linspace(min(m.step for m in found) * 0.9, max(m.step for m in found) * 1.1, 200)
    ax.plot(etas, 2 / etas, "k--", label="2/η (stability edge, F9)")
    ax.axhline(flat, color="tab:green", label=f"flattest N σ1^(2−2/N) = {flat:.3f} (F1)")
    for init, colour in (("small", "tab:blue"), ("large", "tab:red")):
        points = [(m.step, m.sharpness) for m in found if m.init == init]
        if points:
            ax.scatter(*zip(*points, strict=True), s=18, color=colour, label=f"GD, {init} init")
    ax.set(xlabel="step size η", ylabel="λ_max at the polished minimum", yscale="log")
    ax.set_title(f"Minima found by GD, depth {depth}, T = diag(2, 1/2), whitened")
    ax.legend(fontsize=8)
    paths = save(fig, directory, "sharpness_vs_step")
    fig, ax = plt.subplots(figsize=(6, 4))
    for init, colour in (("large", "tab:red"), ("small", "tab:blue")):
        runs = [m for m in found if m.init == init]
        for i, m in enumerate(runs):
            label = f"GD, {init} init ({len(runs)} runs)" if i == 0 else None
            ax.plot(
                range(depth + 1), m.gains, color=colour, alpha=0.5, marker="o", ms=3, label=label
            )
    ax.axhline(1, color="k", lw=0.8)
    ax.axhline(
        np.sqrt(depth), color="k", lw=0.8, ls="--", label="F5 band [1, √N] (flattest minima)"
    )
    ax.set(xlabel="layer k", ylabel="‖W_k⋯W_1 q‖ / σ1^(k/N)", yscale="log")
    ax.set_title("Gain from the input to layer k along the top path")
    ax.legend(fontsize=8)
    return paths + save(fig, directory, "top_path_gains")
