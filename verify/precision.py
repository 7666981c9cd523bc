"""Explicit working precision: every check is a pure function of (case, context).

A context is a private `mpmath.MPContext` carrying its own decimal precision, so nothing
reads or changes mpmath's global precision (compare `mpmath.workdps`).
"""

from __future__ import annotations

from enum import IntEnum
from fractions import Fraction

import mpmath
from mpmath.ctx_mp import MPContext

from verify.errors import FlatminimaError
from verify.names import DEFAULT_DPS as DEFAULT_DPS  # the limits live where start-up reads them
from verify.names import MAX_DPS as MAX_DPS
from verify.names import MIN_DPS as MIN_DPS

MAX_HIGH_DPS = round(1.6 * MAX_DPS)  # the second precision of --dps MAX_DPS (1.6 N)
GUARD_DIGITS = 10  # digits a check may lose to rounding before a residual counts as real


class PrecisionError(FlatminimaError, ValueError):
    """A requested precision is outside [MIN_DPS, MAX_DPS] or the pair is not increasing."""


class Tier(IntEnum):
    """Strength of the evidence, weakest first (docs/index.md, Tiers)."""

    FLOAT64 = 1
    MPMATH = 2
    CERTIFIED = 3
    EXACT = 4
    SYMBOLIC = 5

    @property
    def label(self) -> str:
        return self.name.lower()


def workcontext(dps: int) -> MPContext:
    """A fresh mpmath context working at `dps` decimal digits."""
    ctx = mpmath.MPContext()
    ctx.dps = dps
    return ctx


def exact(ctx: MPContext, q: Fraction | int):
    """The rational q as a number of `ctx` (rounded once, to ctx.dps digits)."""
    q = Fraction(q)
    return ctx.mpf(q.numerator) / q.denominator


def check_dps(dps: tuple[int, int]) -> tuple[int, int]:
    """Validate a (low, high) precision pair; raise PrecisionError naming the problem.

    The working precision is in MIN_DPS..MAX_DPS, the second one at most MAX_HIGH_DPS (1.6 ×
    MAX_DPS), so `--dps N` checks at N and 1.6 N over the whole documented range."""
    low, high = dps
    if not MIN_DPS <= low <= MAX_DPS:
        raise PrecisionError(
            f"precision {low} digits is outside the supported range {MIN_DPS}..{MAX_DPS}"
        )
    if high > MAX_HIGH_DPS:
        raise PrecisionError(
            f"second precision {high} digits exceeds {MAX_HIGH_DPS} (1.6 × {MAX_DPS})"
        )
    if high <= low:
        raise PrecisionError(f"second precision ({high}) must exceed the first ({low})")
    return low, high


def confirm_dps(dps: tuple[int, int]) -> int:
    """Precision used to re-confirm a counterexample: twice the higher working precision."""
    return 2 * dps[1]


def tolerance(ctx: MPContext, lost_digits: int = GUARD_DIGITS):
    """Relative tolerance 10^-(dps - lost_digits) of a context."""
    return ctx.mpf(10) ** (lost_digits - ctx.dps)


def agreement_digits(ctx: MPContext, low, high, scale=1) -> float:
    """Digits to which two evaluations agree: -log10(|low - high| / max(|high|, scale)).

    `ctx` is the context of the higher-precision evaluation `high`.
    """
    diff = abs(ctx.mpf(low) - ctx.mpf(high))
    if diff == 0:
        return float("inf")
    size = max(abs(ctx.mpf(high)), ctx.mpf(scale))
    return float(-ctx.log10(diff / size))
