"""P5's finite-size method: where the local-entropy curve stops being monotone, per size N and
extrapolated to N → ∞.

At each size N, every load α = M/N (M = 1..N) gets `instances` seeded instances; each
satisfiable instance contributes one binary outcome per reference solution (highest-margin,
typical: `local.monotone_curves`). A logistic fit of the outcomes against α gives the crossover
α_×(N), where the fitted monotone fraction is 1/2, with its standard error (delta method).
The crossovers are then fitted by weighted least squares as α_×(N) = α_∞ + b/N (leading
finite-size correction), the error scaled by the Birge ratio √(χ²/dof) when the points scatter
more than their errors say; α_∞ ± 4 SE is the extrapolated threshold's interval.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from verify.evidence import Degenerate
from verify.perceptron.enumerate import seed_block
from verify.perceptron.local import monotone_curves
from verify.stats import INTERVAL_Z, logistic_midpoint, weighted_line

REFERENCES = ("highest-margin", "typical")


@dataclass(frozen=True)
class SizeSweep:
    """Outcomes at one size: per satisfiable instance (α, monotone around each reference)."""

    n: int
    loads: np.ndarray
    monotone: np.ndarray  # instances × len(REFERENCES), bool

    def fractions(self, reference: int = 0) -> tuple[list[float], list[float], list[int]]:
        """(α, monotone fraction, satisfiable instances) at each load with ≥ 1 of them."""
        alphas = sorted(set(self.loads.tolist()))
        picks = [self.monotone[self.loads == a, reference] for a in alphas]
        return alphas, [float(p.mean()) for p in picks], [len(p) for p in picks]

    def crossover(self, reference: int = 0) -> tuple[float, float]:
        """α_×(N) and its standard error: the logistic fit's 1/2 point (Degenerate if none)."""
        try:
            return logistic_midpoint(self.loads, self.monotone[:, reference])
        except ValueError as exc:
            raise Degenerate(f"N = {self.n}, {REFERENCES[reference]} reference: {exc}") from None


@lru_cache(maxsize=256)
def size_sweep(kind: str, n: int, seed: int, instances: int) -> SizeSweep:
    """Enumerate `instances` instances at every load M = 1..N (cached across precisions)."""
    loads, outcomes = [], []
    for m in range(1, n + 1):
        for s in seed_block(seed, instances):
            found = monotone_curves(kind, n, m, s)
            if found is not None:
                loads.append(m / n)
                outcomes.append(found)
    return SizeSweep(n, np.array(loads), np.array(outcomes, dtype=bool))


@dataclass(frozen=True)
class Extrapolation:
    """α_×(N) per size, and the fit α_×(N) = α_∞ + b/N with α_∞ ± 4 SE."""

    sizes: list[int]
    crossovers: list[float]
    errors: list[float]
    limit: float
    limit_error: float
    slope: float
    chi2_dof: float

    @property
    def interval(self) -> tuple[float, float]:
        half = INTERVAL_Z * self.limit_error
        return self.limit - half, self.limit + half


def extrapolate(sweeps: list[SizeSweep], reference: int = 0) -> Extrapolation:
    """Fit the crossovers of `sweeps` (≥ 3 sizes) as α_∞ + b/N."""
    points = [s.crossover(reference) for s in sweeps]
    sizes = [s.n for s in sweeps]
    values, errors = [p[0] for p in points], [p[1] for p in points]
    coef, cov, chi2 = weighted_line([1 / n for n in sizes], values, errors)
    return Extrapolation(
        sizes, values, errors, float(coef[0]), float(np.sqrt(cov[0, 0])), float(coef[1]), chi2
    )
