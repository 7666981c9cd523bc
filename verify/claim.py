"""The claim model: an ID, a statement, a status, a family, cases and a check."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

from hypothesis.strategies import SearchStrategy
from mpmath.ctx_mp import MPContext

from verify.errors import ROOT, InvalidClaim
from verify.population import Rule

if TYPE_CHECKING:
    from verify.certificate import Certificate
from verify.precision import GUARD_DIGITS


class Status(Enum):
    """What is known about a claim before the suite runs (docs/index.md)."""

    PROVED = "proved"  # must come out verified
    PAPER = "paper"  # stated by a source; reported as found
    OPEN = "open"  # decided by the suite
    FALSE = "false"  # negative control: must come out refuted


class Kind(Enum):
    """How a claim is decided (docs/index.md, "Claim kinds")."""

    DEDUCTIVE = "deductive"  # every case must hold; one confirmed failure refutes
    STATISTICAL = "statistical"  # a population of experiments decided by its `Rule`


class Family(Enum):
    """What a claim is about: one page of docs/claims/, one module (or package) of
    verify/claims/, one `flatminima plot` subcommand where it has figures. User conjectures
    are USER."""

    LINEAR = "linear"  # deep linear networks: curvature, flattest minima, training
    SCALAR = "scalar"  # scalar deep linear networks
    DYNAMICS = "dynamics"  # imbalance under GD, weight decay, noise, SGD
    PERCEPTRON = "perceptron"  # spherical and binary perceptrons
    NONLINEAR = "nonlinear"  # ReLU-type networks
    USER = "user"  # conjectures loaded from users' files

    @property
    def docs(self) -> str | None:
        """The family's page, relative to the project root (None for user conjectures)."""
        return None if self is Family.USER else f"docs/claims/{self.value}.md"


Check = Callable[[object, MPContext], object]
Certify = Callable[[object, int], "Certificate"]  # (case, dps) → verify.certificate


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
    simpler, only another costly run. A claim with a `rule` is statistical: its cases are
    experiments, its check returns `observed(...)`, and the rule decides over a population
    (verify/population.py). `certify(case, dps)`, where given, decides the check's relations
    exactly or by enclosures (verify/certificate.py): the claim's numeric tier.
    """

    id: str
    statement: str
    source: str
    status: Status
    cases: SearchStrategy
    check: Check
    family: Family = Family.USER
    lost_digits: int = GUARD_DIGITS
    cost: float = 1.0
    derivation: str | None = None  # a theory/ derivation ID checked symbolically alongside
    examples: tuple = ()
    shrink: bool = True
    rule: Rule | None = None
    certify: Certify | None = None

    @property
    def kind(self) -> Kind:
        return Kind.DEDUCTIVE if self.rule is None else Kind.STATISTICAL

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

    @property
    def where(self) -> str:
        """file:line of the check: a user conjecture's decorated function as loaded, a built-in
        check relative to the project root (`verify/claims/scalar.py:42`)."""
        origin = getattr(self.check, "origin", "")
        if origin:
            return origin
        check = inspect.unwrap(self.check)
        path = Path(inspect.getsourcefile(check) or "<unknown>").resolve()
        shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        return f"{shown.as_posix()}:{check.__code__.co_firstlineno}"
