"""Search a claim's cases with Hypothesis, evaluate each at two precisions, give one verdict.

A deductive claim:

- verified: every case held at both precisions (agreement measured in digits);
- refuted: a case failed at both precisions, was shrunk, and still fails at a third, higher one,
  by more than float64 rounding;
- inconclusive: the precisions disagree, a case is degenerate, a failure vanishes at the third
  precision or stays at float64 rounding level at all three (a check computing at fixed
  precision), or the symbolic derivation fails;
- error: the check, the search or the derivation check raised, or a case ran past its time
  budget (verify/budget.py), which stops the search at once (no shrinking).

A statistical claim (`Claim.rule`) is decided over a population of experiments drawn from its
strategy (its registered `examples` first) by the rule of verify/population.py; every
experiment is evaluated at both precisions, which must classify it alike.

While a check runs, mpmath's global context `mp` works at the check's precision too.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from functools import cache

import mpmath
from hypothesis import example, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis.reporting import with_reporter
from mpmath.ctx_mp import MPContext

import theory
from verify.budget import DEFAULT_CASE_BUDGET, BudgetExceeded, case_budget
from verify.claim import Claim, Status
from verify.conjectures import ConjectureError
from verify.errors import source_location
from verify.evidence import Degenerate, Evidence, Vacuous, as_evidence
from verify.population import Support, decide, support
from verify.precision import (
    DEFAULT_DPS,
    Tier,
    agreement_digits,
    check_dps,
    confirm_dps,
    workcontext,
)
from verify.profiles import (
    DEFAULT_PROFILE,
    population_settings,
    population_size,
    profile_settings,
    seeded_draws_only,
)
from verify.tiers import CaseTier, NumericTier, combine_tiers
from verify.tiers import case_tier as certified_tier
from verify.transport import same


class Outcome(Enum):
    HELD = "held"
    FAILED = "failed"
    DISAGREE = "disagree"
    DEGENERATE = "degenerate"
    VACUOUS = "vacuous"  # the case does not meet the claim's hypothesis
    ERROR = "error"


class VerdictKind(Enum):
    VERIFIED = "verified"
    REFUTED = "refuted"
    INCONCLUSIVE = "inconclusive"
    ERROR = "error"


@dataclass
class CaseResult:
    """One case evaluated at two precisions; `evidence` is the higher-precision one."""

    case: object
    outcome: Outcome
    digits: float | None = None
    evidence: Evidence | None = None
    ctx: MPContext | None = None
    message: str = ""
    over_budget: bool = False  # stopped by its time budget (an ERROR outcome)
    numeric: CaseTier | None = None  # a held case's tier beyond mpmath, if already computed

    @property
    def stops(self) -> bool:
        """Whether the search stops at this case: it failed, raised or ran out of budget."""
        return self.outcome in (Outcome.FAILED, Outcome.ERROR)


@dataclass
class Verdict:
    """The runner's answer for one claim; `report.json` turns it into the JSON schema."""

    claim: Claim
    verdict: VerdictKind
    tier: Tier | None
    cases: int
    digits: float | None
    seconds: float
    dps: tuple[int, int]
    counterexample: object | None = None
    evidence: Evidence | None = None
    ctx: MPContext | None = None
    message: str = ""
    outcomes: dict[str, int] = field(default_factory=dict)
    shrink_steps: int = 0  # evaluations after the first failure, while Hypothesis shrank it
    scope: str | None = None  # what a symbolic tier covers: "N = 2…6", "all sizes"
    support: Support | None = None  # a statistical claim's population
    numeric_tier: Tier | None = None  # of a verified deductive claim (verify/tiers.py)
    numeric_reason: str = ""  # why its cases went no higher

    @property
    def as_expected(self) -> bool:
        """Proved claims must be verified, false ones refuted; nothing may raise."""
        if self.verdict is VerdictKind.ERROR:
            return False
        expected = {Status.PROVED: VerdictKind.VERIFIED, Status.FALSE: VerdictKind.REFUTED}
        wanted = expected.get(self.claim.status)
        return wanted is None or self.verdict is wanted


def _numbers(ev: Evidence, ctx: MPContext) -> list[tuple[object, object]]:
    """(number, scale) pairs whose agreement between precisions is measured."""
    pairs = []
    for relation in ev.relations:
        if relation.kind != "true":
            scale = relation.scale(ctx)
            pairs += [(relation.lhs, scale), (relation.rhs, scale)]
    pairs += [(v, ctx.one) for v in ev.values.values() if _is_number(v)]
    return pairs


def _is_number(value: object) -> bool:
    return hasattr(value, "context") or (
        isinstance(value, int | float) and not isinstance(value, bool)
    )


def agreement(
    low: Evidence, high: Evidence, ctx_low: MPContext, ctx_high: MPContext
) -> float | None:
    """Worst digits of agreement over every number two evaluations computed, capped at the
    lower precision; None when the evidence holds no numbers (boolean checks)."""
    pairs = zip(_numbers(low, ctx_low), _numbers(high, ctx_high), strict=True)
    digits = [agreement_digits(ctx_high, a, b, scale) for (a, _), (b, scale) in pairs]
    return min([float(ctx_low.dps), *digits]) if digits else None


def error_message(exc: Exception) -> str:
    """`where: Type: message` for an exception a check raised, `where` the innermost frame in
    verify/ or theory/ outside this runner (else the innermost); a conjecture's error already
    names its file and line."""
    if isinstance(exc, ConjectureError):
        return f"{type(exc).__name__}: {exc}"
    where = source_location(exc, ignore=__file__)
    return f"{where}: {type(exc).__name__}: {exc}" if where else f"{type(exc).__name__}: {exc}"


def _checked(
    claim: Claim, case: object, ctx: MPContext, budget: float | None = DEFAULT_CASE_BUDGET
) -> Evidence:
    """The claim's check on one case at ctx's precision, with mpmath's global `mp` at that
    precision too (so `mp.`-style code is right), stopped after `budget` seconds."""
    with case_budget(budget, ctx.dps), mpmath.workdps(ctx.dps):
        return as_evidence(claim.check(case, ctx))


def evaluate(
    claim: Claim, case: object, dps: tuple[int, int], budget: float | None = DEFAULT_CASE_BUDGET
) -> CaseResult:
    """Evaluate one case at both precisions and classify it; each precision has `budget`
    seconds (None: unlimited), past which the case is an ERROR with that reason."""
    ctx_low, ctx_high = workcontext(dps[0]), workcontext(dps[1])
    try:
        low = _checked(claim, case, ctx_low, budget)
        high = _checked(claim, case, ctx_high, budget)
    except BudgetExceeded as exc:
        return CaseResult(case, Outcome.ERROR, message=str(exc), over_budget=True)
    except Degenerate as exc:
        return CaseResult(case, Outcome.DEGENERATE, message=f"degenerate case: {exc}")
    except Vacuous as exc:
        return CaseResult(case, Outcome.VACUOUS, message=f"vacuous case: {exc}")
    except Exception as exc:
        return CaseResult(case, Outcome.ERROR, message=error_message(exc))
    if len(low.relations) != len(high.relations) or low.values.keys() != high.values.keys():
        message = "the check returned different relations at the two precisions"
        return CaseResult(case, Outcome.DISAGREE, None, high, ctx_high, message)
    if (low.observation is None) != (high.observation is None) or (
        low.observation is not None and low.observation.outcome != high.observation.outcome
    ):
        message = "the experiment is classified differently at the two precisions"
        return CaseResult(case, Outcome.DISAGREE, None, high, ctx_high, message)
    held = (low.holds(ctx_low, claim.lost_digits), high.holds(ctx_high, claim.lost_digits))
    outcome = {(True, True): Outcome.HELD, (False, False): Outcome.FAILED}.get(
        held, Outcome.DISAGREE
    )
    digits = agreement(low, high, ctx_low, ctx_high)
    message = "" if held == (True, True) else "fails: " + ", ".join(high.failing(ctx_high))
    return CaseResult(case, outcome, digits, high, ctx_high, message)


def _confirm(
    claim: Claim, case: object, dps: tuple[int, int], budget: float | None
) -> tuple[Evidence, MPContext]:
    """The evidence of a failing case at a third, higher precision."""
    ctx = workcontext(confirm_dps(dps))
    return _checked(claim, case, ctx, budget), ctx


MIN_CASES = 3  # non-vacuous cases a verdict needs (all of them, when fewer were drawn)
FLOAT64_LEVEL = (1e-20, 1e-13)  # relative failures of this size are float64 rounding's


def fixed_precision(
    claim: Claim, high: Evidence, ctx_high: MPContext, third: Evidence, ctx_third: MPContext
) -> object | None:
    """The relative size of the failure when every relation failing at the third precision
    fails by an amount at float64 rounding level (FLOAT64_LEVEL) that has not shrunk from the
    working precision: then the check computes at a fixed precision (numpy or Python floats)
    and the failure is not evidence against the claim. None otherwise."""
    if len(high.relations) != len(third.relations):
        return None
    pairs = [
        (a, b)
        for a, b in zip(high.relations, third.relations, strict=True)
        if not b.holds(ctx_third, claim.lost_digits)
    ]
    if not pairs or any(b.kind == "true" for _, b in pairs):
        return None
    low, high_level = FLOAT64_LEVEL
    sizes = [(a.relative(ctx_high), b.relative(ctx_third)) for a, b in pairs]
    if all(low <= r3 <= high_level and r3 >= r2 / 10 for r2, r3 in sizes):
        return max(r3 for _, r3 in sizes)
    return None


class _Stop(Exception):
    """Control flow: raised so that Hypothesis shrinks this case."""

    def __init__(self, result: CaseResult):
        self.result = result


class _OutOfBudget(BaseException):
    """Control flow: a case ran past its budget; not an Exception, so Hypothesis stops at once
    instead of shrinking (every shrink step could take the whole budget again)."""

    def __init__(self, result: CaseResult):
        self.result = result


@cache
def _derivation_check(claim_id: str):
    found = theory.derivation(claim_id)
    return None if found is None else found.check()


def symbolic_check(claim: Claim):
    """The check of the claim's derivation (None without one), or the message of what it
    raised."""
    try:
        return _derivation_check(claim.derivation) if claim.derivation else None
    except Exception as exc:
        return error_message(exc)


def case_tier(claim: Claim, result: CaseResult, dps: int) -> CaseTier:
    """A held case's tier beyond mpmath (certificates at `dps` digits: verify/tiers.py), what
    its certificate raised kept as `raised`."""
    try:
        return certified_tier(claim, result.case, result.evidence, result.ctx, dps)
    except Exception as exc:
        return CaseTier(result.evidence.tier, raised=error_message(exc))


def _hypothesis(claim: Claim, body: Callable, chosen: settings, seed: int) -> None:
    """Run `body` on the claim's registered examples (in their order), then on cases drawn
    from its strategy under `chosen` at `seed`: silently, with seed-only draws."""
    for case in reversed(claim.examples):  # decorators apply bottom-up: keep the given order
        body = example(case)(body)
    with with_reporter(lambda *_: None), seeded_draws_only():
        chosen(hypothesis_seed(seed)(given(claim.cases)(body)))()


def _search(
    claim, profile, dps, seed, on_case, budget, known=()
) -> tuple[list[CaseResult], CaseResult | None, int]:
    """Every evaluation in order, the failing case as shrunk (None: none failed; a case over
    its budget as drawn) and how many evaluations the search made up to and including the
    first failure (the rest shrank it). `known[k]`, the result of the k-th case drawn
    (`drawn_cases`) evaluated elsewhere, is taken for the search's k-th case when that case
    is the same (`transport.same`), instead of evaluating it again."""
    results: list[CaseResult] = []
    first_failure: list[int] = []

    def search(case):
        k = len(results)
        reuse = k < len(known) and same(case, known[k].case)
        result = known[k] if reuse else evaluate(claim, case, dps, budget)
        results.append(result)
        on_case()
        if result.over_budget:
            raise _OutOfBudget(result)
        if result.stops:
            first_failure.append(len(results))
            raise _Stop(result)

    try:
        _hypothesis(claim, search, profile_settings(profile, claim.cost, claim.shrink), seed)
    except _Stop as stop:  # the last raise is Hypothesis replaying the shrunk case
        return results, stop.result, first_failure[0]
    except _OutOfBudget as out:
        return results, out.result, len(results)
    return results, None, len(results)


def drawn_cases(claim: Claim, profile: str, seed: int) -> list:
    """The cases the search evaluates, in its order, when none of them stops it: Hypothesis
    chooses each next case from the earlier choices and the seed alone (no `target`,
    `assume` or `event` in a check; a database-free, deadline-free search), so a body that
    only records draws what a body that evaluates and passes draws."""
    drawn: list = []
    chosen = profile_settings(profile, claim.cost, claim.shrink)
    _hypothesis(claim, lambda case: drawn.append(case), chosen, seed)
    return drawn


SPARE_DRAWS = 3  # candidates drawn per experiment wanted, to replace vacuous ones


def _draw(claim: Claim, profile: str, seed: int, wanted: int) -> list:
    """Candidate experiments of a statistical claim: its registered examples, then distinct
    experiments drawn from its strategy at `seed` (SPARE_DRAWS × `wanted` draws)."""
    drawn: list = []

    def collect(case):
        if all(case != other for other in drawn):
            drawn.append(case)

    _hypothesis(claim, collect, population_settings(profile, SPARE_DRAWS * wanted), seed)
    return drawn


def candidates(claim: Claim, profile: str, seed: int) -> tuple[list, int]:
    """A statistical claim's candidate experiments in order, and how many non-vacuous ones
    its population holds."""
    wanted = population_size(profile, claim.cost, claim.rule.experiments)
    return _draw(claim, profile, seed, wanted), wanted


def population_full(results: list[CaseResult], wanted: int) -> bool:
    """Whether the experiments evaluated so far, in order, end the population: `wanted`
    non-vacuous ones, or the last one ran out of its budget."""
    if results and results[-1].over_budget:
        return True
    return sum(r.outcome is not Outcome.VACUOUS for r in results) >= wanted


def _evaluate_population(claim, profile, dps, seed, on_case, budget) -> list[CaseResult]:
    """Candidate experiments evaluated in order until the population is full."""
    drawn, wanted = candidates(claim, profile, seed)
    results: list[CaseResult] = []
    for case in drawn:
        if population_full(results, wanted):
            break
        results.append(evaluate(claim, case, dps, budget))
        on_case()
    return results


def population_verdict(claim: Claim, dps, results: list[CaseResult], start: float) -> Verdict:
    """Decide a statistical claim by its rule over its evaluated experiments: a case that
    errs, is degenerate, disagrees between precisions or fails its measurement checks makes
    the verdict error / inconclusive (listed in the message)."""
    counts = {o.value: sum(r.outcome is o for r in results) for o in Outcome}
    held = [r for r in results if r.outcome is Outcome.HELD]
    missing = [r for r in held if r.evidence.observation is None]
    if missing:
        raise TypeError(f"claim {claim.id} has a rule but its check did not return observed(...)")
    found = support([(r.case, r.evidence.observation) for r in held], counts[Outcome.VACUOUS.value])
    shown = held[0] if held else None
    kind, message = decide(claim.rule, found)
    bad = [r for r in results if r.outcome not in (Outcome.HELD, Outcome.VACUOUS)]
    if bad:
        first = bad[0]
        kind = "error" if first.outcome is Outcome.ERROR else "inconclusive"
        what = {Outcome.FAILED: "its measurement check failed: "}.get(first.outcome, "")
        message = f"{len(bad)} experiment(s) undecidable, e.g. {what}{first.message}; {message}"
        shown = first
    return Verdict(
        claim,
        VerdictKind(kind),
        None,
        len(results),
        None,
        time.perf_counter() - start,
        dps,
        None,
        shown.evidence if shown is not None else None,
        shown.ctx if shown is not None else None,
        message,
        counts,
        support=found,
    )


def search_error(claim: Claim, dps, start: float, exc: Exception) -> Verdict:
    """The ERROR verdict of a claim whose search raised (e.g. a strategy, while drawing)."""
    message = f"the search raised {error_message(exc)}"
    return Verdict(
        claim, VerdictKind.ERROR, None, 0, None, time.perf_counter() - start, dps, message=message
    )


def run_claim(
    claim: Claim,
    profile: str = DEFAULT_PROFILE,
    dps: tuple[int, int] = DEFAULT_DPS,
    seed: int = 0,
    on_case: Callable[[], None] = lambda: None,
    budget: float | None = DEFAULT_CASE_BUDGET,
    known: Sequence[CaseResult] = (),
) -> Verdict:
    """Search, evaluate and decide one claim; `on_case` is called after every evaluated case,
    and each evaluation of a case at one precision gets `budget` seconds (None: unlimited).
    `known`: results of the first cases the search draws, evaluated already (by workers:
    verify/casework.py), which a deductive search takes instead of evaluating them again."""
    dps = check_dps(dps)
    start = time.perf_counter()
    try:
        if claim.rule is not None:
            results = _evaluate_population(claim, profile, dps, seed, on_case, budget)
            return population_verdict(claim, dps, results, start)
        everything, stopped, searched = _search(claim, profile, dps, seed, on_case, budget, known)
    except Exception as exc:  # e.g. a strategy that raises while drawing: this claim only
        return search_error(claim, dps, start, exc)
    return deductive_verdict(claim, dps, everything, stopped, searched, start, budget)


def deductive_verdict(
    claim: Claim,
    dps: tuple[int, int],
    everything: list[CaseResult],
    stopped: CaseResult | None,
    searched: int,
    start: float,
    budget: float | None,
    symbolic: Callable[[], object] | None = None,
) -> Verdict:
    """Decide a deductive claim from its search: `everything` evaluated in order, the case
    that stopped it (shrunk) and how many evaluations were the search's (the rest shrank it).
    `symbolic()` gives `symbolic_check(claim)` (by default computed here)."""
    results = everything[:searched]  # the cases evaluated; the rest are shrink steps
    counts = {o.value: sum(r.outcome is o for r in results) for o in Outcome}
    held = [r for r in results if r.outcome is Outcome.HELD]

    def verdict(
        kind, tier, shown: CaseResult | None, message="", scope=None, numeric=None
    ) -> Verdict:
        digits = shown.digits if shown is not None else None
        if kind is VerdictKind.VERIFIED:
            measured = [r.digits for r in held if r.digits is not None]
            digits = min(measured) if measured else None
        return Verdict(
            claim,
            kind,
            tier,
            len(results),
            digits,
            time.perf_counter() - start,
            dps,
            shown.case if shown is not None and kind is not VerdictKind.VERIFIED else None,
            shown.evidence if shown is not None else None,
            shown.ctx if shown is not None else None,
            message or (shown.message if shown is not None else ""),
            counts,
            len(everything) - searched,
            scope,
            numeric_tier=numeric.tier if numeric is not None else None,
            numeric_reason=numeric.reason if numeric is not None else "",
        )

    if stopped is not None and stopped.outcome is Outcome.ERROR:
        return verdict(VerdictKind.ERROR, None, stopped)
    if stopped is not None:
        return _confirmed(claim, dps, stopped, budget, verdict)
    doubtful = [r for r in results if r.outcome not in (Outcome.HELD, Outcome.VACUOUS)]
    if doubtful:
        return verdict(VerdictKind.INCONCLUSIVE, None, doubtful[0])
    if not results:
        return verdict(VerdictKind.INCONCLUSIVE, None, None, "no case was generated")
    needed = min(MIN_CASES, len(results))
    if len(held) < needed:
        vacuous = next(r for r in results if r.outcome is Outcome.VACUOUS)
        note = (
            f"only {len(held)} of {len(results)} cases met the claim's hypothesis (a verdict "
            f"needs {needed}); e.g. {vacuous.message}"
        )
        return verdict(VerdictKind.INCONCLUSIVE, None, None, note)
    worst = min(held, key=lambda r: math.inf if r.digits is None else r.digits)
    tier = min(r.evidence.tier for r in held)
    numeric = _numeric(claim, held, dps[0])
    if numeric.raised:
        message = f"the exact/certified check raised {numeric.raised}"
        return verdict(VerdictKind.ERROR, tier, worst, message)
    if numeric.contradiction:
        message = f"the exact/certified check contradicts the mpmath check: {numeric.contradiction}"
        return verdict(VerdictKind.ERROR, tier, worst, message)
    symbolic = symbolic_check(claim) if symbolic is None else symbolic()
    if isinstance(symbolic, str):
        message = f"the check of derivation {claim.derivation} raised {symbolic}"
        return verdict(VerdictKind.ERROR, tier, worst, message)
    if symbolic is not None and not symbolic.ok:
        failed = "; ".join(symbolic.failures)
        return verdict(VerdictKind.INCONCLUSIVE, tier, worst, f"derivation fails: {failed}")
    if symbolic is not None and symbolic.complete:
        scope = theory.derivation(claim.derivation).scope
        return verdict(VerdictKind.VERIFIED, Tier.SYMBOLIC, worst, scope=scope, numeric=numeric)
    return verdict(VerdictKind.VERIFIED, max(tier, numeric.tier), worst, numeric=numeric)


def _numeric(claim: Claim, held: list[CaseResult], dps: int) -> NumericTier:
    """The numeric tier of the held cases, each case's part taken from its result when a
    worker computed it already (verify/casework.py), else computed here as it is needed."""
    parts = (r.numeric if r.numeric is not None else case_tier(claim, r, dps) for r in held)
    return combine_tiers(claim, min(r.evidence.tier for r in held), parts)


def _confirmed(claim: Claim, dps, stopped: CaseResult, budget, verdict) -> Verdict:
    """The verdict on a case that failed at both precisions, from its evaluation at a third,
    higher one: refuted, or inconclusive (a precision artefact, a fixed-precision check, a
    degenerate case), or error if that evaluation raised."""
    third = confirm_dps(dps)
    try:
        third_evidence, ctx_third = _confirm(claim, stopped.case, dps, budget)
    except Degenerate as exc:
        note = f"fails at {dps} digits, degenerate at {third}: {exc}"
        return verdict(VerdictKind.INCONCLUSIVE, stopped.evidence.tier, stopped, note)
    except (Exception, BudgetExceeded) as exc:
        note = f"fails at {dps} digits; the {third}-digit confirmation raised "
        return verdict(VerdictKind.ERROR, None, stopped, note + error_message(exc))
    if not third_evidence.holds(ctx_third, claim.lost_digits):
        size = fixed_precision(claim, stopped.evidence, stopped.ctx, third_evidence, ctx_third)
        if size is None:
            return verdict(VerdictKind.REFUTED, stopped.evidence.tier, stopped)
        note = (
            f"fails by {float(size):.1e} (relative) at {dps} and {third} digits alike, "
            "float64 rounding level: the check computes at a fixed precision (numpy floats "
            "or Python floats?); compute with the context it is given"
        )
        return verdict(VerdictKind.INCONCLUSIVE, stopped.evidence.tier, stopped, note)
    note = f"fails at {dps} digits but holds at {third}: precision artefact"
    return verdict(VerdictKind.INCONCLUSIVE, stopped.evidence.tier, stopped, note)
