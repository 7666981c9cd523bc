"""Hypothesis strategies that build valid cases directly (no filtering): the public `cases`.

Rationals shrink towards 1 and small denominators, depths towards 2, signs towards +1, so a
shrunk counterexample is as readable as the claim allows.
"""

from __future__ import annotations

from fractions import Fraction
from math import prod

from hypothesis import strategies as st

from verify.dynamics.runs import (
    datasets,
    decay_runs,
    matrix_flows,
    matrix_runs,
    noise_runs,
    sgd_experiments,
)
from verify.linear.run_strategies import gd_runs
from verify.linear.strategies import (
    balanced_minima,
    flattest_minima,
    gauged_minima,
    global_minima,
    near_flattest_minima,
    orthogonal,
    spd,
)
from verify.perceptron.experiments import experiments as perceptron_instances
from verify.rationals import nonzero_rationals, rationals
from verify.scalar import ScalarFlow, ScalarNetwork, ScalarRun

__all__ = [
    "balanced_minima",
    "balanced_scalar_minima",
    "datasets",
    "decay_runs",
    "flattest_minima",
    "gauged_minima",
    "gd_minima",
    "global_minima",
    "matrix_flows",
    "matrix_runs",
    "near_flattest_minima",
    "noise_runs",
    "nonzero_rationals",
    "orthogonal",
    "perceptron_instances",
    "rationals",
    "scalar_flows",
    "scalar_minima",
    "scalar_networks",
    "scalar_runs",
    "sgd_experiments",
    "spd",
]

Bounds = tuple[Fraction | int, Fraction | int]


def _weights(depth: int, magnitude: Bounds):
    return st.lists(nonzero_rationals(*magnitude), min_size=depth, max_size=depth)


def scalar_networks(depth: tuple[int, int] = (2, 6), magnitude: Bounds = (Fraction(1, 2), 2)):
    """Arbitrary points (w_1..w_N) of a scalar network with target 1."""
    return st.integers(*depth).flatmap(
        lambda n: _weights(n, magnitude).map(lambda ws: ScalarNetwork(tuple(ws)))
    )


def scalar_minima(
    depth: tuple[int, int] = (2, 6),
    magnitude: Bounds = (Fraction(1, 2), 2),
    target=None,
):
    """Global minima: w_1..w_{N-1} drawn, w_N = t / Π others; t drawn unless given."""
    targets = st.just(Fraction(target)) if target is not None else nonzero_rationals(1, 4)

    def complete(ws, t):
        return ScalarNetwork((*ws, t / prod(ws)), t)

    return st.integers(*depth).flatmap(
        lambda n: st.builds(complete, _weights(n - 1, magnitude), targets)
    )


def balanced_scalar_minima(depth: tuple[int, int] = (2, 6)):
    """Balanced minima of target 1: every w_i = ±1 with an even number of minus signs."""

    def complete(signs):
        return ScalarNetwork((*map(Fraction, signs), Fraction(prod(signs))))

    signs = st.sampled_from((1, -1))
    return st.integers(*depth).flatmap(
        lambda n: st.lists(signs, min_size=n - 1, max_size=n - 1).map(complete)
    )


def scalar_runs(
    depth: tuple[int, int] = (2, 6),
    step: Bounds = (Fraction(1, 100), Fraction(1, 5)),
    steps: tuple[int, int] = (1, 25),
):
    """GD runs: a starting point, a step size η and a number of steps."""
    return st.builds(
        ScalarRun,
        scalar_networks(depth, (Fraction(1, 2), Fraction(3, 2))),
        rationals(*step, max_denominator=100),
        st.integers(*steps),
    )


def scalar_flows(depth: tuple[int, int] = (2, 5), horizon: Bounds = (Fraction(1, 4), 2)):
    """Gradient-flow runs: a starting point and a horizon."""
    return st.builds(
        ScalarFlow, scalar_networks(depth, (Fraction(1, 2), Fraction(3, 2))), rationals(*horizon)
    )


def gd_minima(depth=(2, 3), width=(1, 3), inits=("small", "large", "resnet")):
    """GD runs to be trained (float64) and polished to a minimum: F9's TrainingCase strategy."""
    return gd_runs(depth, width, inits)
