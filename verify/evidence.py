"""What a check returns: relations that should hold, plus named values it computed.

A check may return a residual (an mpmath number, the claim holds where it is 0), a bool,
a relation built with `equal` / `at_most`, or an `Evidence` bundling several relations.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from mpmath.ctx_mp import MPContext

from verify.errors import FlatminimaError
from verify.population import Observation
from verify.precision import GUARD_DIGITS, Tier, tolerance

Kind = Literal["equal", "at_most", "true"]


class Degenerate(Exception):
    """Raised by a check when a case is numerically degenerate (e.g. singular data)."""


class Vacuous(Exception):
    """Raised by a check when a case does not meet the claim's hypothesis (a run that did not
    converge, an experiment with no trend to measure): counted apart, for nor against."""


class InvalidCase(FlatminimaError, ValueError):
    """A case violates a claim's hypothesis: a strategy bug, reported as an error, never as a
    counterexample."""


@dataclass(frozen=True)
class Relation:
    """`lhs == rhs`, `lhs <= rhs` or a boolean, tested to the working precision.

    Equality holds when |lhs - rhs| <= tol * max(1, |lhs|, |rhs|) with
    tol = 10^-(dps - lost_digits); `at_most` allows the same slack above rhs.
    """

    name: str
    kind: Kind
    lhs: object
    rhs: object = 0
    size: object = None  # magnitude the rounding error scales with, when larger than |lhs|, |rhs|

    def scale(self, ctx: MPContext):
        if self.kind == "true":
            return ctx.one
        sizes = [ctx.one, abs(ctx.mpf(self.lhs)), abs(ctx.mpf(self.rhs))]
        if self.size is not None:
            sizes.append(abs(ctx.mpf(self.size)))
        return max(sizes)

    def margin(self, ctx: MPContext):
        """Signed gap: |lhs - rhs| for equalities, lhs - rhs for `at_most` (<= 0 holds)."""
        if self.kind == "true":
            return ctx.zero if self.lhs else ctx.one
        gap = ctx.mpf(self.lhs) - ctx.mpf(self.rhs)
        return abs(gap) if self.kind == "equal" else gap

    def relative(self, ctx: MPContext):
        """How far the relation is from holding, relative to its scale: margin / scale."""
        return self.margin(ctx) / self.scale(ctx)

    def holds(self, ctx: MPContext, lost_digits: int = GUARD_DIGITS) -> bool:
        if self.kind == "true":
            return bool(self.lhs)
        margin = self.margin(ctx)
        if self.kind == "equal" and not ctx.isfinite(margin):  # inf ≤ tol·inf must not hold
            return False
        return margin <= tolerance(ctx, lost_digits) * self.scale(ctx)

    @property
    def label(self) -> str:
        return {"equal": "residual", "at_most": "excess", "true": "holds"}[self.kind]


@dataclass(frozen=True)
class Evidence:
    """Relations a case must satisfy, the named values the check computed, and its tier; for a
    statistical claim, the experiment's `observation` (its relations check the measurement)."""

    relations: tuple[Relation, ...]
    values: Mapping[str, object] = field(default_factory=dict)
    tier: Tier = Tier.MPMATH
    observation: Observation | None = None

    def holds(self, ctx: MPContext, lost_digits: int = GUARD_DIGITS) -> bool:
        return all(r.holds(ctx, lost_digits) for r in self.relations)

    def failing(self, ctx: MPContext, lost_digits: int = GUARD_DIGITS) -> list[str]:
        return [r.name for r in self.relations if not r.holds(ctx, lost_digits)]


def equal(lhs, rhs, name: str = "lhs = rhs", size=None) -> Relation:
    """The relation lhs == rhs (to working precision, relative to max(1, |lhs|, |rhs|, size))."""
    return Relation(name, "equal", lhs, rhs, size)


def at_most(lhs, rhs, name: str = "lhs <= rhs", size=None) -> Relation:
    """The relation lhs <= rhs (to working precision, relative to max(1, |lhs|, |rhs|, size));
    reported as its excess lhs − rhs (≤ 0 when it holds)."""
    return Relation(name, "at_most", lhs, rhs, size)


def evidence(*relations: Relation, tier: Tier = Tier.MPMATH, **values) -> Evidence:
    """Bundle relations and named values: `evidence(equal(a, b), at_most(c, d), lam=a)`."""
    return Evidence(tuple(relations), values, tier)


def observed(observation: Observation, *relations: Relation, **values) -> Evidence:
    """A statistical claim's experiment: what it says about the claim (`population.tendency`,
    `population.agreement`), the relations that check its measurement, and named values."""
    return Evidence(tuple(relations), values, Tier.MPMATH, observation)


def as_evidence(result: object) -> Evidence:
    """Normalise whatever a check returned; raise TypeError naming an unsupported type."""
    if isinstance(result, Evidence):
        return result
    if isinstance(result, Relation):
        return Evidence((result,))
    if isinstance(result, bool):
        return Evidence((Relation("holds", "true", result),))
    if hasattr(result, "context") or isinstance(result, int | float):
        return Evidence((Relation("residual", "equal", result, 0),))
    raise TypeError(
        f"a check must return a residual, a bool, equal(...)/at_most(...) or Evidence, "
        f"not {type(result).__name__}"
    )


def require(relation: Relation, ctx: MPContext) -> None:
    """Raise InvalidCase unless `relation` (a hypothesis of the claim) holds at ctx's precision."""
    if not relation.holds(ctx):
        raise InvalidCase(f"the case does not satisfy {relation.name}")
