"""Rational numbers as Hypothesis strategies: exact, bounded, shrinking to simple values."""

from __future__ import annotations

from fractions import Fraction
from functools import cache
from math import ceil, floor

from hypothesis import strategies as st


@cache  # a strategy is immutable: building one (st.composite) is not cheap
def rationals(lo: Fraction | int, hi: Fraction | int, max_denominator: int = 8):
    """Rationals n/d in [lo, hi] with d <= max_denominator (lo itself when no n/d fits)."""
    lo, hi = Fraction(lo), Fraction(hi)

    @st.composite
    def build(draw):
        d = draw(st.integers(1, max_denominator))
        if ceil(lo * d) > floor(hi * d):
            return lo
        return Fraction(draw(st.integers(ceil(lo * d), floor(hi * d))), d)

    return build()


@cache
def nonzero_rationals(lo: Fraction | int, hi: Fraction | int, max_denominator: int = 8):
    """±r with r a rational in [lo, hi], lo > 0: bounded away from zero."""
    if lo <= 0:
        raise ValueError("nonzero_rationals needs lo > 0")
    signs = st.sampled_from((1, -1))
    return st.builds(lambda s, r: s * r, signs, rationals(lo, hi, max_denominator))
