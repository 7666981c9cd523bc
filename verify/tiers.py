"""A verified claim's numeric tier: how far its cases' relations were decided beyond mpmath.

Each case reaches the tier its `Certificate` proves (exact > certified), else the tier of its
mpmath evidence; the claim reaches the lowest over its cases, with the reason of the case that
set it. A certificate that finds a relation false contradicts the mpmath check.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from verify.certificate import Certificate, undecided
from verify.claim import Claim
from verify.evidence import Evidence
from verify.precision import Tier

NOT_DECLARED = "no exact or certified check is declared for this claim"


@dataclass(frozen=True)
class NumericTier:
    """The claim's numeric tier, why no case went higher, and a contradiction if one arose."""

    tier: Tier
    reason: str
    contradiction: str = ""


def _certify(claim: Claim, case: object, dps: int) -> Certificate:
    """claim.certify(case, dps); an ArithmeticError (enclosures that cannot isolate, an exact
    route too large) leaves the case undecided with its message."""
    try:
        return claim.certify(case, dps)
    except ArithmeticError as exc:
        return Certificate((undecided("certify", f"{type(exc).__name__}: {exc}"),))


def numeric_tier(claim: Claim, cases: Sequence[tuple[object, Evidence]], dps: int) -> NumericTier:
    """The numeric tier over (case, mpmath evidence) pairs that held at `dps` digits."""
    base = min(ev.tier for _, ev in cases)
    if claim.certify is None:
        return NumericTier(base, NOT_DECLARED)
    reached: Counter[Tier] = Counter()
    lowest, why = None, ""
    for index, (case, ev) in enumerate(cases, 1):
        found = _certify(claim, case, dps)
        if found.contradictions:
            wrong = found.contradictions[0]
            return NumericTier(base, "", f"case {index}: {wrong.name}: {wrong.detail}")
        tier = found.tier if found.tier > Tier.MPMATH else ev.tier
        reached[tier] += 1
        if lowest is None or tier < lowest:
            weakest = found.weakest
            lowest = tier
            why = f"case {index}: {weakest.name}: {weakest.detail}" if weakest else ""
    counts = ", ".join(f"{t.label} {reached[t]}" for t in sorted(reached, reverse=True))
    summary = f"{counts} of {len(cases)} cases"
    return NumericTier(lowest, summary if lowest is Tier.EXACT else f"{summary}; {why}")
