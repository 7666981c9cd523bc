"""Cases for the dynamics claims (exact rationals) and the Hypothesis strategies that build them."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from math import prod

from hypothesis import strategies as st

from verify.dynamics.data import Dataset
from verify.dynamics.matrix import MatrixRun
from verify.linear.network import LinearNetwork
from verify.linear.strategies import _matrix, spd, widths
from verify.rationals import nonzero_rationals, rationals
from verify.scalar import ScalarNetwork


@dataclass(frozen=True)
class DecayRun:
    """G3: GD with weight decay μ for `steps` steps, and gradient flow to `horizon`."""

    network: ScalarNetwork
    step: Fraction
    decay: Fraction
    steps: int
    horizon: Fraction


@dataclass(frozen=True)
class NoiseRun:
    """G4: inputs x = 1 + σε (target 1); `steps` GD steps, sampled noise drawn from `seed`."""

    network: ScalarNetwork
    sigma: Fraction
    step: Fraction
    steps: int
    seed: int


@dataclass(frozen=True)
class SgdExperiment:
    """G5: mini-batch SGD from a point of the minimum set, over `seeds` seeded runs."""

    data: Dataset
    start: tuple[Fraction, ...]
    step: Fraction
    batch: int
    steps: int
    seeds: int


@dataclass(frozen=True)
class PhaseExperiment:
    """G7: GD with weight decay from `starts` (one per seed), data x = 1 and target 1."""

    starts: tuple[tuple[Fraction, ...], ...]
    step: Fraction
    decay: Fraction
    steps: int


def _positive_weights(depth: int, lo: Fraction, hi: Fraction):
    return st.lists(rationals(lo, hi), min_size=depth, max_size=depth).map(tuple)


def decay_runs(depth: tuple[int, int] = (2, 4)):
    """Positive weights in [3/4, 5/4] (so η ≤ 1/10 is stable), μ ∈ [1/20, 1/4]."""
    return st.builds(
        DecayRun,
        st.integers(*depth).flatmap(
            lambda n: _positive_weights(n, Fraction(3, 4), Fraction(5, 4)).map(ScalarNetwork)
        ),
        rationals(Fraction(1, 50), Fraction(1, 10), max_denominator=100),
        rationals(Fraction(1, 20), Fraction(1, 4), max_denominator=20),
        st.integers(1, 30),
        rationals(Fraction(1, 4), 2),
    )


def noise_runs(depth: tuple[int, int] = (2, 4)):
    """Weights in [3/4, 5/4], σ ∈ [1/10, 1], η ∈ [1/100, 1/10], up to 40 sampled steps."""
    return st.builds(
        NoiseRun,
        st.integers(*depth).flatmap(
            lambda n: _positive_weights(n, Fraction(3, 4), Fraction(5, 4)).map(ScalarNetwork)
        ),
        rationals(Fraction(1, 10), 1, max_denominator=10),
        rationals(Fraction(1, 100), Fraction(1, 10), max_denominator=100),
        st.integers(1, 40),
        st.integers(0, 2**16),
    )


def datasets(size: tuple[int, int] = (3, 8)):
    """x_m ∈ [1/2, 2], y_m = x_m (1 + δ_m) with δ_m ∈ [−1/2, 1/2]: not exactly realisable."""

    def build(xs, deltas):
        ys = tuple(x * (1 + d) for x, d in zip(xs, deltas, strict=True))
        if len(set(ys[m] / xs[m] for m in range(len(xs)))) == 1:  # realisable: make it not
            ys = (ys[0] + Fraction(1, 4), *ys[1:])
        return Dataset(tuple(xs), ys)

    return st.integers(*size).flatmap(
        lambda n: st.builds(
            build,
            st.lists(rationals(Fraction(1, 2), 2), min_size=n, max_size=n),
            st.lists(rationals(Fraction(-1, 2), Fraction(1, 2)), min_size=n, max_size=n),
        )
    )


def _curvature(ws: tuple[Fraction, ...], data: Dataset) -> Fraction:
    """mean x² · Σ_i Π_{k≠i} w_k²: the curvature of the mean loss across the minimum set."""
    mean_sq = sum(x * x for x in data.xs) / data.size
    return mean_sq * sum(prod(w * w for k, w in enumerate(ws) if k != i) for i in range(len(ws)))


def sgd_experiments(depth: tuple[int, int] = (2, 3), steps: int = 800, seeds: int = 16):
    """A data set, an unbalanced start on the minimum set P = P* (w_N completes the product),
    and η = c/λ with c ∈ [1/400, 1/100]: G5 is a small-η statement, and its neglected
    first-order term (relative size ≈ ηλ/2) stays below 1/2 % of the prediction."""

    @st.composite
    def build(draw):
        data = draw(datasets())
        n = draw(st.integers(*depth))
        free = draw(_positive_weights(n - 1, Fraction(1, 2), Fraction(2)))
        start = (*free, data.minimiser() / prod(free))
        if len({abs(w) for w in start}) == 1:  # balanced: D would be 0 for every pair
            start = (2 * start[0], *start[1:-1], start[-1] / 2)
        c = draw(rationals(Fraction(1, 400), Fraction(1, 100), max_denominator=400))
        step = c / _curvature(start, data)
        batch = draw(st.integers(1, data.size))
        return SgdExperiment(data, start, step, batch, steps, seeds)

    return build()


def phase_experiments(depth: tuple[int, int] = (2, 3), seeds: int = 6):
    """Starts away from the minimum set: w_2..w_N ∈ [1, 3/2] and w_1 = c / Π_{k≥2} w_k with
    c ∈ [1/4, 1/2], so P = c and the loss starts at ½(1 − c)² ≥ 1/8 (phase 1 is not empty);
    η ∈ [1/40, 1/20], μ ∈ [1/1000, 1/200] ≪ λ, 3000 steps."""

    @st.composite
    def build(draw):
        n = draw(st.integers(*depth))

        def start():
            rest = draw(_positive_weights(n - 1, Fraction(1), Fraction(3, 2)))
            return (draw(rationals(Fraction(1, 4), Fraction(1, 2))) / prod(rest), *rest)

        starts = tuple(start() for _ in range(seeds))
        step = draw(rationals(Fraction(1, 40), Fraction(1, 20), max_denominator=40))
        decay = draw(rationals(Fraction(1, 1000), Fraction(1, 200), max_denominator=1000))
        return PhaseExperiment(starts, step, decay, 3000)

    return build()


def _entries(lo: Fraction, hi: Fraction):
    return rationals(lo, hi, max_denominator=4)


@st.composite
def _matrix_points(draw, depth: tuple[int, int], width: tuple[int, int]) -> LinearNetwork:
    """Any point of a matrix network: entries in [−1, 1], whitened or SPD Σx, any target."""
    ds = draw(widths(depth, width))
    entries = _entries(Fraction(-1), Fraction(1))
    weights = tuple(draw(_matrix(ds[k], ds[k - 1], entries)) for k in range(1, len(ds)))
    sigma = draw(st.one_of(st.none(), spd(ds[0])))
    return LinearNetwork(weights, sigma, draw(_matrix(ds[-1], ds[0], entries)))


def matrix_runs(depth: tuple[int, int] = (2, 3), width: tuple[int, int] = (1, 3), decay=False):
    """Any point of a matrix network (entries in [−1, 1]), whitened or SPD Σx, any target;
    η ∈ [1/50, 1/10], 1–8 steps; μ ∈ [1/20, 1/5] when `decay`, else 0."""

    @st.composite
    def build(draw):
        network = draw(_matrix_points(depth, width))
        step = draw(rationals(Fraction(1, 50), Fraction(1, 10), max_denominator=50))
        mu = draw(rationals(Fraction(1, 20), Fraction(1, 5), max_denominator=20)) if decay else 0
        return MatrixRun(network, step, Fraction(mu), draw(st.integers(1, 8)))

    return build()


@dataclass(frozen=True)
class MatrixFlow:
    """G1b: a point of a matrix network and a gradient-flow horizon."""

    network: LinearNetwork
    horizon: Fraction


def matrix_flows(depth: tuple[int, int] = (2, 3), width: tuple[int, int] = (1, 2)):
    """Any point (entries in [−1, 1]), whitened or SPD Σx, any target, horizon in [1/4, 1/2]
    (small shapes: the Taylor integrator's cost grows with every product in the field)."""

    return st.builds(
        MatrixFlow,
        _matrix_points(depth, width),
        rationals(Fraction(1, 4), Fraction(1, 2), max_denominator=4),
    )


def decayed_problems(
    depth: tuple[int, int] = (2, 3), width: tuple[int, int] = (1, 3), whitened: bool = False
):
    """A start (entries ±[1/4, 1/2], not the saddle at 0), whitened or SPD Σx (whitened only
    if asked), a target with entries in [−1/4, 1/4] plus one in [1, 2] at (1, 1),
    μ ∈ [1/20, 1/5] (minimum not at 0)."""

    @st.composite
    def build(draw):
        ds = draw(widths(depth, width))
        small = nonzero_rationals(Fraction(1, 4), Fraction(1, 2), max_denominator=4)
        weights = tuple(draw(_matrix(ds[k], ds[k - 1], small)) for k in range(1, len(ds)))
        sigma = None if whitened else draw(st.one_of(st.none(), spd(ds[0])))
        noise = draw(_matrix(ds[-1], ds[0], _entries(Fraction(-1, 4), Fraction(1, 4))))
        top = draw(st.lists(_entries(Fraction(1), Fraction(2)), min_size=1, max_size=1))[0]
        target = tuple(
            tuple(x + (top if i == j == 0 else 0) for j, x in enumerate(row))
            for i, row in enumerate(noise)
        )
        mu = draw(rationals(Fraction(1, 20), Fraction(1, 5), max_denominator=20))
        return MatrixRun(LinearNetwork(weights, sigma, target), Fraction(1, 50), mu, 20000)

    return build()
