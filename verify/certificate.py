"""The certified and exact tiers of one case: relations decided without a tolerance.

A claim may declare `certify(case, dps)` besides its check; it returns a `Certificate`, one
`Proof` per relation, each decided

- exactly (`exactly`, `exactly_equal`, `exactly_at_most`: rationals and algebraic numbers,
  verify/algebraic.py): the exact tier;
- by enclosures (`enclosed_at_most`, `enclosed_equal`: Arb balls, verify/linear/balls.py):
  an inequality is proved when its slack's enclosure is > 0; an equality whose residual is
  enclosed in a ball around 0 of relative radius < 10^-(dps − GUARD_DIGITS) is *certified to
  d digits* — an enclosure containing 0 does not prove an equality (that is the exact tier),
  unless it is the point 0 itself (radius 0: exact);
- or not at all (`undecided`, with the reason).

A proof that finds a relation false (an enclosure that excludes it, an exact comparison)
contradicts the mpmath check: the runner reports it as an error, never as verified.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace

import flint
from flint import arb

from verify import algebraic
from verify.algebraic import AlgebraicNumber
from verify.precision import GUARD_DIGITS, Tier

CERTIFIED = Tier.CERTIFIED


@dataclass(frozen=True)
class Proof:
    """One relation: `holds` True (proved), False (disproved) or None (undecided), the tier
    that decided it (MPMATH when undecided) and what shows it."""

    name: str
    holds: bool | None
    tier: Tier
    detail: str
    sides: tuple[arb, arb] | None = None  # enclosures of the relation's lhs and rhs


@dataclass(frozen=True)
class Certificate:
    """Every relation of one case, decided as far as the exact and certified tiers go."""

    proofs: tuple[Proof, ...]

    @property
    def tier(self) -> Tier:
        """The weakest tier among the proofs (MPMATH if one is undecided or none exists)."""
        if not self.proofs or any(p.holds is not True for p in self.proofs):
            return Tier.MPMATH
        return min(p.tier for p in self.proofs)

    @property
    def contradictions(self) -> list[Proof]:
        return [p for p in self.proofs if p.holds is False]

    @property
    def weakest(self) -> Proof | None:
        """The proof that sets the tier: the first undecided one, else the lowest tier."""
        if not self.proofs:
            return None
        undecided_ = [p for p in self.proofs if p.holds is not True]
        return undecided_[0] if undecided_ else min(self.proofs, key=lambda p: p.tier)


def certificate(*proofs: Proof) -> Certificate:
    return Certificate(tuple(proofs))


def undecided(name: str, reason: str) -> Proof:
    """A relation neither tier can decide, and why."""
    return Proof(name, None, Tier.MPMATH, reason)


def exactly(name: str, holds: bool, detail: str = "decided exactly") -> Proof:
    """A relation decided exactly (rational or algebraic arithmetic, no rounding)."""
    return Proof(name, bool(holds), Tier.EXACT, detail)


def exactly_equal(name: str, lhs: AlgebraicNumber, rhs: AlgebraicNumber) -> Proof:
    """lhs = rhs, decided exactly."""
    holds = algebraic.compare(lhs, rhs) == 0
    return exactly(name, holds, "equal exactly" if holds else "not equal (exact comparison)")


def exactly_at_most(name: str, lhs: AlgebraicNumber, rhs: AlgebraicNumber) -> Proof:
    """lhs ≤ rhs, decided exactly."""
    order = algebraic.compare(lhs, rhs)
    detail = {-1: "strictly less, exactly", 0: "equal exactly", 1: "greater (exact comparison)"}
    return exactly(name, order <= 0, detail[order])


def decided_at_most(
    name: str,
    enclose: Callable[[], tuple[arb, arb]],
    exact: Callable[[], tuple[AlgebraicNumber, AlgebraicNumber]],
) -> Proof:
    """lhs ≤ rhs by the enclosures `enclose()` gives; when they cannot tell (a tight
    inequality) or cannot be formed (an ArithmeticError: eigenvalues Arb could not isolate),
    exactly, from the algebraic numbers `exact()` builds, the reason kept in the detail
    (undecided if that route is too large)."""
    try:
        proof = enclosed_at_most(name, *enclose())
    except ArithmeticError as exc:
        proof = undecided(name, f"no enclosure ({type(exc).__name__}: {exc})")
    if proof.holds is not None:
        return proof
    try:
        decided = exactly_at_most(name, *exact())
    except algebraic.TooComplex as exc:
        return replace(proof, detail=f"{proof.detail}; the exact route: {exc}")
    return replace(decided, detail=f"{decided.detail} ({proof.detail})", sides=proof.sides)


def _difference(a: arb, b: arb) -> arb:
    """a − b at a precision that holds both midpoints (python-flint's precision is global:
    a proof built outside `balls.precision` must not round its sides to 53 bits)."""
    with flint.ctx.workprec(max(flint.ctx.prec, a.mid().bits(), b.mid().bits()) + 16):
        return a - b


def _interval(x: arb) -> str:
    return f"[{x.lower().str(5, radius=False)}, {x.upper().str(5, radius=False)}]"


def enclosed_at_most(name: str, lhs: arb, rhs: arb) -> Proof:
    """lhs ≤ rhs from enclosures: proved when rhs − lhs is enclosed in (0, ∞)."""
    slack = _difference(rhs, lhs)
    if slack.is_exact() and slack.is_zero():  # a point ball holding the true value
        return Proof(
            name, True, Tier.EXACT, "equal: the slack's enclosure is the point 0", (lhs, rhs)
        )
    if slack > 0:
        return Proof(name, True, CERTIFIED, f"slack enclosed in {_interval(slack)} > 0", (lhs, rhs))
    if slack < 0:
        return Proof(
            name, False, CERTIFIED, f"slack enclosed in {_interval(slack)} < 0", (lhs, rhs)
        )
    why = f"the slack's enclosure {_interval(slack)} contains 0: enclosures cannot prove a tight"
    return Proof(name, None, Tier.MPMATH, f"{why} inequality", (lhs, rhs))


def enclosed_equal(name: str, lhs: arb, rhs: arb, dps: int, size: arb | None = None) -> Proof:
    """lhs = rhs to d digits: the residual's enclosure contains 0 and lies within
    10^-d · max(1, |lhs|, |rhs|, size), d ≥ dps − GUARD_DIGITS."""
    residual, sides = _difference(lhs, rhs), (lhs, rhs)
    if residual.is_exact() and residual.is_zero():  # a point ball holding the true value
        return Proof(name, True, Tier.EXACT, "the residual's enclosure is the point 0", sides)
    if not residual.contains(0):
        return Proof(name, False, CERTIFIED, f"residual enclosed in {_interval(residual)}", sides)
    scale = max(1.0, float(abs(lhs).upper()), float(abs(rhs).upper()))
    if size is not None:
        scale = max(scale, float(abs(size).upper()))
    bound = float(abs(residual).upper()) / scale
    digits = math.floor(-math.log10(bound)) if bound > 0 else dps
    if digits >= dps - GUARD_DIGITS:
        return Proof(
            name,
            True,
            CERTIFIED,
            f"certified to {min(digits, dps)} digits (an enclosure containing 0 does not "
            "prove an equality)",
            sides,
        )
    wide = f"the residual's enclosure is only 1e-{digits} wide (relative)"
    return Proof(name, None, Tier.MPMATH, wide, sides)
