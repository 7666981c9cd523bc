"""P5's finite-size method: where the local-entropy curve stops being monotone out to radius
D = cN, per size N and extrapolated to N → ∞, for several radius fractions c.

At each size N, every load α = M/N (M = 1..N) gets `instances` seeded instances; a satisfiable
instance gives, per reference solution (highest-margin, typical), how far its curve stays
monotone (`local.monotone_reach`), hence one binary outcome per radius: monotone out to cN or
not. A logistic fit of the outcomes against α gives the crossover α_×(N), where the fitted
monotone fraction is 1/2, with its standard error (delta method). For each c the crossovers at
the sizes where cN is an integer are fitted by weighted least squares as α_×(N) = α_∞ + b/N
(the leading finite-size correction), the error scaled by the Birge ratio √(χ²/dof) when the
points scatter more than their errors say; α_∞ ± 4 SE is the extrapolated threshold's interval.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

import numpy as np

from verify.evidence import Degenerate
from verify.perceptron.enumerate import seed_block
from verify.perceptron.local import monotone_reach, radius
from verify.stats import INTERVAL_Z, logistic_midpoint, weighted_line

REFERENCES = ("highest-margin", "typical")
# The load where the local entropy around the densest solutions breaks down (P5): Baldassi et
# al., PRL 115, 128101 (2015); Stojnic, arXiv:2506.19276 gives (0.77, 0.78).
LITERATURE_THRESHOLD = (Fraction(77, 100), Fraction(78, 100))
RADII = (Fraction(1, 6), Fraction(1, 4), Fraction(1, 3))  # D = cN, at most ⌊N/3⌋ (local.radius)


def sizes_for(fraction: Fraction, largest: int, smallest: int = 6) -> list[int]:
    """The sizes N in [smallest, largest] where D = cN is a whole number ≥ 1."""
    step = fraction.denominator
    return [n for n in range(step, largest + 1, step) if n >= smallest]


@dataclass(frozen=True)
class SizeSweep:
    """Outcomes at one size: per satisfiable instance, α and the monotone reach around each
    reference."""

    n: int
    loads: np.ndarray
    reach: np.ndarray  # instances × len(REFERENCES), int
    instances: int  # instances drawn per load (satisfiable or not)

    def monotone(self, fraction: Fraction, reference: int = 0) -> np.ndarray:
        """Per instance: is n_0 ≤ … ≤ n_{cN} around the reference?"""
        depth = fraction * self.n
        if depth.denominator != 1 or not 1 <= depth <= radius(self.n):
            raise ValueError(
                f"radius {fraction}·N is not a whole number in 1..⌊N/3⌋ at N = {self.n}"
            )
        return self.reach[:, reference] >= int(depth)

    def fractions(self, fraction: Fraction, reference: int = 0) -> tuple[list, list, list]:
        """(α, monotone fraction, satisfiable instances) at each load with ≥ 1 of them."""
        alphas = sorted(set(self.loads.tolist()))
        found = self.monotone(fraction, reference)
        picks = [found[self.loads == a] for a in alphas]
        return alphas, [float(p.mean()) for p in picks], [len(p) for p in picks]

    def crossover(self, fraction: Fraction, reference: int = 0) -> tuple[float, float]:
        """α_×(N) and its standard error: the logistic fit's 1/2 point (Degenerate if none)."""
        where = f"N = {self.n}, radius {fraction}·N, {REFERENCES[reference]} reference"
        return _midpoint(self.loads, self.monotone(fraction, reference), where)

    def sat_crossover(self) -> tuple[float, float]:
        """The same fit for the SAT/UNSAT transition: over every instance drawn (`instances`
        per load M = 1..N), the outcome "has a solution" (the satisfiable ones are those in
        `loads`), so its 1/2 point is α_c(N) with its standard error."""
        alphas = np.arange(1, self.n + 1) / self.n
        found = np.array([np.count_nonzero(self.loads == a) for a in alphas])
        loads = np.repeat(
            np.concatenate([alphas, alphas]), np.concatenate([found, self.instances - found])
        )
        sat = np.repeat([True, False], [found.sum(), (self.instances - found).sum()])
        return _midpoint(loads, sat, f"N = {self.n}, SAT/UNSAT")


def _midpoint(loads: np.ndarray, outcomes: np.ndarray, where: str) -> tuple[float, float]:
    try:
        return logistic_midpoint(loads, outcomes)
    except ValueError as exc:
        raise Degenerate(f"{where}: {exc}") from None


@lru_cache(maxsize=256)
def size_sweep(kind: str, n: int, seed: int, instances: int) -> SizeSweep:
    """Enumerate `instances` instances at every load M = 1..N (cached across precisions)."""
    loads, reach = [], []
    for m in range(1, n + 1):
        for s in seed_block(seed, instances):
            found = monotone_reach(kind, n, m, s)
            if found is not None:
                loads.append(m / n)
                reach.append(found)
    return SizeSweep(n, np.array(loads), np.array(reach, dtype=int), instances)


@dataclass(frozen=True)
class Extrapolation:
    """At one radius fraction c (None: the SAT/UNSAT calibration): α_×(N) per size, and the
    fit α_×(N) = α_∞ + b/N."""

    fraction: Fraction | None
    sizes: list[int]
    crossovers: list[float]
    errors: list[float]
    limit: float
    limit_error: float
    slope: float
    chi2_dof: float

    @property
    def interval(self) -> tuple[float, float]:
        """α_∞ ± 4 SE."""
        half = INTERVAL_Z * self.limit_error
        return self.limit - half, self.limit + half

    @property
    def halfwidths(self) -> list[float]:
        """4 SE of each size's crossover α_×(N)."""
        return [INTERVAL_Z * e for e in self.errors]


def extrapolate(sweeps: list[SizeSweep], fraction: Fraction, reference: int = 0) -> Extrapolation:
    """Fit the crossovers at radius cN of the sweeps (≥ 3 sizes) as α_∞ + b/N."""
    points = [s.crossover(fraction, reference) for s in sweeps]
    return fit_in_size(fraction, [s.n for s in sweeps], points)


def fit_in_size(fraction: Fraction | None, sizes: list[int], points: list) -> Extrapolation:
    """Weighted least squares of crossovers (α_×(N), SE) as α_×(N) = α_∞ + b/N."""
    values, errors = [p[0] for p in points], [p[1] for p in points]
    coef, cov, chi2 = weighted_line([1 / n for n in sizes], values, errors)
    limit, limit_error = float(coef[0]), float(np.sqrt(cov[0, 0]))
    return Extrapolation(fraction, sizes, values, errors, limit, limit_error, float(coef[1]), chi2)
