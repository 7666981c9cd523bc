"""What travels between the driver and the workers (verify/transport.py), and what the
sweep's paths rely on in this process: a rerun search replays the cases evaluated already
(`run_claim(known=...)`), and the case budget holds off the main thread (a Dask worker's
thread pool). The sweep itself, on a cluster: tests/test_casework.py."""

from __future__ import annotations

import dataclasses
import threading
import time

import mpmath
import pytest
from hypothesis import strategies as st

from verify import at_most, conjecture, runner, transport
from verify.budget import BudgetExceeded, case_budget
from verify.precision import DEFAULT_DPS, workcontext
from verify.report.json import verdict_record


@conjecture("X_SMALL", "every n is at most 29", cases=st.integers(0, 60), status="false")
def small(n, ctx):
    return at_most(ctx.mpf(n), 29)


def test_a_rerun_search_replays_the_cases_evaluated_already():
    claim = small.claim
    drawn = runner.drawn_cases(claim, "quick", 0)
    first = next(k for k, n in enumerate(drawn) if n > 29)
    known = [runner.evaluate(claim, n, DEFAULT_DPS) for n in drawn[: first + 1]]
    calls = []
    counted = dataclasses.replace(
        claim, check=lambda n, ctx: calls.append(n) or claim.check(n, ctx)
    )
    replayed = runner.run_claim(counted, "quick", known=known)
    # only the shrinking evaluated anything (at two precisions), and the third-precision check
    assert len(calls) == 2 * replayed.shrink_steps + 1 and replayed.shrink_steps > 0
    plain = runner.run_claim(claim, "quick")
    same_claim = {"seconds": 0, "origin": "", "where": ""}  # `counted` is defined here
    assert verdict_record(replayed) | same_claim == verdict_record(plain) | same_claim
    wrong = [runner.evaluate(claim, n + 1, DEFAULT_DPS) for n in drawn[: first + 1]]
    calls.clear()
    runner.run_claim(counted, "quick", known=wrong)  # other cases: evaluated, not taken
    assert len(calls) == 2 * (replayed.shrink_steps + first + 1) + 1


def test_results_travel_with_their_context():
    ctx = workcontext(80)
    values = (ctx.mpf(1) / 3, ctx.mpc(1, 2), ctx.matrix([[1, ctx.pi]]), mpmath.mpf(2))
    result = runner.CaseResult(values, runner.Outcome.HELD, 79.0, None, ctx)
    back = transport.unpack(transport.pack(result))
    real, complex_, matrix, global_ = back.case
    assert back.ctx is not ctx and back.ctx.prec == ctx.prec
    assert real.context is back.ctx and complex_.context is back.ctx and matrix.ctx is back.ctx
    assert real._mpf_ == values[0]._mpf_ and complex_._mpc_ == values[1]._mpc_
    assert matrix[0, 1] == ctx.pi and global_.context is mpmath.mp
    with pytest.raises(transport.PackError, match="cannot send tuple"):
        transport.pack((1, lambda: 1))
    assert transport.same([1, ctx.mpf(2)], [1, ctx.mpf(2)]) and not transport.same(1, 2)


def test_the_budget_holds_off_the_main_thread():
    """A Dask worker evaluates in a thread of its pool, where SIGALRM cannot reach."""
    caught = []

    def work():
        start = time.monotonic()
        try:
            with case_budget(0.2, 50):
                while time.monotonic() - start < 10:
                    pass
        except BudgetExceeded as exc:
            caught.append((str(exc), time.monotonic() - start))
        with case_budget(0.2, 50):  # within its budget: untouched, and nothing fires later
            pass
        time.sleep(0.4)
        caught.append("after")

    def loop() -> float:
        start = time.perf_counter()
        for _ in range(300_000):
            pass
        return time.perf_counter() - start

    before = loop()
    thread = threading.Thread(target=work)
    thread.start()
    thread.join(15)
    (message, took), after = caught
    assert message.startswith("case exceeded its budget of 0.2 s at 50 digits") and took < 2
    assert after == "after"
    assert loop() < 10 * before + 0.05
    # nothing left pending in the interpreter: cancelling an asynchronous exception (with
    # NULL) once left Hypothesis stuck shrinking the next failing search after a budget fired
    drew = []
    search = threading.Thread(target=lambda: drew.append(_draw_failing()), daemon=True)
    search.start()
    search.join(20)
    assert drew == ["ZeroDivisionError"], "a search after a fired budget did not end"


@conjecture("X_DRAW", "a strategy that raises", cases=st.integers(0, 9).map(lambda n: 1 // 0))
def _raising(n, ctx):
    return True


def _draw_failing() -> str:
    try:
        runner.drawn_cases(_raising.claim, "quick", 0)
    except ZeroDivisionError as exc:
        return type(exc).__name__
    return "no error"
