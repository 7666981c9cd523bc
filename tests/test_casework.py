"""The cases of a claim in batches on Dask workers (verify/casework.py, verify/transport.py):
each path the driver can take gives the record the serial run gives, apart from "seconds":
a claim whose cases all pass, one refuted (its search rerun on a worker, the cases evaluated
already replayed), one whose check raises, one stopped by its case budget, a statistical
claim whose vacuous experiments need a second wave, a search that raises while drawing, and a
case that cannot be sent (the claim runs whole on a worker)."""

from __future__ import annotations

import pytest

from verify import runner
from verify import workers as parallel
from verify.casework import BATCH_SECONDS, Sweep, batch_seconds, batch_size
from verify.catalogue import catalogue, select
from verify.conjectures import load
from verify.precision import DEFAULT_DPS
from verify.report.json import verdict_record

CONJECTURES = """
import time
from hypothesis import strategies as st
from verify import Rule, Vacuous, at_most, conjecture, equal, observed
from verify.population import tendency

BOX = lambda n: (n, lambda: n)  # a case pickle cannot send


@conjecture("X_SQUARE", "(n + 1)² = n² + 2n + 1", cases=st.integers(-50, 50))
def square(n, ctx):
    return equal((ctx.mpf(n) + 1) ** 2, ctx.mpf(n) ** 2 + 2 * n + 1)


@conjecture("X_SMALL", "every n is at most 29", cases=st.integers(0, 60), status="false")
def small(n, ctx):
    return at_most(ctx.mpf(n), 29)


@conjecture("X_RAISES", "a check that raises past 40", cases=st.integers(0, 60))
def raises(n, ctx):
    if n > 40:
        raise ValueError("n is too large for this check")
    return True


@conjecture("X_SLOW", "a check slow on 7", cases=st.integers(0, 9), examples=[1, 2, 7, 3])
def slow(n, ctx):
    if n == 7:
        time.sleep(5)
    return True


RULE = Rule(effect="n", supports="n > 0", threshold=0.5)


@conjecture("X_WAVES", "positive, most of the time", cases=st.integers(0, 30), rule=RULE)
def waves(n, ctx):
    if n % 3 == 0:
        raise Vacuous("a multiple of 3")
    return observed(tendency({"n": (float(n), n - 1.0, n + 1.0)}, 0.5, "n"))


@conjecture("X_DRAW", "a strategy that raises", cases=st.integers(0, 9).map(lambda n: 1 // 0))
def draw(n, ctx):
    return True


@conjecture("X_BOXED", "boxed integers are themselves", cases=st.integers(0, 9).map(BOX))
def boxed(case, ctx):
    return case[1]() == case[0]
"""
BUDGET = 1.0


@pytest.fixture(scope="module")
def claims(tmp_path_factory):
    path = tmp_path_factory.mktemp("conj") / "conj_paths.py"
    path.write_text(CONJECTURES, encoding="utf-8")
    return path, load([path]).claims


@pytest.fixture(scope="module")
def client():
    client = parallel.local_client(2)
    try:
        yield client
    finally:
        parallel.close(client)


def _untimed(record: dict) -> dict:
    return {k: v for k, v in record.items() if k != "seconds"}


def test_every_path_of_the_sweep_gives_the_serial_record(claims, client):
    path, found = claims
    extra = select(["H4", "F7"])  # a derivation task; a refuted catalogue claim
    every = [*found, *extra]
    sweep = Sweep(client, every, [path], "quick", DEFAULT_DPS, 0, BUDGET)
    whole, sent = [], []
    send, rerun = sweep._send, sweep._whole
    sweep._send = lambda job, count: sent.append(job.claim.id) or send(job, count)
    sweep._whole = lambda job, known=(): (
        whole.append((job.claim.id, len(known))) or rerun(job, known)
    )
    records = sweep.run()
    serial = [verdict_record(runner.run_claim(c, "quick", budget=BUDGET)) for c in every]
    assert [_untimed(r) for r in records] == [_untimed(r) for r in serial]
    kinds = {r["id"]: (r["verdict"], r["cases"]) for r in records}
    assert kinds["X_SQUARE"][0] == "verified" and kinds["H4"][0] == "verified"
    assert kinds["X_SMALL"][0] == "refuted" and records[1]["counterexample"] == 30
    assert kinds["X_RAISES"][0] == "error" and kinds["X_SLOW"] == ("error", 3)
    assert kinds["X_WAVES"][0] == "verified" and kinds["X_WAVES"][1] > 8  # vacuous ones too
    assert kinds["X_DRAW"] == ("error", 0) and kinds["X_BOXED"][0] == "verified"
    # the paths taken: reruns of the failing searches with what was evaluated, the unsendable
    # case whole, the statistical claim in waves, the others decided from their batches
    reruns = dict(whole)
    assert reruns.keys() == {"X_SMALL", "X_RAISES", "F7", "X_BOXED"}, whole
    assert reruns["X_BOXED"] == 0 and min(reruns[k] for k in ("X_SMALL", "X_RAISES", "F7")) > 0
    assert sent.count("X_WAVES") >= 2 and sent.count("X_SQUARE") == 1


def test_cases_go_in_batches_as_large_as_the_balance_of_the_workers_allows():
    fast, slow = select(["H4", "P5"])
    assert batch_size(fast, "quick") >= 12  # H4's 12 cases take ~0.1 s: one task
    assert batch_size(slow, "quick") == 1  # P5's experiments take ~10 s each
    # alone on two workers P5 is split in half; among the whole catalogue (~340 s) each
    # claim is one batch, as the workers are kept busy by the claims themselves
    alone = batch_seconds([slow], "quick", 2)
    assert batch_size(slow, "quick", alone) == 2
    everything = batch_seconds(list(catalogue().values()), "quick", 2)
    assert 80 < everything < 90 and batch_size(slow, "quick", everything) >= 8
    assert batch_seconds([fast], "quick", 2) == BATCH_SECONDS
