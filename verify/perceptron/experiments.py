"""Cases of the enumeration claims P3–P5 and the Hypothesis strategies that draw them.

Every instance is a pure function of (kind, N, M, seed); the experiments below name a block of
`instances` consecutive seeds, so both precisions see the same patterns.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from hypothesis import strategies as st

from verify.evidence import InvalidCase
from verify.perceptron.enumerate import KINDS, check_size, patterns_count, seed_block
from verify.perceptron.scaling import RADII, sizes_for
from verify.rationals import rationals


@dataclass(frozen=True)
class Enumerated:
    """`instances` seeded instances of kind `kind` at size N and load α (M = round(αN))."""

    kind: str
    n: int
    load: Fraction
    seed: int
    instances: int

    @property
    def m(self) -> int:
        return patterns_count(self.n, self.load)

    def seeds(self) -> range:
        check_size(self.n, self.load, self.kind)
        if self.instances < 2:
            raise InvalidCase(f"{self.instances} instance(s): an interval needs at least 2")
        return seed_block(self.seed, self.instances)


@dataclass(frozen=True)
class FirstMoment:
    """P3: the counts #{w : κ(w) ≥ κ} over an experiment's instances."""

    experiment: Enumerated
    kappa: Fraction


@dataclass(frozen=True)
class Scaling:
    """P5: `instances` instances at every load α = M/N, M = 1..N, for each size N ≤ `largest`
    used by some radius D = cN (scaling.RADII, scaling.sizes_for)."""

    kind: str
    largest: int
    seed: int
    instances: int

    def __post_init__(self) -> None:
        check_size(self.largest, 1, self.kind)
        if any(len(sizes_for(c, self.largest)) < 3 for c in RADII):
            raise ValueError(f"largest N = {self.largest}: every radius needs 3 sizes (N ≥ 18)")


def experiments(
    sizes: tuple[int, int], loads: tuple[Fraction, Fraction], instances: int, kinds=KINDS
):
    """Enumerated experiments with N in `sizes` and α in `loads` (denominator ≤ 20)."""
    return st.builds(
        Enumerated,
        st.sampled_from(kinds),
        st.integers(*sizes),
        rationals(*loads, max_denominator=20),
        st.integers(0, 2**16),
        st.just(instances),
    )


def first_moments(sizes=(8, 16), instances: int = 300):
    """α ∈ [1/4, 1], κ ∈ [−1/2, 1] (denominator ≤ 6)."""
    return st.builds(
        FirstMoment,
        experiments(sizes, (Fraction(1, 4), Fraction(1)), instances),
        rationals(Fraction(-1, 2), 1, max_denominator=6),
    )


def dense_experiments(kind: str, sizes=(12, 17), instances: int = 100):
    """α ∈ [3/10, 3/5]: nearly every instance has ≥ 8 solutions at these sizes."""
    return experiments(sizes, (Fraction(3, 10), Fraction(3, 5)), instances, kinds=(kind,))


def scalings(largest: int = 18, instances: int = 100):
    """Gaussian patterns, sizes up to `largest`, a seed per case (±1 patterns' integer fields
    make the finite-N curves degenerate, docs/claims/perceptron.md)."""
    return st.builds(
        Scaling, st.just("gaussian"), st.just(largest), st.integers(0, 2**16), st.just(instances)
    )
