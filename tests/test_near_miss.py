"""The near-miss bank (tests/near_miss.py): each conjecture is decided right on the quick profile,
false ones (true on the shared-basis family only) refuted, true ones verified."""

from pathlib import Path

import pytest

from verify import Status, VerdictKind, run_claim
from verify.conjectures import load

BANK = load([Path(__file__).with_name("near_miss.py")])


def test_the_bank_loads_with_ten_false_and_five_true_conjectures():
    assert BANK.errors == []
    statuses = [c.status for c in BANK.claims]
    assert statuses.count(Status.FALSE) >= 10 and statuses.count(Status.PROVED) >= 5


@pytest.mark.parametrize("claim", BANK.claims, ids=lambda c: c.id)
def test_near_miss_is_decided_right(claim):
    verdict = run_claim(claim, "quick")
    expected = VerdictKind.REFUTED if claim.status is Status.FALSE else VerdictKind.VERIFIED
    assert verdict.verdict is expected, verdict.message
