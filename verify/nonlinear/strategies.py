"""Hypothesis strategies for small homogeneous-activation networks with rational entries."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from itertools import pairwise

from hypothesis import strategies as st

from verify.linear.strategies import _matrix
from verify.nonlinear.network import LINEAR, RELU, ReluNetwork, kink_distance, leaky_relu
from verify.nonlinear.practice import PracticeExperiment
from verify.rationals import rationals

ACTIVATIONS = (RELU, leaky_relu(Fraction(1, 10)), leaky_relu(Fraction(1, 4)), LINEAR)


@dataclass(frozen=True)
class BalanceRun:
    """N1: gradient flow to `horizon`, and `steps` GD steps of size `step`."""

    network: ReluNetwork
    horizon: Fraction
    step: Fraction
    steps: int


def networks(depth: tuple[int, int] = (2, 3), width: int = 4, samples: tuple[int, int] = (2, 6)):
    """Widths 1..`width`, entries (weights, biases or none, inputs, targets) in [−1, 1],
    activation ReLU / leaky ReLU (a = 1/10, 1/4) / linear; no pre-activation exactly 0."""
    entries = rationals(-1, 1)

    @st.composite
    def build(draw):
        sizes = draw(st.lists(st.integers(1, width), min_size=depth[0] + 1, max_size=depth[1] + 1))
        n = draw(st.integers(*samples))
        weights = tuple(draw(_matrix(b, a, entries)) for a, b in pairwise(sizes))
        biases = None
        if draw(st.booleans()):
            biases = tuple(draw(_matrix(1, d, entries))[0] for d in sizes[1:])
        net = ReluNetwork(
            weights,
            biases,
            draw(st.sampled_from(ACTIVATIONS)),
            draw(_matrix(sizes[0], n, entries)),
            draw(_matrix(sizes[-1], n, entries)),
        )
        return net

    return build().filter(lambda net: kink_distance(None, net) > 0)


def balance_runs():
    """A network, τ = min(τ₀, margin/8) with τ₀ ∈ [1/8, 1/2] (so no pre-activation is likely to
    reach 0), η ∈ [1/50, 1/10] and 1–5 GD steps."""

    def run(net, horizon, step, steps):
        if net.activation != LINEAR:
            horizon = min(horizon, kink_distance(None, net) / 8)
        return BalanceRun(net, horizon, step, steps)

    return st.builds(
        run,
        networks(),
        rationals(Fraction(1, 8), Fraction(1, 2)),
        rationals(Fraction(1, 50), Fraction(1, 10), max_denominator=100),
        st.integers(1, 5),
    )


@st.composite
def practice_experiments(draw, seeds: int = 8):
    """N2 experiments: teacher (d_0, h, 1), d_0 ∈ [2, 4], h ∈ [1, 3]; student depth 2–3,
    width in [4, 8]; n ∈ [6, 10]; `seeds` consecutive seeds; two or three step sizes from
    {0.05, 0.1, 0.2, 0.4}; small init scale in {0.2, 0.3, 0.5}."""
    d0, hidden = draw(st.integers(2, 4)), draw(st.integers(1, 3))
    depth, width = draw(st.integers(2, 3)), draw(st.integers(4, 8))
    base = draw(st.integers(0, 2**16))
    steps = draw(
        st.lists(st.sampled_from((0.05, 0.1, 0.2, 0.4)), min_size=2, max_size=3, unique=True)
    )
    return PracticeExperiment(
        (d0, hidden, 1),
        (d0,) + (width,) * (depth - 1) + (1,),
        draw(st.integers(6, 10)),
        draw(st.integers(0, 2**16)),
        tuple(range(base, base + seeds)),
        tuple(sorted(steps)),
        draw(st.sampled_from((0.2, 0.3, 0.5))),
    )
