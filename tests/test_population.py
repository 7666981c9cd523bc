"""Statistical claims: experiments classified against a practical threshold, a population
decided by the Wilson interval of the supporting fraction, and reported as such."""

import json

import numpy as np
import pytest
from hypothesis import strategies as st

from verify import Rule, Vacuous, conjecture, observed, tendency
from verify.cli import main
from verify.population import (
    CONTRADICTS,
    SUPPORTS,
    TIE,
    Observation,
    agreement,
    decide,
    support,
)
from verify.report.json import verdict_record
from verify.runner import VerdictKind, run_claim

RULE = Rule(effect="toy effect", supports="effect > 0.1", threshold=0.1)


def _population(outcomes: str) -> list:
    """'s' supports, 'c' contradicts, 't' ties."""
    kind = {"s": SUPPORTS, "c": CONTRADICTS, "t": TIE}
    return [(i, Observation(kind[o], {"e": (1.0, 0, 2)}, "why")) for i, o in enumerate(outcomes)]


@pytest.mark.parametrize(
    ("outcomes", "verdict"),
    [
        ("s" * 8, "verified"),  # Wilson [0.68, 1]
        ("s" * 11 + "c", "verified"),  # one contradicting experiment does not refute
        ("s" * 6 + "cc", "inconclusive"),  # [0.41, 0.93] contains 1/2
        ("s" * 4 + "c" * 4, "inconclusive"),
        ("s" + "t" * 7, "refuted"),  # ties are no trend: [0.02, 0.47]
        ("c" * 8, "refuted"),
        ("s" * 7, "inconclusive"),  # too few experiments to decide anything
    ],
)
def test_the_population_rule(outcomes, verdict):
    assert decide(RULE, support(_population(outcomes), vacuous=0))[0] == verdict


def test_support_counts_wilson_interval_effects_and_exceptions():
    found = support(_population("sssssctt"), vacuous=2)
    assert (found.experiments, found.supporting, found.contradicting, found.ties) == (8, 5, 1, 2)
    assert found.vacuous == 2 and found.fraction == 5 / 8
    low, high = found.interval
    assert low == pytest.approx(0.306, abs=1e-3) and high == pytest.approx(0.863, abs=1e-3)
    assert found.effect["e"][0] == 1.0
    assert [case for case, _ in found.exceptions] == [5, 6, 7]


def test_tendency_and_agreement_classify_by_the_practical_threshold():
    assert tendency({"a": (0.5, 0, 1), "b": (0.2, 0, 1)}, 0.1, "t").outcome == SUPPORTS
    assert tendency({"a": (0.5, 0, 1), "b": (1e-5, 0, 1)}, 0.1, "t").outcome == TIE
    seen = tendency({"a": (0.5, 0, 1), "b": (-0.3, -1, 0)}, 0.1, "t")
    assert seen.outcome == CONTRADICTS and "b = -0.3" in seen.mechanism
    assert tendency({"a": (0.05, 0, 1)}, {"a": 0.01}, "t").outcome == SUPPORTS
    assert agreement({"r": (0.05, 0, 0.1)}, 0.1, "g").outcome == SUPPORTS
    assert agreement({"r": (-0.2, -0.3, 0.1)}, 0.1, "g").outcome == CONTRADICTS


def test_a_rule_needs_eight_experiments_and_a_proper_majority():
    with pytest.raises(ValueError, match="at least 8"):
        Rule("e", "s", 0.1, experiments=5)
    with pytest.raises(ValueError, match="majority"):
        Rule("e", "s", 0.1, majority=1.0)


def _toy(effect_of, examples=(), status="open"):
    """A statistical conjecture whose experiment with seed s has the effect effect_of(s)."""

    @conjecture(
        "T1",
        "toy tendency",
        cases=st.integers(0, 10**6),
        status=status,
        examples=examples,
        rule=RULE,
    )
    def toy(seed, ctx):
        if effect_of(seed) is None:
            raise Vacuous("no experiment")
        e = effect_of(seed)
        return observed(tendency({"effect": (e, e, e)}, 0.1, "toy"), effect=ctx.mpf(e))

    return toy.claim


def _noisy(mean):
    return lambda seed: float(np.random.default_rng(seed).normal(mean, 0.1))


def test_a_true_tendency_is_not_refuted_by_one_registered_exception():
    claim = _toy(lambda s: -1.0 if s == 7 else _noisy(1.0)(s), examples=(7,))
    verdict = run_claim(claim)
    assert verdict.verdict is VerdictKind.VERIFIED, verdict.message
    assert verdict.support.experiments >= 9 and verdict.support.contradicting == 1
    assert verdict.support.exceptions[0][0] == 7


def test_a_refuted_tendency_lists_its_exceptions_and_saves_no_counterexample(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "conj_toy.py").write_text(TOY_FILE.replace("(1.0, 0.5, 1.5)", "(-1.0, -1.5, -0.5)"))
    assert main(["verify", "T2", "--conjectures", "conj_toy.py"]) == 0
    out = capsys.readouterr().out
    assert "refuted" in out and "0/12" in out and "exception:" in out
    assert not (tmp_path / ".flatminima").exists()


def test_a_false_tendency_and_a_tie_are_refuted_and_a_coin_is_not_decided():
    assert run_claim(_toy(_noisy(-1.0))).verdict is VerdictKind.REFUTED
    assert run_claim(_toy(_noisy(0.0))).verdict is not VerdictKind.VERIFIED
    ties = run_claim(_toy(lambda s: 1e-5))
    assert ties.verdict is VerdictKind.REFUTED and ties.support.ties == ties.support.experiments
    coin = run_claim(_toy(lambda s: 1.0 if s % 2 else -1.0))
    assert coin.verdict is VerdictKind.INCONCLUSIVE, coin.message


def test_vacuous_experiments_are_counted_apart():
    verdict = run_claim(_toy(lambda s: None if s % 3 == 0 else _noisy(1.0)(s)))
    assert verdict.verdict is VerdictKind.VERIFIED, verdict.message
    assert verdict.support.vacuous == verdict.outcomes["vacuous"] > 0
    assert verdict.support.experiments + verdict.support.vacuous == verdict.cases


def test_statistical_json_has_kind_no_digits_and_a_support_object(tmp_path, monkeypatch, capsys):
    record = verdict_record(run_claim(_toy(_noisy(1.0))))
    assert record["kind"] == "statistical" and record["digits"] is None
    assert record["tier"] is None and record["counterexample"] is None
    found = record["support"]
    assert found["rule"]["threshold"] == 0.1 and found["experiments"] >= 8
    assert found["supporting"] == found["experiments"] and found["interval"][0] > 0.5
    assert set(found["effect"]["effect"]) == {"mean", "interval"}
    json.dumps(record)  # plain JSON


def test_the_table_shows_the_supporting_fraction(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "conj_toy.py").write_text(TOY_FILE)
    assert main(["verify", "T2", "--conjectures", "conj_toy.py"]) == 0
    out = capsys.readouterr().out
    assert "statistical" in out and "12/12" in out and "experiments support" in out


TOY_FILE = """
from hypothesis import strategies as st
from verify import Rule, conjecture, observed, tendency


@conjecture(
    "T2",
    "toy",
    cases=st.integers(0, 10**6),
    rule=Rule(effect="e", supports="e > 0.1", threshold=0.1),
)
def toy(seed, ctx):
    return observed(tendency({"e": (1.0, 0.5, 1.5)}, 0.1, "toy"))
"""


def test_a_deductive_record_has_kind_deductive_and_no_support():
    from verify.catalogue import select

    (claim,) = select(["H3"])
    record = verdict_record(run_claim(claim))
    assert record["kind"] == "deductive" and record["support"] is None


def test_an_effect_exactly_at_the_threshold_is_a_tie_not_support():
    # "supports when every estimate exceeds its threshold": equal to it is a tie, and so is −it.
    assert tendency({"a": (0.1, 0, 1)}, 0.1, "t").outcome == TIE
    assert tendency({"a": (-0.1, -1, 0)}, 0.1, "t").outcome == TIE
    assert tendency({"a": (0.1, 0, 1)}, {"a": 0.05}, "t").outcome == SUPPORTS


def test_a_population_of_one_reports_its_effect_as_its_own_interval():
    found = support([(0, Observation(SUPPORTS, {"e": (0.25, 0.0, 0.5)}))], vacuous=0)
    assert found.effect == {"e": (0.25, 0.25, 0.25)}
