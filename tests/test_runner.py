"""The runner can fail: negative controls, precision artefacts, degenerate and erroring checks."""

import json
import re

import pytest
from hypothesis import strategies as st

from verify import cases, scalar
from verify.claim import Claim, Status
from verify.errors import ROOT, FlatminimaError, InvalidClaim
from verify.evidence import Degenerate, equal
from verify.precision import Tier, check_dps, exact
from verify.report.json import results_document
from verify.runner import VerdictKind, run_claim


def imbalance_unchanged_by_gd(case, ctx):
    """Deliberately wrong (G2 says D shrinks by η²g²Π w_k²): D_12 is unchanged by a GD step."""
    ws, t = case.network.at(ctx), case.network.target_at(ctx)
    eta = exact(ctx, case.step)
    after = scalar.imbalances(scalar.gd_step(ctx, ws, t, eta))
    return equal(after[(0, 1)], scalar.imbalances(ws)[(0, 1)], "D_12 unchanged")


ONE_CASE = st.just(0)


def claim(check, cases_=ONE_CASE, status=Status.OPEN):
    return Claim("T1", "test claim", "tests", status, cases_, check)


def test_a_claim_needs_a_strategy_and_a_callable_check():
    with pytest.raises(
        InvalidClaim, match=r"^claim T1: cases must be a Hypothesis strategy .*not list$"
    ):
        claim(lambda _, ctx: True, [1, 2])
    with pytest.raises(FlatminimaError, match=r"^claim T1: check must be callable, not str$"):
        claim("n < 3")
    assert issubclass(InvalidClaim, TypeError)


def test_wrong_claim_is_refuted_with_a_shrunk_counterexample():
    verdict = run_claim(claim(imbalance_unchanged_by_gd, cases.scalar_runs(), Status.FALSE))
    assert verdict.verdict is VerdictKind.REFUTED
    assert verdict.as_expected
    example = verdict.counterexample
    assert example.network.depth == 2  # shrunk from depths up to 6
    assert example.steps == 1
    assert verdict.digits > 40
    assert "D_12 unchanged" in verdict.message


def test_precision_artefact_is_not_reported_as_a_counterexample():
    # (10^100 + 1) - 10^100 = 1 is lost below 101 digits: fails at 50 and 80, holds at 160.
    def cancellation(_, ctx):
        big = ctx.mpf(10) ** 100
        return equal((big + 1) - big, 1)

    verdict = run_claim(claim(cancellation))
    assert verdict.verdict is VerdictKind.INCONCLUSIVE
    assert "precision artefact" in verdict.message
    assert verdict.tier is Tier.MPMATH and verdict.evidence is not None  # the failing check's


def test_disagreeing_precisions_are_inconclusive():
    def cancellation(_, ctx):
        big = ctx.mpf(10) ** 60  # lost at 50 digits, kept at 80
        return equal((big + 1) - big, 1)

    verdict = run_claim(claim(cancellation))
    assert verdict.verdict is VerdictKind.INCONCLUSIVE
    assert verdict.outcomes["disagree"] >= 1


def test_degenerate_cases_are_inconclusive():
    def singular(_, ctx):
        raise Degenerate("singular data")

    verdict = run_claim(claim(singular))
    assert verdict.verdict is VerdictKind.INCONCLUSIVE
    assert "singular data" in verdict.message


def test_raising_check_is_an_error_and_never_as_expected():
    def broken(_, ctx):
        raise ZeroDivisionError("oops")

    verdict = run_claim(claim(broken, status=Status.PAPER))
    assert verdict.verdict is VerdictKind.ERROR
    assert not verdict.as_expected
    # Raised outside verify/ and theory/: the innermost frame, this file, the `raise` line.
    where = f"{__file__}:{broken.__code__.co_firstlineno + 1}"
    assert verdict.message == f"{where}: ZeroDivisionError: oops"


def test_an_error_inside_flatminima_names_its_file_and_line_relative_to_the_root():
    def bad_precision(_, ctx):
        return check_dps((50, 40))  # raises in verify/precision.py

    verdict = run_claim(claim(bad_precision))
    assert verdict.verdict is VerdictKind.ERROR
    found = re.fullmatch(r"(verify/precision\.py):(\d+): PrecisionError: (.*)", verdict.message)
    assert found is not None, verdict.message
    assert found[3] == "second precision (40) must exceed the first (50)"
    raising = (ROOT / found[1]).read_text().splitlines()[int(found[2]) - 1]
    assert "raise PrecisionError" in raising


def test_wrong_return_type_is_an_error_naming_the_type():
    verdict = run_claim(claim(lambda _, ctx: "fine"))
    assert verdict.verdict is VerdictKind.ERROR
    assert "not str" in verdict.message


def test_true_claim_is_verified_with_digits_and_values():
    def third(_, ctx):
        return equal(3 * (ctx.one / 3), 1)

    verdict = run_claim(claim(third, status=Status.PROVED))
    assert verdict.verdict is VerdictKind.VERIFIED
    assert verdict.cases >= 1
    assert 45 < verdict.digits <= 50


def test_results_document_follows_the_schema():
    verdict = run_claim(claim(imbalance_unchanged_by_gd, cases.scalar_runs(), Status.FALSE))
    document = results_document([verdict], "quick", 0)
    (record,) = document["claims"]
    keys = {"id", "status", "verdict", "tier", "cases", "digits", "seconds"}
    assert keys | {"counterexample", "values"} <= record.keys()
    assert record["verdict"] == "refuted"
    assert record["counterexample"]["network"]["weights"][0] in {"1", "-1"}
    assert all(isinstance(v, str) for v in record["values"].values())
    assert document["summary"]["refuted"] == 1


def test_counterexample_is_saved_as_json(tmp_path):
    import json

    from verify.report.json import save_counterexample, verdict_record

    verdict = run_claim(claim(imbalance_unchanged_by_gd, cases.scalar_runs(), Status.FALSE))
    path = save_counterexample(verdict_record(verdict), tmp_path / "cx")
    saved = json.loads(path.read_text())
    assert path.name == "T1.json"
    assert saved["counterexample"]["steps"] == 1


def below_a_thousand(case, ctx):
    return case < 1000


def test_registered_examples_run_first_in_every_profile():
    # The strategy never draws 10^6; only the registered example can refute the claim.
    found = Claim("T2", "n < 1000", "tests", Status.OPEN, st.integers(0, 999), below_a_thousand)
    assert run_claim(found).verdict is VerdictKind.VERIFIED
    kept = Claim(
        "T2",
        "n < 1000",
        "tests",
        Status.OPEN,
        st.integers(0, 999),
        below_a_thousand,
        examples=(10**6,),
    )
    for profile in ("quick", "ci"):
        verdict = run_claim(kept, profile)
        assert verdict.verdict is VerdictKind.REFUTED
        assert verdict.counterexample == 10**6
        assert verdict.cases == 1  # checked before the search


def test_a_confirmation_that_raises_is_this_claims_error():
    """Fails at 50 and 80 digits, raises at the 160-digit confirmation: an error verdict naming
    it (the run of the other claims goes on), never a crash of the whole run."""

    def check(case, ctx):
        if ctx.dps > 100:
            raise RuntimeError("no memory at this precision")
        return False

    verdict = run_claim(claim(check))
    assert verdict.verdict is VerdictKind.ERROR and not verdict.as_expected
    assert "the 160-digit confirmation raised" in verdict.message
    assert verdict.counterexample == 0 and verdict.evidence is not None  # the case that failed
    where = f"{__file__}:{check.__code__.co_firstlineno + 2}"  # the raise, not the runner
    assert verdict.message.endswith(f"{where}: RuntimeError: no memory at this precision")


def test_a_confirmation_that_is_degenerate_is_inconclusive():
    def check(case, ctx):
        if ctx.dps > 100:
            raise Degenerate("singular at 160 digits")
        return False

    verdict = run_claim(claim(check))
    assert verdict.verdict is VerdictKind.INCONCLUSIVE
    assert "degenerate at 160" in verdict.message


def test_a_search_that_raises_is_this_claims_error():
    drawn = st.integers().map(lambda n: 1 // (n - n))  # raises while drawing the case
    verdict = run_claim(claim(lambda case, ctx: True, drawn))
    assert verdict.verdict is VerdictKind.ERROR
    assert verdict.message.startswith("the search raised ")
    assert "ZeroDivisionError" in verdict.message
    assert 0 <= verdict.seconds < 60  # timed like any verdict (report.json needs a number)


def test_a_derivation_check_that_raises_is_this_claims_error(monkeypatch):
    import verify.runner

    def broken(claim_id):
        raise ValueError(f"cannot simplify {claim_id}")

    monkeypatch.setattr(verify.runner, "_derivation_check", broken)
    with_derivation = Claim(
        "T1", "s", "tests", Status.PROVED, ONE_CASE, lambda c, x: True, derivation="H4"
    )
    verdict = run_claim(with_derivation)
    assert verdict.verdict is VerdictKind.ERROR
    assert "the check of derivation H4 raised" in verdict.message
    assert "ValueError: cannot simplify H4" in verdict.message


CONFIRMATION_RAISES = """
from hypothesis import strategies as st
from verify import conjecture

@conjecture("Y3", "breaks at 160 digits", cases=st.just(0))
def breaks(case, ctx):
    if ctx.dps > 100:
        raise MemoryError("too precise")
    return False

@conjecture("Y4", "fine", cases=st.just(0))
def fine(case, ctx):
    return True
"""


def test_one_claim_raising_late_does_not_stop_the_run(tmp_path, capsys):
    from verify.cli import main

    path = tmp_path / "conj_late.py"
    path.write_text(CONFIRMATION_RAISES)
    results = tmp_path / "r.json"
    argv = ["verify", "--conjectures", str(path), "--workers", "1"]
    assert main([*argv, "--json", str(results)]) == 1
    records = {r["id"]: r for r in json.loads(results.read_text())["claims"]}
    assert records["Y3"]["verdict"] == "error" and "confirmation raised" in records["Y3"]["message"]
    assert records["Y4"]["verdict"] == "verified"


# Precision leaks: a true identity computed outside the given context must not be refuted.
PRECISION_LEAKS = """
from fractions import Fraction

import mpmath as mp
import numpy as np
from verify import cases, conjecture, equal
from hypothesis import strategies as st

POSITIVE = st.fractions(Fraction(1, 3), 5, max_denominator=9)

@conjecture("L1", "sqrt(x)^2 = x, written with the global mpmath context", cases=POSITIVE)
def mp_style(x, ctx):
    q = mp.mpf(x.numerator) / x.denominator
    return equal(mp.sqrt(q) ** 2, q)

@conjecture("L2", "sqrt(x)^2 = x, written with numpy floats", cases=POSITIVE)
def numpy_style(x, ctx):
    return equal(np.sqrt(float(x)) ** 2, float(x))

@conjecture("L3", "sqrt(x)^2 = x + 1/10 (false), with numpy floats", cases=POSITIVE)
def numpy_false(x, ctx):
    return equal(np.sqrt(float(x)) ** 2, float(x) + 0.1)

@conjecture("L4", "sqrt(x)^2 = x (1 + 10^-30) (false by 1e-30), at working precision",
            cases=POSITIVE)
def tiny_but_real(x, ctx):
    q = ctx.mpf(x.numerator) / x.denominator
    return equal(ctx.sqrt(q) ** 2, q * (1 + ctx.mpf(10) ** -30))
"""


@pytest.fixture(scope="module")
def leaks(tmp_path_factory):
    from verify.conjectures import load

    path = tmp_path_factory.mktemp("leaks") / "conj_leaks.py"
    path.write_text(PRECISION_LEAKS)
    loaded = load([path])
    assert not loaded.errors, loaded.errors
    return {c.id: c for c in loaded.claims}


def test_mp_style_code_works_at_the_checks_precision(leaks):
    verdict = run_claim(leaks["L1"])
    assert verdict.verdict is VerdictKind.VERIFIED and verdict.digits > 40, verdict.message


def test_a_float64_computation_of_a_true_identity_is_not_refuted(leaks):
    verdict = run_claim(leaks["L2"])
    assert verdict.verdict is VerdictKind.INCONCLUSIVE, verdict.message
    assert "fixed precision (numpy floats or Python floats?)" in verdict.message


def test_float64_checks_still_refute_what_is_false_by_more(leaks):
    assert run_claim(leaks["L3"]).verdict is VerdictKind.REFUTED


def test_a_tiny_violation_computed_at_working_precision_is_refuted(leaks):
    assert run_claim(leaks["L4"]).verdict is VerdictKind.REFUTED


def test_cases_count_the_search_and_shrink_steps_are_apart():
    calls = []
    false = claim(imbalance_unchanged_by_gd, cases.scalar_runs(), Status.FALSE)
    verdict = run_claim(false, on_case=lambda: calls.append(1))
    assert verdict.verdict is VerdictKind.REFUTED
    assert 1 <= verdict.cases <= 12  # the quick profile draws 12 cases; the 12th may fail
    assert verdict.shrink_steps > 0 and verdict.cases + verdict.shrink_steps == len(calls)
    assert sum(verdict.outcomes.values()) == verdict.cases
    held = run_claim(claim(lambda case, ctx: True, st.integers()))
    assert held.cases == 12 and held.shrink_steps == 0


def test_vacuous_cases_are_counted_apart_and_a_verdict_needs_enough_others():
    from verify.evidence import Vacuous

    def odd_only(n, ctx):
        if n % 2 == 0:
            raise Vacuous("even: outside the hypothesis")
        return True

    verdict = run_claim(claim(odd_only, st.integers(0, 10**6)))
    assert verdict.verdict is VerdictKind.VERIFIED
    assert verdict.outcomes["vacuous"] > 0 and verdict.outcomes["held"] >= 3

    def never(n, ctx):
        raise Vacuous("no run converged")

    nothing = run_claim(claim(never, st.integers()))
    assert nothing.verdict is VerdictKind.INCONCLUSIVE
    assert nothing.message.startswith("only 0 of 12 cases met the claim's hypothesis")
    one = run_claim(claim(odd_only, st.sampled_from([1, 2, 4, 6])))
    assert one.verdict is VerdictKind.INCONCLUSIVE and "(a verdict needs 3)" in one.message


def test_a_symbolic_tier_states_its_scope():
    from verify.catalogue import select
    from verify.report.json import verdict_record
    from verify.report.serialize import tier_text

    (h4,) = select(["H4"])
    record = verdict_record(run_claim(h4))
    assert record["tier"] == "symbolic" and record["scope"] == "all sizes"  # symbolic N
    assert record["numeric_tier"] == "exact"  # its cases decided over ℚ too (h4_exact)
    assert tier_text(record) == "symbolic (all sizes) + exact"
    numeric = verdict_record(run_claim(claim(lambda case, ctx: True)))
    assert numeric["scope"] is None and tier_text(numeric) == "mpmath"
    assert (
        numeric["numeric_tier"] == "mpmath"
        and "no exact or certified" in (numeric["numeric_tier_reason"])
    )
    (g1b,) = select(["G1b"])
    assert g1b.derivation == "G1b"  # its own: any depth, widths and Σx, as its cases


def test_an_exception_without_a_traceback_is_named_by_its_type_alone():
    from verify.runner import error_message

    assert error_message(ValueError("no data")) == "ValueError: no data"


def test_float64_diagnosis_counts_failures_with_the_claims_own_lost_digits():
    # A claim that may lose 30 digits: at the 160-digit confirmation a residual of 10^-140 is
    # within its tolerance (10^-130), so only the float64-level failure (10^-16 at both
    # precisions) is left, and the failure is diagnosed as float64 rounding.
    from verify.evidence import evidence
    from verify.precision import workcontext
    from verify.runner import fixed_precision

    def found(_, ctx):
        rounding = ctx.mpf(10) ** -16
        return evidence(equal(1 + rounding, 1), equal(ctx.mpf(10) ** -140, 0))

    tolerant = Claim("T1", "test claim", "tests", Status.OPEN, ONE_CASE, found, lost_digits=30)

    high, third = workcontext(80), workcontext(160)
    size = fixed_precision(tolerant, found(0, high), high, found(0, third), third)
    assert size is not None and abs(float(size) - 1e-16) < 1e-20


def test_the_higher_precision_gets_the_case_budget_too():
    import time

    from verify.runner import Outcome, evaluate

    def slow_when_precise(case, ctx):
        if ctx.dps > 60:
            time.sleep(1)  # fast at 50 digits, past the budget at 80
        return True

    result = evaluate(claim(slow_when_precise), 0, (50, 80), budget=0.05)
    assert result.outcome is Outcome.ERROR and result.over_budget
    assert "budget of 0.05 s at 80 digits" in result.message


def test_an_inconclusive_verdict_shows_the_degenerate_case():
    def singular(case, ctx):
        raise Degenerate("singular data")

    verdict = run_claim(claim(singular, st.just(7)))
    assert verdict.verdict is VerdictKind.INCONCLUSIVE
    assert verdict.counterexample == 7 and verdict.outcomes["degenerate"] == 1


def test_a_case_classified_differently_keeps_its_higher_precision_evidence():
    from verify.evidence import observed
    from verify.population import CONTRADICTS, SUPPORTS, Observation
    from verify.runner import Outcome, evaluate

    def flips(case, ctx):
        outcome = SUPPORTS if ctx.dps < 60 else CONTRADICTS
        return observed(Observation(outcome, {"effect": (0.0, -1.0, 1.0)}), effect=ctx.one)

    result = evaluate(claim(flips), 0, (50, 80))
    assert result.outcome is Outcome.DISAGREE
    assert result.evidence.observation.outcome == CONTRADICTS and result.ctx.dps == 80


def test_a_failing_derivation_makes_the_verdict_inconclusive_naming_its_failures(monkeypatch):
    from types import SimpleNamespace

    import verify.runner
    from verify.precision import Tier

    failing = SimpleNamespace(ok=False, complete=True, failures=["step 1", "step 3"])
    monkeypatch.setattr(verify.runner, "_derivation_check", lambda claim_id: failing)
    with_derivation = Claim(
        "T1", "s", "tests", Status.PROVED, ONE_CASE, lambda c, ctx: True, derivation="H4"
    )
    verdict = run_claim(with_derivation)
    assert verdict.verdict is VerdictKind.INCONCLUSIVE
    assert verdict.message == "derivation fails: step 1; step 3"
    assert verdict.tier is Tier.MPMATH  # the numeric evidence keeps its tier, not symbolic
