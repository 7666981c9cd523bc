"""Calibration of P5's finite-size method on a threshold that is known: the SAT/UNSAT transition
of the same binary perceptron, whose thermodynamic-limit load is α_KM (P2).

The method is P5's (`scaling`): at each size N, a logistic fit against α = M/N of the outcome
"the instance has a solution w ∈ {±1}^N with every margin ≥ 0" over all instances drawn
(`SizeSweep.sat_crossover`) gives the crossover α_c(N) ± SE; the crossovers are fitted as
α_c(N) = α_∞ + b/N (`scaling.fit_in_size`), and α_∞ ± 4 SE must contain α_KM, and be at most
`max_width` wide, for the method to be trusted on a threshold that is not known.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from verify.perceptron.capacity import krauth_mezard
from verify.perceptron.scaling import Extrapolation, SizeSweep, fit_in_size
from verify.precision import workcontext


@lru_cache(maxsize=1)
def alpha_km() -> float:
    """α_KM from the suite's own P2 computation (`capacity.krauth_mezard`, at 15 digits)."""
    return float(krauth_mezard(workcontext(15)).alpha)


@dataclass(frozen=True)
class Calibration:
    """The SAT/UNSAT extrapolation `fit` against the known threshold `known`."""

    fit: Extrapolation
    known: float
    max_width: float

    @property
    def recovered(self) -> bool:
        """known ∈ α_∞ ± 4 SE, an interval at most `max_width` wide."""
        low, high = self.fit.interval
        return low <= self.known <= high and high - low <= self.max_width

    def summary(self) -> str:
        """ "calibration α_∞ = … [… , …] vs α_KM = …", noting an interval that is too wide."""
        low, high = self.fit.interval
        wide = f", wider than {self.max_width}" if high - low > self.max_width else ""
        shown = f"α_∞ = {self.fit.limit:.4f} [{low:.4f}, {high:.4f}]{wide}"
        return f"calibration {shown} vs α_KM = {self.known:.4f}"


def calibrate(sweeps: list[SizeSweep], max_width: float, known: float | None = None) -> Calibration:
    """P5's crossover method applied to SAT/UNSAT on the sweeps (≥ 3 sizes; Degenerate when a
    size's fit does not fall), compared with `known` (default: α_KM)."""
    points = [s.sat_crossover() for s in sweeps]
    fit = fit_in_size(None, [s.n for s in sweeps], points)
    return Calibration(fit, alpha_km() if known is None else known, max_width)
