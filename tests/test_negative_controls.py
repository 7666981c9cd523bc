"""The negative-control bank (tests/negative_controls.py, docs/reliability.md): every proved
claim has at least one plausible false variant, and every variant is refuted on the quick
profile with a small, readable counterexample."""

import re
from pathlib import Path

import pytest

from verify import Status, VerdictKind, run_claim
from verify.catalogue import catalogue
from verify.claim import Kind
from verify.conjectures import load
from verify.report.serialize import case_text

FILE = Path(__file__).with_name("negative_controls.py")
BANK = load([FILE])
MUTATES = {c.id: c.source.removeprefix("negative control of ").split(":")[0] for c in BANK.claims}
PROVED = sorted(i for i, c in catalogue().items() if c.status is Status.PROVED)
READABLE = 300  # characters of case text a shrunk counterexample may take


def test_the_bank_loads_and_every_control_is_false():
    assert BANK.errors == []
    assert BANK.claims and all(c.status is Status.FALSE for c in BANK.claims)
    assert all(c.id.startswith(f"NC_{MUTATES[c.id]}_") for c in BANK.claims)


def test_every_proved_claim_has_a_negative_control():
    controlled = set(MUTATES.values())
    assert set(PROVED) - controlled == set()
    assert controlled <= set(PROVED)  # each control mutates a proved claim
    assert len(BANK.claims) >= len(PROVED)


@pytest.mark.parametrize("claim", BANK.claims, ids=lambda c: c.id)
def test_negative_control_is_refuted_with_a_small_counterexample(claim):
    verdict = run_claim(claim, "quick")
    assert verdict.verdict is VerdictKind.REFUTED, verdict.message
    if claim.kind is Kind.DEDUCTIVE:
        assert verdict.counterexample is not None
        assert len(case_text(verdict.counterexample)) < READABLE, case_text(verdict.counterexample)


def test_the_reliability_page_lists_every_control_and_the_counts():
    page = (FILE.parents[1] / "docs" / "reliability.md").read_text(encoding="utf-8")
    assert re.findall(r"^\| (NC_\w+) \|", page, re.MULTILINE) == [c.id for c in BANK.claims]
    assert f"{len(PROVED)} proved claims, {len(BANK.claims)} negative controls" in page
