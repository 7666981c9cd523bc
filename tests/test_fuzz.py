"""Degeneracy fuzzing (issue 15): hard inputs (verify/linear/hard_cases.py) against every claim
whose case is a linear network, and against `flatminima sharpness`. A proved claim must never
fail at both precisions on a valid hard case, and nothing may err without a clear reason
(over its budget is one); `sharpness` must report the exact curvature to the digits it
claims. `pytest` runs the ci size; `python tests/test_fuzz.py [CASES]` runs a bigger one and
rewrites docs/reliability.md's "Degeneracy fuzzing" section with its counts."""

from __future__ import annotations

import inspect
import sys
import time
import typing
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, fields, is_dataclass
from fractions import Fraction
from itertools import pairwise
from pathlib import Path

import mpmath
import pytest
from doc_sections import rewrite, section
from hypothesis import settings
from hypothesis import strategies as st

from verify.budget import BudgetExceeded, case_budget
from verify.catalogue import catalogue
from verify.claim import Claim, Status
from verify.dynamics.matrix import MatrixRun
from verify.dynamics.runs import MatrixFlow
from verify.linear.hard_cases import (
    CONDITION,
    GAINS,
    SCALES,
    Hard,
    hard_built,
    hard_minima,
    hard_points,
    known_curvature,
)
from verify.linear.network import LinearNetwork, column_factorization
from verify.linear.sharpness import report
from verify.precision import DEFAULT_DPS
from verify.profiles import profile_settings
from verify.report.serialize import case_source
from verify.runner import Outcome, _hypothesis, evaluate

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "reliability.md"
SAVED = Path(".flatminima") / "fuzz"
HEADING = "Degeneracy fuzzing"
CI_CASES, BIG_CASES = 8, 150  # cases per claim (and for sharpness: 4×)
BUDGET = 60.0  # seconds per case and precision

_FLATTEST = st.one_of(hard_minima(kind="balanced"), hard_minima(kind="flattest"))
HARD: dict[str, st.SearchStrategy] = {
    "H1": hard_minima(whitened=None),
    "H2": hard_minima(depth=(2, 2)),
    "H3": hard_minima(),
    "F1": hard_minima(),
    "F2": hard_minima(whitened=None),
    "F3": hard_minima(kind="balanced", whitened=False),
    "F5": _FLATTEST,
    "F5b": hard_minima(),
    "F6": _FLATTEST,
    "F7": _FLATTEST,
    "F8": _FLATTEST,
    "G1b": st.builds(MatrixFlow, hard_points(), st.just(Fraction(1, 4))),
    "G2b": st.builds(
        MatrixRun,
        hard_points(depth=(2, 5), palette=GAINS, scales=SCALES),
        st.sampled_from((Fraction(1, 50), Fraction(1, 10))),
        st.sampled_from((Fraction(0), Fraction(1, 20))),
        st.integers(1, 2),
    ),
}
NOT_FUZZED = {
    "G3b": "its case is a training problem (20 000 float64 GD steps to a weight-decay "
    "stationary point), not a given network: hard gains make that GD leave its hypothesis",
}


def _case_type(claim: Claim) -> object:
    first = next(iter(inspect.signature(claim.check).parameters))
    return typing.get_type_hints(claim.check).get(first)


def _holds_network(kind: object) -> bool:
    """A linear network, or a dataclass with a linear-network field (a dynamics case)."""
    if kind is LinearNetwork:
        return True
    return is_dataclass(kind) and LinearNetwork in typing.get_type_hints(kind).values()


def linear_network_claims() -> list[Claim]:
    """The catalogue's claims whose check takes a linear network (or a case wrapping one)."""
    return [c for c in catalogue().values() if _holds_network(_case_type(c))]


def network_of(case: object) -> LinearNetwork:
    if isinstance(case, Hard):
        return case.network
    if isinstance(case, LinearNetwork):
        return case
    return next(getattr(case, f.name) for f in fields(case) if f.name == "network")


def features(case: object) -> set[str]:
    """Which hard features a case has (the test asserts the strategies reach every one)."""
    net = network_of(case)
    entries = [abs(x) for w in net.weights for row in w for x in row]
    checks = {
        "depth 20": net.depth >= 20,
        "zero layer": any(all(x == 0 for r in w for x in r) for w in net.weights),
        "|entry| ≥ 1e29": max(entries) >= 10**29,
        "0 < |entry| ≤ 1e-29": any(0 < x <= Fraction(1, 10**29) for x in entries),
    }
    found = {name for name, reached in checks.items() if reached}
    t = net.target_rows()
    if len(column_factorization(t)[1]) < min(len(t), len(t[0])):
        found.add("rank-deficient T")
    with mpmath.workdps(120):
        if net.sigma_x is not None and len(net.sigma_x) > 1:
            values = mpmath.eigsy(mpmath.matrix(net.sigma_x))[0]
            if max(values) >= mpmath.mpf("0.99e12") * min(values):
                found.add("cond(Σx) = 1e12")
        for w in net.weights:
            m = mpmath.matrix(w)
            values = sorted(mpmath.eigsy(m.T * m)[0])
            gaps = [b - a for a, b in pairwise(values)]
            if any(0 < g <= mpmath.mpf(10) ** -38 * values[-1] for g in gaps):
                found.add("nearly repeated singular values")
    return found


FEATURES = {
    "depth 20",
    "zero layer",
    "|entry| ≥ 1e29",
    "0 < |entry| ≤ 1e-29",
    "rank-deficient T",
    "cond(Σx) = 1e12",
    "nearly repeated singular values",
}


@dataclass
class Tally:
    """One target's fuzzing: outcomes of the cases run, wrong verdicts, features reached."""

    name: str
    outcomes: Counter = field(default_factory=Counter)
    wrong: list[str] = field(default_factory=list)
    features: set[str] = field(default_factory=set)
    counterexample: object = None
    seconds: float = 0.0
    distinct: set[str] = field(default_factory=set)  # repr of every case run

    @property
    def cases(self) -> int:
        return sum(self.outcomes.values())


class _Wrong(Exception):
    """Raised so that Hypothesis shrinks a case with a wrong verdict."""

    def __init__(self, case: object, reason: str):
        super().__init__(reason)
        self.case = case


Examine = Callable[[object], tuple[str, str | None]]


def judge(claim: Claim, case: object, budget: float = BUDGET) -> tuple[str, str | None]:
    """The case's outcome and, if it is a wrong verdict, why: a proved claim failing at both
    precisions, or an error that is not a budget overrun (an internal error on a valid case)."""
    result = evaluate(claim, case, DEFAULT_DPS, budget)
    if result.outcome is Outcome.FAILED and claim.status is Status.PROVED:
        return result.outcome.value, f"a proved claim fails at both precisions: {result.message}"
    if result.outcome is Outcome.ERROR and not result.over_budget:
        return result.outcome.value, f"error on a valid case: {result.message}"
    return result.outcome.value, None


def fuzz(
    name: str, strategy: st.SearchStrategy, examine: Examine, cases: int, seed: int = 0
) -> Tally:
    """Run `examine` on `cases` draws of `strategy`; a wrong verdict stops the run and is
    shrunk by Hypothesis (the shrunk case is kept in `counterexample`)."""
    tally, start = Tally(name), time.perf_counter()

    def body(case):
        outcome, wrong = examine(case)
        if tally.counterexample is None and not tally.wrong:
            tally.outcomes[outcome] += 1
            tally.features |= features(case)
            tally.distinct.add(repr(case))
        if wrong:
            tally.wrong.append(wrong)
            raise _Wrong(case, wrong)

    probe = Claim(name, name, "fuzz", Status.OPEN, strategy, lambda case, ctx: True)
    chosen = settings(profile_settings("ci"), max_examples=cases)
    try:
        _hypothesis(probe, body, chosen, seed)
    except _Wrong as found:  # the last raise is Hypothesis replaying the shrunk case
        tally.counterexample = found.case
        SAVED.mkdir(parents=True, exist_ok=True)
        (SAVED / f"{name}.py").write_text(case_source(network_of(found.case)) + f"# {found}\n")
    tally.seconds = time.perf_counter() - start
    return tally


def _number(text: str | None):
    return None if text is None else mpmath.mpf(text)


def _close(reported, exact, digits: float) -> bool:
    """`reported` (a decimal string's value) has the true digits it claims, within two."""
    exact = (
        mpmath.mpf(exact.numerator) / exact.denominator if isinstance(exact, Fraction) else exact
    )
    return abs(reported - exact) <= mpmath.mpf(10) ** (2 - digits) * abs(exact)


def examine_sharpness(case: Hard | LinearNetwork) -> tuple[str, str | None]:
    """`sharpness` on a hard minimum (against its exact curvature) or a hard point (it must
    not be taken for a minimum): "held" when every reported number is right."""
    net = network_of(case)
    try:
        with case_budget(BUDGET, DEFAULT_DPS[1]):
            out = report(net, DEFAULT_DPS)
    except BudgetExceeded:
        return "error", None
    except Exception as exc:
        return "error", f"sharpness raised {type(exc).__name__}: {exc}"
    minimum = net.product_rows() == net.target_rows()
    if out["is_global_minimum"] != minimum:
        return "failed", f"is_global_minimum = {out['is_global_minimum']}, exactly {minimum}"
    if not isinstance(case, Hard):
        return "held", None
    known, digits = known_curvature(case), out["digits"]
    with mpmath.workdps(3 * DEFAULT_DPS[1]):
        checks = {
            "lambda_max": _close(_number(out["lambda_max"]), known.lambda_max, digits),
            "trace": _close(_number(out["trace"]), known.trace, digits),
            "layer_norms": all(
                _close(_number(x), y, digits)
                for x, y in zip(out["layer_norms"], known.layer_norms, strict=True)
            ),
        }
        flat, n = _number(out["flattest"]), net.depth
        if known.sigma1 == 0:
            checks["flattest"] = flat is None
        elif net.whitened:
            s1 = mpmath.mpf(known.sigma1.numerator) / known.sigma1.denominator
            checks["flattest"] = flat is not None and _close(
                flat, n * s1 ** (2 - mpmath.mpf(2) / n), digits
            )
        else:  # F2's value is no closed form here: it must exist and bound λ_max (F2)
            lam = _number(out["lambda_max"])
            checks["flattest"] = flat is not None and flat <= lam * (1 + 10 ** (2 - digits))
    bad = [k for k, ok in checks.items() if not ok]
    if bad:
        return "failed", f"wrong {', '.join(bad)} (claims {digits} digits): {out}"
    return "held", None


SHARPNESS = st.one_of(hard_built(whitened=None, aligned=True), hard_points())


def run_all(cases: int, seed: int = 0) -> list[Tally]:
    """Every fuzzed claim (catalogue order), then `sharpness` with 4× the cases."""
    claims = {c.id: c for c in linear_network_claims()}
    tallies = [
        fuzz(cid, HARD[cid], lambda case, c=claims[cid]: judge(c, case), cases, seed)
        for cid in claims
        if cid in HARD
    ]
    return [*tallies, fuzz("sharpness", SHARPNESS, examine_sharpness, 4 * cases, seed)]


COLUMNS = ("held", "degenerate", "vacuous", "disagree", "failed", "error")


def counts_table(tallies: list[Tally]) -> str:
    """The generated table: one row per target, outcome counts, wrong verdicts, seconds."""
    claims = {c.id: c for c in catalogue().values()}
    lines = [
        "| target | status | cases | distinct | "
        + " | ".join(COLUMNS)
        + " | wrong verdicts | time |",
        "|---|---|---|---|" + "---|" * len(COLUMNS) + "---|---|",
    ]
    for t in tallies:
        status = claims[t.name].status.value if t.name in claims else "command"
        row = " | ".join(str(t.outcomes.get(c, 0)) for c in COLUMNS)
        lines.append(
            f"| {t.name} | {status} | {t.cases} | {len(t.distinct)} | {row} | {len(t.wrong)} "
            f"| {t.seconds:.0f} s |"
        )
    total = sum(t.cases for t in tallies)
    wrong = sum(len(t.wrong) for t in tallies)
    lines += ["", f"**{total} fuzz cases run, {wrong} wrong verdicts.**"]
    return "\n".join(lines)


TABLE_START = "| target | status | cases |"


def render(tallies_table: str, cases: int) -> str:
    """The docs section: fixed text (docs/reliability.md) with the generated counts table."""
    text = section(DOC.read_text(encoding="utf-8"), HEADING)
    head, _, rest = text.partition(TABLE_START)
    tail = rest.partition("wrong verdicts.**")[2]
    head = head.replace(head[head.index("Counts of ") :].split("\n")[0], _counts_line(cases))
    return head + tallies_table + tail


def _counts_line(cases: int) -> str:
    return (
        f"Counts of `python tests/test_fuzz.py {cases}` ({cases} cases per claim, "
        f"{4 * cases} for `sharpness`, seed 0):"
    )


# ---------------------------------------------------------------------------------------------


def _net(*layers, sigma=None, target=None) -> LinearNetwork:
    return LinearNetwork(tuple(tuple(map(tuple, w)) for w in layers), sigma, target)


_E30, _E40, _I = Fraction(10**30), Fraction(1, 10**40), ((1, 0), (0, 1))
_ROT = ((Fraction(-5, 13), Fraction(-12, 13)), (Fraction(12, 13), Fraction(-5, 13)))
_A, _B, _D = (
    Fraction(*p)
    for p in (
        (562500000001, 1562500000000),
        (2999999999997, 6250000000000),
        (16000000000009, 25000000000000),
    )
)
_SIGMA_1E12 = ((_A, _B), (_B, _D))  # Q diag(1, 1e-12) Qᵀ, Q a rotation: condition 1e12
_SIGMA_1E12_B = ((_A, -_B), (-_B, _D))  # the same, rotated the other way
# What fuzzing found (docs/reliability.md): each a wrong verdict before its fix.
FOUND = {
    "F6: path residuals of 1e30-size terms against an absolute tolerance": (
        "F6",
        _net(
            ((1, 0), (0, _E30)), ((_ROT[0][0], _ROT[0][1] * _E30), (_ROT[1][0], _ROT[1][1] * _E30))
        ),
    ),
    "H1: Σx of condition 1e12 meets a row of 1e30 (12 digits lost, beyond the guard's 10)": (
        "H1",
        _net(
            ((Fraction(-3, 5), Fraction(-4, 5)), (-8 * _E30 / 10, 6 * _E30 / 10)),
            ((1, 0),),
            sigma=_SIGMA_1E12,
        ),
    ),
    "F2: Cholesky of CᵀC for T = diag(1, 1e-60)": (
        "F2",
        _net(((1, 0), (0, 1 / _E30)), ((1, 0), (0, 1 / _E30))),
    ),
    "F2: a float64 tie between σ = 1 and 1 + 1e-40": (
        "F2",
        _net(((1, 0), (0, 1 + _E40)), ((1, 0), (0, 1 + _E40))),
    ),
    "F2: stationarity of Σx of condition 1e12 against size 1": (
        "F2",
        _net(
            _I,
            _I,
            sigma=_SIGMA_1E12_B,
        ),
    ),
    "F2: T with σ1 ~ 1e-120 taken for T = 0 by the float64 start": (
        "F2",
        _net(*[((Fraction(1, 10**6),),)] * 20, sigma=((1 / CONDITION,),)),
    ),
}


@pytest.mark.parametrize("what", FOUND)
def test_what_fuzzing_found_is_fixed(what):
    claim_id, case = FOUND[what]
    outcome, wrong = judge(catalogue()[claim_id], case)
    assert wrong is None and outcome == "held", (outcome, wrong)


def test_sharpness_decides_a_minimum_exactly_at_tiny_scales():
    """Weights 1e-30 with T = 0: P = 1e-60 ≠ T, not a minimum (was taken for one)."""
    point = _net(((1 / _E30,),), ((1 / _E30,),), target=((0,),))
    assert examine_sharpness(point) == ("held", None)
    assert report(point, DEFAULT_DPS)["is_global_minimum"] is False


def test_the_fuzzed_claims_are_every_linear_network_claim_of_the_catalogue():
    ids = {c.id for c in linear_network_claims()}
    assert {"H1", "F1", "F6", "G2b"} <= ids  # the derivation from case types finds them
    assert set(HARD) | set(NOT_FUZZED) == ids, "a linear-network claim with no hard strategy"
    assert not set(HARD) & set(NOT_FUZZED)


@pytest.fixture(scope="module")
def ci_run() -> list[Tally]:
    return run_all(CI_CASES)


def test_no_wrong_verdict_at_ci_size(ci_run):
    for tally in ci_run:
        assert not tally.wrong, (tally.name, tally.wrong, tally.counterexample)
    assert all(t.cases >= CI_CASES for t in ci_run)


def test_the_false_claims_fail_on_hard_cases_too(ci_run):
    """A false claim must not come out verified on hard inputs: each fails on some case."""
    false = {c.id for c in linear_network_claims() if c.status is Status.FALSE}
    assert false == {"F3", "F7"}
    assert all(t.outcomes["failed"] > 0 for t in ci_run if t.name in false)


def test_the_strategies_reach_every_hard_feature(ci_run):
    reached = set().union(*(t.features for t in ci_run))
    assert reached >= FEATURES, FEATURES - reached


def test_the_oracle_sees_a_wrong_verdict():
    """A claim that is false on hard cases (λ_max ≤ 1e20, wrong at gains 1e30) is caught."""
    from verify.linear import curvature as cv

    def bounded(case, ctx):
        from verify.evidence import at_most

        return at_most(cv.sharpness(case.at(ctx)), 10**20)

    claim = Claim("Z", "λ_max ≤ 1e20", "test", Status.PROVED, HARD["H2"], bounded)
    tally = fuzz("Z", HARD["H2"], lambda case: judge(claim, case), 30)
    assert tally.wrong and "fails at both precisions" in tally.wrong[0]
    assert max(abs(x) for w in tally.counterexample.weights for r in w for x in r) >= 10**29


def test_sharpness_oracle_rejects_a_wrong_value(monkeypatch):
    import verify.linear.sharpness as sh

    hard = Hard(_net(((2,),), ((2,),)), ((Fraction(2),), (Fraction(2),)), None)
    assert examine_sharpness(hard) == ("held", None)  # λ_max = tr H = 8, flattest 4 (N σ1)
    monkeypatch.setattr(sh.cv, "trace_formula", lambda net: 2 * net.ctx.one)
    outcome, wrong = examine_sharpness(hard)
    assert outcome == "failed" and "trace" in wrong


def test_docs_section_lists_the_fuzzed_targets_with_no_wrong_verdict():
    text = section(DOC.read_text(encoding="utf-8"), HEADING)
    assert text, f"docs/reliability.md has no '{HEADING}' section"
    table = TABLE_START + text.partition(TABLE_START)[2].partition("\n\n")[0]
    rows = [line.split(" | ")[0][2:] for line in table.splitlines()[2:]]  # below the header
    expected = [c.id for c in linear_network_claims() if c.id in HARD]
    assert rows == [*expected, "sharpness"], "run `python tests/test_fuzz.py`"
    assert ", 0 wrong verdicts.**" in text


if __name__ == "__main__":
    size = int(sys.argv[1]) if len(sys.argv) > 1 else BIG_CASES
    tallies = run_all(size)
    for t in tallies:
        print(f"{t.name:>9}: {t.cases} cases {dict(t.outcomes)} wrong {t.wrong} {t.seconds:.0f} s")
        if t.counterexample is not None:
            print(f"{'':>11}shrunk counterexample: {SAVED / t.name}.py")
    rewrite(DOC, HEADING, render(counts_table(tallies), size))
    print(f"wrote {DOC.relative_to(ROOT)}")
    sys.exit(1 if any(t.wrong for t in tallies) else 0)
