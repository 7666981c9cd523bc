"""A verified claim's numeric tier: how far its cases' relations were decided beyond mpmath.

Each case reaches the tier its `Certificate` proves (exact > certified), else the tier of its
mpmath evidence; the claim reaches the lowest over its cases, with the reason of the case that
set it. The two backends cross-check: a certificate that finds a relation false, or an mpmath
side of a relation (same name) farther from its enclosure than mpmath's own tolerance
10^-(dps − lost digits) · scale, contradicts the mpmath check; otherwise the reason counts the
mpmath values found inside their enclosures.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import mpmath
from flint import arb
from mpmath.ctx_mp import MPContext

from verify.certificate import Certificate, Proof, undecided
from verify.claim import Claim
from verify.evidence import Evidence
from verify.linear.balls import to_mpmath
from verify.precision import Tier, tolerance

NOT_DECLARED = "no exact or certified check is declared for this claim"


@dataclass(frozen=True)
class NumericTier:
    """The claim's numeric tier, why no case went higher, and a contradiction if one arose."""

    tier: Tier
    reason: str
    contradiction: str = ""
    raised: str = ""  # what a certificate raised (then `tier` is the mpmath one)


def _certify(claim: Claim, case: object, dps: int) -> Certificate:
    """claim.certify(case, dps); an ArithmeticError (enclosures that cannot isolate, an exact
    route too large) leaves the case undecided with its message."""
    try:
        return claim.certify(case, dps)
    except ArithmeticError as exc:
        return Certificate((undecided("certify", f"{type(exc).__name__}: {exc}"),))


def _disagreements(proofs: Sequence[Proof], ev: Evidence, ctx: MPContext, lost: int) -> tuple:
    """(how many mpmath sides were compared, the first one outside its enclosure or "")."""
    relations = {r.name: r for r in ev.relations if r.kind != "true"}
    compared = 0
    for proof in proofs:
        relation = relations.get(proof.name)
        if proof.sides is None or relation is None:
            continue
        allowed = tolerance(ctx, lost) * relation.scale(ctx)
        pairs = zip(("lhs", "rhs"), (relation.lhs, relation.rhs), proof.sides, strict=True)
        for side, value, ball in pairs:
            compared += 1
            if not _within(value, ball, allowed, ctx):
                shown = f"{ctx.nstr(value, 20)} lies outside its enclosure {ball.str(20)}"
                return compared, f"{proof.name}: mpmath's {side} {shown}"
    return compared, ""


def _within(value: object, ball: arb, allowed: object, ctx: MPContext) -> bool:
    """|value − mid| ≤ rad + allowed, exactly: mid and rad are dyadic, so their mpmath values
    are exact at a precision wide enough for them (no rounding decides the comparison)."""
    work = mpmath.MPContext()
    work.prec = max(ctx.prec, ball.mid().bits(), 64) + 64
    gap = abs(work.mpf(value) - to_mpmath(work, ball.mid()))
    return gap <= to_mpmath(work, ball.rad()) + work.mpf(allowed)


@dataclass(frozen=True)
class CaseTier:
    """One held case beyond mpmath: the tier it reached, its weakest proof ("name: detail"),
    how many mpmath sides were compared with enclosures, and a contradiction (or what the
    certificate raised, `runner.case_tier`) if one arose."""

    tier: Tier
    weakest: str = ""
    compared: int = 0
    contradiction: str = ""
    raised: str = ""


def case_tier(claim: Claim, case: object, ev: Evidence, ctx: MPContext, dps: int) -> CaseTier:
    """The tier one case's certificate (computed at `dps` digits) proves, else its mpmath
    evidence's tier; a certificate finding a relation false, or an mpmath side outside its
    enclosure, is a contradiction."""
    if claim.certify is None:
        return CaseTier(ev.tier)
    found = _certify(claim, case, dps)
    if found.contradictions:
        wrong = found.contradictions[0]
        return CaseTier(ev.tier, contradiction=f"{wrong.name}: {wrong.detail}")
    count, outside = _disagreements(found.proofs, ev, ctx, claim.lost_digits)
    if outside:
        return CaseTier(ev.tier, contradiction=outside)
    weakest = found.weakest
    why = f"{weakest.name}: {weakest.detail}" if weakest else ""
    return CaseTier(found.tier if found.tier > Tier.MPMATH else ev.tier, why, count)


def combine_tiers(claim: Claim, base: Tier, parts: Iterable[CaseTier]) -> NumericTier:
    """The claim's numeric tier from its held cases' `CaseTier`s, in case order (consumed
    lazily: the first contradiction or raise, "case k: ...", ends it): the lowest tier, with
    the weakest proof of the first case at that tier; `base` is the lowest mpmath tier."""
    if claim.certify is None:
        return NumericTier(base, NOT_DECLARED)
    reached: Counter[Tier] = Counter()
    lowest, why, compared = None, "", 0
    for index, part in enumerate(parts, 1):
        if part.raised:
            return NumericTier(base, "", raised=part.raised)
        if part.contradiction:
            return NumericTier(base, "", f"case {index}: {part.contradiction}")
        compared += part.compared
        reached[part.tier] += 1
        if lowest is None or part.tier < lowest:
            lowest = part.tier
            why = f"case {index}: {part.weakest}" if part.weakest else ""
    counts = ", ".join(f"{t.label} {reached[t]}" for t in sorted(reached, reverse=True))
    summary = f"{counts} of {sum(reached.values())} cases"
    if compared:
        summary += f"; mpmath inside the enclosures at all {compared} sides compared"
    return NumericTier(lowest, summary if lowest is Tier.EXACT else f"{summary}; {why}")


def numeric_tier(
    claim: Claim, cases: Sequence[tuple[object, Evidence, MPContext]], dps: int
) -> NumericTier:
    """The numeric tier over (case, mpmath evidence, its context) triples that held; the
    certificates are computed at `dps` digits."""
    base = min(ev.tier for _, ev, _ in cases)
    return combine_tiers(claim, base, (case_tier(claim, *triple, dps) for triple in cases))
