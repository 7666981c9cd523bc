"""The per-case time budget: a check that never returns is stopped with its reason."""

import json
import signal
import time

import pytest

from verify import VerdictKind, run_claim
from verify.budget import BudgetExceeded, case_budget
from verify.cli import main
from verify.conjectures import load

FOREVER = """
from verify import cases, conjecture

@conjecture("Y8", "a check that loops forever", cases=cases.scalar_minima(target=1))
def forever(m):
    while True:
        try:
            pass
        except Exception:  # swallowing exceptions must not defeat the budget
            pass
"""


FOREVER_TENDENCY = """
from verify import Rule, cases, conjecture

RULE = Rule(effect="nothing", supports="never", threshold=0.01)

@conjecture("Y9", "a tendency whose check loops forever", cases=cases.scalar_runs(), rule=RULE)
def forever(run, ctx):
    while True:
        pass
"""


def test_a_statistical_claim_stops_its_population_at_the_first_case_over_budget(tmp_path):
    path = tmp_path / "conj_tendency.py"
    path.write_text(FOREVER_TENDENCY)
    (claim,) = load([path]).claims
    start = time.monotonic()
    verdict = run_claim(claim, budget=0.2)
    assert time.monotonic() - start < 5
    assert verdict.verdict is VerdictKind.ERROR and verdict.cases == 1
    assert "case exceeded its budget of 0.2 s at 50 digits" in verdict.message


def _conjecture(tmp_path):
    path = tmp_path / "conj_forever.py"
    path.write_text(FOREVER)
    return path


def test_a_check_that_loops_forever_is_stopped_by_its_budget(tmp_path):
    (claim,) = load([_conjecture(tmp_path)]).claims
    start = time.monotonic()
    verdict = run_claim(claim, budget=0.2)
    assert time.monotonic() - start < 5  # stopped at once: no shrinking of the case
    assert verdict.verdict is VerdictKind.ERROR
    assert verdict.cases == 1 and verdict.shrink_steps == 0
    assert "case exceeded its budget of 0.2 s at 50 digits" in verdict.message
    assert verdict.counterexample is not None  # the case it was stopped on is shown


def test_cli_case_budget_reports_the_reason_and_exits_1(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = _conjecture(tmp_path)
    out_json = tmp_path / "run.json"
    status = main(
        ["verify", "--conjectures", str(path), "--case-budget", "0.2", "--json", str(out_json)]
    )
    out, _ = capsys.readouterr()
    assert status == 1
    assert "exceeded its budget of 0.2 s" in out
    (record,) = json.loads(out_json.read_text())["claims"]
    assert record["verdict"] == "error"


@pytest.mark.parametrize("value", ["0", "-1", "inf", "nan"])
def test_case_budget_must_be_a_positive_finite_number(value, capsys):
    assert main(["verify", "H4", "--case-budget", value]) == 2
    assert "--case-budget" in capsys.readouterr().err


def test_the_budget_restores_the_previous_handler_and_an_outer_timer():
    fired = []

    def handler(*_):
        fired.append(True)

    previous = signal.signal(signal.SIGALRM, handler)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.5)
        with case_budget(10, 50):
            time.sleep(0.05)
        assert signal.getsignal(signal.SIGALRM) is handler  # ours again, not the budget's
        remaining, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 0.2 < remaining < 0.5  # the outer timer keeps what was left of it
        time.sleep(0.6)
        assert fired == [True]
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_a_check_within_its_budget_runs_untouched():
    with case_budget(5, 50):
        time.sleep(0.01)
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    with (
        pytest.raises(BudgetExceeded, match=r"budget of 0\.05 s at 80 digits"),
        case_budget(0.05, 80),
    ):
        time.sleep(1)
