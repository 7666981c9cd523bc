"""The claim families' figures: each family's data, computed by its numeric package and drawn
by its plotter in verify/report/ (PNG and SVG).

`FIGURES` maps each family with figures to the function writing them; `flatminima plot FAMILY`
runs one, `flatminima report` those of the families in a run. A figure file is named after its
family (`dynamics_phases.png`); verify/report/captions.py says what each shows. Matplotlib is
imported only when a figure is drawn: the command line imports this module at start-up.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from verify.claim import Family
from verify.dynamics.trajectories import Schedule, trajectories
from verify.linear.found import gd_minima
from verify.nonlinear.practice import FIGURE_EXPERIMENTS, outcome
from verify.perceptron import survey as sv
from verify.perceptron.survey import Survey


@dataclass(frozen=True)
class Written:
    """The files written, and one line per thing worth saying about the data drawn."""

    paths: list[Path]
    notes: list[str] = field(default_factory=list)


def linear(directory: Path) -> Written:
    """λ_max of GD-found minima against the step size (F9, F1); gains along the top path (F5)."""
    from verify.report import linear_plots

    return Written(linear_plots.plot_linear(directory, *gd_minima()))


def dynamics(directory: Path, schedule: Schedule | None = None) -> Written:
    """The two phases (G7): loss and imbalance against the step, paths in the (w1, w2) plane;
    a note for each run that diverged."""
    from verify.report import dynamics_plots

    schedule = schedule or Schedule()
    runs = trajectories(schedule)
    paths = dynamics_plots.plot_dynamics(directory, schedule, runs)
    notes = [
        f"{run.name}: diverged at step {run.diverged_at} (plotted until then)"
        for run in runs
        if run.diverged_at is not None
    ]
    return Written(paths, notes)


def perceptron(directory: Path, survey: Survey | None = None) -> Written:
    """Local entropy by margin class (P4), solution counts against α (P3), crossovers (P5)."""
    from verify.report import perceptron_plots

    survey = survey or Survey()
    entropy = sv.local_entropy_by_class(survey)
    counts, crossovers = sv.counts_by_load(survey), sv.crossovers(survey)
    return Written(perceptron_plots.plot_perceptron(directory, entropy, counts, crossovers))


def nonlinear(directory: Path) -> Written:
    """Alignment and balance of GD- and SGD-found ReLU minima against their sharpness (N2)."""
    from verify.report import nonlinear_plots

    results = [(exp, outcome(exp)) for exp in FIGURE_EXPERIMENTS]
    return Written(nonlinear_plots.plot_nonlinear(directory, results))


FIGURES: dict[Family, Callable[..., Written]] = {
    Family.LINEAR: linear,
    Family.DYNAMICS: dynamics,
    Family.PERCEPTRON: perceptron,
    Family.NONLINEAR: nonlinear,
}


def family_figures(families: Iterable[Family | str], directory: Path) -> list[Path]:
    """The figures of these families (members or their values; "scalar" and "user" have
    none, nor has a value that names no family, e.g. from a results file of another
    version), in `FIGURES` order."""
    values = {f.value for f in Family}
    wanted = {Family(f) for f in families if isinstance(f, Family) or f in values}
    return [
        path
        for family, draw in FIGURES.items()
        if family in wanted
        for path in draw(directory).paths
    ]
