"""The claim model: a THEORY.md ID, a statement, a status, cases and a check."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from hypothesis.strategies import SearchStrategy
from mpmath.ctx_mp import MPContext

from verify.errors import InvalidClaim
from verify.precision import GUARD_DIGITS


class Status(Enum):
    """What is known about a claim before the suite runs (THEORY.md)."""

    PROVED = "proved"  # must come out verified
    PAPER = "paper"  # stated by a source; reported as found
    OPEN = "open"  # decided by the suite
    FALSE = "false"  # negative control: must come out refuted


Check = Callable[[object, MPContext], object]


@dataclass(frozen=True)
class Claim:
    """One checkable statement.

    `check(case, ctx)` evaluates the claim on one case at the precision of `ctx` and returns a
    residual, a bool, a relation or `Evidence`. `lost_digits` is how many digits the check may
    lose to rounding (tolerance 10^-(dps - lost_digits)); `cost` scales the number of cases
    a profile asks for (0.5: half as many, for expensive checks). When `derivation` names a
    complete, machine-checked theory/ derivation, a verified claim reaches the symbolic tier.
    `examples` are cases every profile runs first, before the search (Hypothesis's
    `@example`): counterexamples found once, by a larger profile, stay found. `shrink=False`
    reports a failing case as drawn, for cases (whole experiments) where a shrunk one is no
    simpler, only another costly run.
    """

    id: str
    statement: str
    source: str
    status: Status
    cases: SearchStrategy
    check: Check
    family: str = "user"
    lost_digits: int = GUARD_DIGITS
    cost: float = 1.0
    derivation: str | None = None  # a theory/ derivation ID checked symbolically alongside
    examples: tuple = ()
    shrink: bool = True

    def __post_init__(self) -> None:
        if not self.id or not self.id.replace("_", "").replace("-", "").isalnum():
            raise ValueError(f"claim ID {self.id!r} must be a non-empty alphanumeric name")
        if not isinstance(self.cases, SearchStrategy):
            raise InvalidClaim(
                f"claim {self.id}: cases must be a Hypothesis strategy (from verify.cases or "
                f"hypothesis.strategies), not {type(self.cases).__name__}"
            )
        if not callable(self.check):
            raise InvalidClaim(
                f"claim {self.id}: check must be callable, not {type(self.check).__name__}"
            )
