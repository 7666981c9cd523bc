"""User conjectures: the `@conjecture` decorator and loading conjecture files.

    from verify import conjecture, cases

    @conjecture("X1", "λ_max ≥ N on the scalar minimum set", cases=cases.scalar_minima(target=1))
    def flat_enough(m):                      # m: the case at the working precision (verify.views)
        return verify.at_most(m.depth, m.sharpness())

A check takes `(case)` (bound to the working precision) or `(case, ctx)` (raw case and an
mpmath context) and returns a residual, a bool, `equal`/`at_most` or `evidence(...)`.
`load(path)` imports a file or every `conj_*.py` / `conjectures/*.py` below a folder; problems
(syntax errors, duplicate IDs, files that raise) come back as `ConjectureError`s naming the
file and line, and the conjectures that did load still run.
"""

from __future__ import annotations

import importlib.util
import inspect
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis.strategies import SearchStrategy
from mpmath.ctx_mp import MPContext

from verify.claim import Claim, Status
from verify.errors import FlatminimaError, InvalidClaim, raised_at
from verify.evidence import Degenerate, Vacuous, as_evidence
from verify.names import PATTERNS
from verify.population import Rule
from verify.views import bind

_LOADING: list[Claim] = []  # conjectures declared while a file is being imported


class ConjectureError(FlatminimaError):
    """A problem in a user's conjecture file, with the file and line it comes from."""


def _where(fn: Callable) -> str:
    return f"{inspect.getsourcefile(fn)}:{fn.__code__.co_firstlineno}"


def _raised_at(exc: BaseException, path: str) -> str:
    """file:line of the innermost frame of `exc`'s traceback inside `path` (else the last)."""
    return raised_at(exc, lambda filename: filename == path) or path


def _wrap(fn: Callable) -> Callable[[object, MPContext], object]:
    """The claim check: binds one-argument checks, names file and line in every failure."""
    takes_ctx = len(inspect.signature(fn).parameters) >= 2
    source = inspect.getsourcefile(fn) or "<unknown>"

    def check(case: object, ctx: MPContext):
        try:
            result = fn(case, ctx) if takes_ctx else fn(bind(case, ctx))
        except (Degenerate, Vacuous):
            raise
        except (Exception, SystemExit) as exc:  # sys.exit() in a check must not end the run
            where = _raised_at(exc, source)
            raise ConjectureError(f"{where}: {type(exc).__name__}: {exc}") from exc
        try:
            found = as_evidence(result)
        except TypeError as exc:
            raise ConjectureError(f"{_where(fn)}: {exc}") from None
        bad = _non_finite(found, ctx)
        if bad:
            raise ConjectureError(f"{_where(fn)}: the check returned a non-finite number: {bad}")
        return found

    check.__name__ = fn.__name__
    check.__doc__ = fn.__doc__
    check.origin = _where(fn)
    return check


def _non_finite(found, ctx: MPContext) -> str:
    """`name = value` of the first NaN or infinite number in a check's relations ("" if none):
    such a residual is a broken check, neither a proof nor a counterexample."""
    for relation in found.relations:
        if relation.kind == "true":
            continue
        for part in (relation.lhs, relation.rhs, relation.size):
            if part is None:
                continue
            try:
                value = ctx.mpf(part)
            except (TypeError, ValueError):
                continue
            if not ctx.isfinite(value):
                return f"{relation.name} = {value}"
    return ""


def _check_options(cost: object, lost_digits: object, rule: object, examples: object) -> None:
    """ValueError/TypeError naming a bad `@conjecture` option (reported with file:line)."""
    if isinstance(cost, bool) or not isinstance(cost, int | float) or not 0 < cost < 1e6:
        raise ValueError(f"cost must be a positive number below 1e6, not {cost!r}")
    if lost_digits is not None and (
        isinstance(lost_digits, bool) or not isinstance(lost_digits, int) or lost_digits < 0
    ):
        raise ValueError(f"lost_digits must be a non-negative integer, not {lost_digits!r}")
    if rule is not None and not isinstance(rule, Rule):
        raise TypeError(f"rule must be a verify.population.Rule, not {type(rule).__name__}")
    if isinstance(examples, str | bytes) or not isinstance(examples, Sequence):
        raise TypeError(f"examples must be a list of cases, not {type(examples).__name__}")


def origin(claim: Claim) -> str:
    """file:line where a conjecture's check is defined ("" for built-in claims)."""
    return getattr(claim.check, "origin", "")


def conjecture(
    claim_id: str,
    statement: str,
    *,
    cases: SearchStrategy,
    status: str | Status = "open",
    source: str = "user",
    cost: float = 1.0,
    lost_digits: int | None = None,
    examples: Sequence = (),
    rule: Rule | None = None,
) -> Callable[[Callable], Callable]:
    """Declare a conjecture; the decorated function stays callable and gains `.claim`.
    `examples` are cases every profile checks before the search (e.g. a counterexample a
    larger profile found). With a `rule` the conjecture is statistical: each case is an
    experiment, the function returns `observed(...)`, and the rule decides over a population
    (docs/adding-a-conjecture.md)."""
    try:
        kind = Status(status) if isinstance(status, str) else status
    except ValueError:
        choices = ", ".join(s.value for s in Status)
        raise ValueError(f"status must be one of {choices}, not {status!r}") from None
    _check_options(cost, lost_digits, rule, examples)

    def register(fn: Callable) -> Callable:
        extra = {} if lost_digits is None else {"lost_digits": lost_digits}
        try:
            claim = Claim(
                claim_id,
                statement,
                source,
                kind,
                cases,
                _wrap(fn),
                cost=cost,
                examples=tuple(examples),
                rule=rule,
                **extra,
            )
        except InvalidClaim as exc:  # e.g. cases=[...]: name the conjecture's file and line
            raise ConjectureError(f"{_where(fn)}: {exc}") from None
        _LOADING.append(claim)
        fn.claim = claim
        return fn

    return register


@dataclass
class Loaded:
    """What loading found: conjectures in file order, and problems with their file:line."""

    claims: list[Claim] = field(default_factory=list)
    origins: dict[str, str] = field(default_factory=dict)  # claim ID → file:line
    errors: list[ConjectureError] = field(default_factory=list)


def _unreadable(path: Path, exc: OSError) -> ConjectureError:
    return ConjectureError(f"cannot read {path}: {exc.strerror}")


def conjecture_files(path: Path) -> list[Path]:
    """`path` itself if it is a file, else every file below it matching PATTERNS."""
    try:
        if path.is_file():
            return [path]
        if not path.is_dir():
            raise ConjectureError(f"{path}: no such file or directory")
        found = {p for pattern in PATTERNS for p in path.rglob(pattern)}
    except OSError as exc:  # a folder on the way that may not be searched
        raise _unreadable(path, exc) from None
    return sorted(p for p in found if "__pycache__" not in p.parts)


def _import(path: Path) -> list[Claim]:
    """Import one file as a fresh module and return the conjectures it declared."""
    try:
        path.open("rb").close()  # else importlib's own frame would be named as the culprit
    except OSError as exc:
        raise _unreadable(path, exc) from None
    name = f"flatminima_conjectures.{path.stem}_{abs(hash(path.resolve()))}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    _LOADING.clear()
    try:
        sys.modules[name] = module
        spec.loader.exec_module(module)
    except SyntaxError as exc:  # also undecodable bytes; a UTF-16 file has no file name here
        where = f"{exc.filename or path}:{exc.lineno or 1}"
        raise ConjectureError(f"{where}: syntax error: {exc.msg}") from None
    except ConjectureError:
        raise  # already names its file and line (an invalid @conjecture)
    except (Exception, SystemExit) as exc:  # sys.exit() while importing must not end the run
        where = _raised_at(exc, str(path))
        raise ConjectureError(f"{where}: {type(exc).__name__}: {exc}") from None
    finally:
        sys.modules.pop(name, None)
    declared = list(_LOADING)
    _LOADING.clear()
    return declared


def load(paths: list[Path], taken: set[str] = frozenset()) -> Loaded:
    """Load conjectures from files/folders; IDs must be new (not in `taken`, not repeated)."""
    loaded = Loaded()
    seen = {i.casefold() for i in taken}
    for root in paths:
        try:
            files = conjecture_files(Path(root))
        except ConjectureError as exc:
            loaded.errors.append(exc)
            continue
        for path in files:
            try:
                declared = _import(path)
            except ConjectureError as exc:
                loaded.errors.append(exc)
                continue
            for claim in declared:
                where = origin(claim)
                if claim.id.casefold() in seen:
                    loaded.errors.append(ConjectureError(f"{where}: duplicate claim ID {claim.id}"))
                    continue
                seen.add(claim.id.casefold())
                loaded.claims.append(claim)
                loaded.origins[claim.id] = where
    return loaded
