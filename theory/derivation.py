"""Derivations as data: ordered steps `lhs (= | ≥) rhs`, each justified, checked by SymPy.

A `Step` is machine-checked when it is an "=" step (lhs − rhs simplifies to 0, entrywise for
matrices) or a "≥" step with a `witness` (lhs − rhs − witness simplifies to 0 and the witness
is manifestly nonnegative, e.g. a square of a real expression). A "≥" step without a witness
is *cited* (e.g. AM–GM): displayed, counted, never machine-checked. "Manifestly" means SymPy's
assumptions alone prove it (`is_nonnegative`), as for an even power of a real expression.

A `Derivation` is built by a function of the size N: `steps` is the instance displayed
(N = `shown`), `check()` builds and checks the instance for every N in `sizes`. Steps whose
sizes are symbols (a generic layer k of MatrixSymbols with symbolic shapes, a generic index i
of a product of N factors) hold for every size at once: a derivation made only of such steps
has no size (`size_name=""`), and one that derives only part of its claim that way lists them
as `general`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import sympy
from sympy import Basic, MatrixBase, MatrixExpr

EQUAL = "="
AT_LEAST = "≥"


@dataclass(frozen=True)
class Step:
    """One step `lhs relation rhs`, justified by `why`.

    `where` maps symbols (or subexpressions) to values substituted into both sides (and the
    witness) before checking: conditions such as t = P on the minimum set. Derivatives and
    other unevaluated forms are evaluated (`doit`) before the substitution. `names` maps
    subexpressions to the symbols the printer shows in their place (the regularised loss as
    L_μ, named in the text); the check never uses them.
    """

    lhs: Basic | MatrixBase
    rhs: Basic | MatrixBase
    why: str
    relation: str = EQUAL
    witness: Basic | None = None
    where: Mapping[Basic, Basic] = field(default_factory=dict)
    names: Mapping[Basic, Basic] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("lhs", "rhs", "witness"):  # Matrix → ImmutableMatrix, int → Integer
            object.__setattr__(self, name, sympy.sympify(getattr(self, name)))
        if not isinstance(self.why, str) or not self.why.strip():
            raise ValueError(f"a step needs its justification `why`, not {self.why!r}")
        if self.relation not in (EQUAL, AT_LEAST):
            raise ValueError(f"relation must be {EQUAL!r} or {AT_LEAST!r}, not {self.relation!r}")
        if self.witness is not None and self.relation != AT_LEAST:
            raise ValueError("only a '≥' step takes a witness")
        if self.relation == AT_LEAST and (self.lhs.is_Matrix or self.rhs.is_Matrix):
            raise ValueError("a '≥' step compares scalars")

    @property
    def cited(self) -> bool:
        """A '≥' step without a witness: justified by citation, not machine-checked."""
        return self.relation == AT_LEAST and self.witness is None

    def problem(self) -> str | None:
        """Why the machine check fails, or None when it holds (or the step is cited)."""
        if self.cited:
            return None
        gap = self._value(self.lhs) - self._value(self.rhs)
        if self.witness is None:
            return None if _vanishes(gap) else "lhs − rhs does not simplify to 0"
        witness = self._value(self.witness)
        if not _vanishes(gap - witness):
            return "lhs − rhs − witness does not simplify to 0"
        if witness.is_nonnegative is not True:
            return "the witness is not manifestly nonnegative"
        return None

    def _value(self, expr: Basic) -> Basic:
        value = expr.doit()
        return value.subs(dict(self.where)) if self.where else value


@dataclass(frozen=True)
class CheckResult:
    """Outcome of `Derivation.check()`: failing and cited steps, each named."""

    failures: list[str]
    cited: list[str]

    @property
    def ok(self) -> bool:
        """Every machine-checkable step of every checked instance holds."""
        return not self.failures

    @property
    def complete(self) -> bool:
        """No step of any checked instance is cited."""
        return not self.cited


@dataclass(frozen=True)
class Derivation:
    """A claim's derivation: `build(n)` returns the ordered steps for size n.

    `claim` is the claim ID (e.g. "H4"), `statement` one line of plain text, `source` the
    paper (or "standard"). The instance n = `shown` is displayed; every n in `sizes` is
    checked. `size_name` names n in the text ("N": the depth); "" for a derivation without a
    size (a single instance, `sizes=(1,)`, valid for every size).

    `general` builds further steps valid for every size, checked once and displayed first,
    when the sized instances derive more than they do; `covers` then names what each derives
    (e.g. ("trace", "spectrum")), so the scope says which part holds for all sizes.
    """

    claim: str
    title: str
    statement: str
    source: str
    build: Callable[[int], Sequence[Step]]
    sizes: tuple[int, ...] = (2, 3, 4, 5, 6)
    shown: int = 3
    size_name: str = "N"
    general: Callable[[], Sequence[Step]] | None = None
    covers: tuple[str, str] = ("", "")

    def __post_init__(self) -> None:
        if self.shown not in self.sizes:
            raise ValueError(f"{self.claim}: shown size {self.shown} is not among {self.sizes}")
        if self.general is None and any(self.covers):
            raise ValueError(f"{self.claim}: `covers` names the parts of general steps")
        if self.general is not None and not (self.size_name and all(self.covers)):
            raise ValueError(f"{self.claim}: general steps go with sized ones, both named")

    @cached_property
    def general_steps(self) -> tuple[Step, ...]:
        """The steps valid for every size (none unless `general`)."""
        return () if self.general is None else tuple(self.general())

    @cached_property
    def shown_instance(self) -> tuple[Step, ...]:
        """The sized instance displayed (size `shown`)."""
        return tuple(self.build(self.shown))

    @cached_property
    def steps(self) -> tuple[Step, ...]:
        """The displayed steps: the general ones, then the instance of size `shown`."""
        return self.general_steps + self.shown_instance

    @property
    def scope(self) -> str:
        """What the checked instances cover: "N = 2…6" (the sizes checked); "all sizes" for a
        derivation with no size parameter (one instance, valid for every size); with
        `general` steps, both parts named: "trace: all sizes; spectrum: N = 2…3"."""
        if not self.size_name:
            return "all sizes"
        low, high = min(self.sizes), max(self.sizes)
        if list(self.sizes) == list(range(low, high + 1)):
            sized = f"{self.size_name} = {low}…{high}"
        else:
            sized = f"{self.size_name} ∈ {{{', '.join(map(str, self.sizes))}}}"
        if self.general is None:
            return sized
        general, rest = self.covers
        return f"{general}: all sizes; {rest}: {sized}"

    def instance(self, n: int) -> tuple[Step, ...]:
        """The sized steps for size n (without the general ones)."""
        return self.shown_instance if n == self.shown else tuple(self.build(n))

    def check(self) -> CheckResult:
        """Check the general steps once and every step of the instance of every size; cited
        steps are only listed. Steps are numbered as displayed: the sized ones after the
        general ones."""
        failures: list[str] = []
        cited: list[str] = []
        after = len(self.general_steps)
        labelled = [("general", 1, self.general_steps)] if after else []
        labelled += [
            (f"{self.size_name}={n}" if self.size_name else "", after + 1, self.instance(n))
            for n in self.sizes
        ]
        for label, first, steps in labelled:
            for k, step in enumerate(steps, start=first):
                size = f" {label}" if label else ""
                name = f"{self.claim}{size} step {k} ({step.why})"
                if step.cited:
                    cited.append(name)
                elif (problem := step.problem()) is not None:
                    failures.append(f"{name}: {problem}")
        return CheckResult(failures, cited)


def _vanishes(expr: Basic) -> bool:
    """Does `expr` (entrywise for a matrix) simplify to 0? Cheap tests first. A matrix
    expression of symbolic shape (MatrixSymbol algebra) must expand to the zero matrix."""
    if isinstance(expr, MatrixBase):
        return all(_vanishes(entry) for entry in expr)
    if isinstance(expr, MatrixExpr):
        return expr.doit().expand().is_ZeroMatrix is True
    expr = _normalise(expr)
    return expr == 0 or sympy.cancel(expr) == 0 or sympy.simplify(expr) == 0


def _normalise(expr: Basic) -> Basic:
    """Two rewrites SymPy does not do itself, both valid for all complex values.

    Factor the base of every non-integer power, so √((a/b)²) can evaluate to |a/b|, and split
    |ab| into |a||b|, so (|ab|)^(2/3) / (|a|^(2/3) |b|^(2/3)) can evaluate to 1.
    """
    expr = expr.replace(
        lambda e: e.is_Pow and not e.exp.is_Integer,
        lambda e: sympy.factor(e.base) ** e.exp,
    )
    return expr.replace(
        lambda e: isinstance(e, sympy.Abs) and e.args[0].is_Mul,
        lambda e: sympy.Mul(*(sympy.Abs(factor) for factor in e.args[0].args)),
    )
