"""One test per catalogue claim: proved claims must be verified, false ones refuted."""

import pytest

from verify.catalogue import select
from verify.pytest_plugin import claim_failure
from verify.runner import VerdictKind, run_claim


@pytest.mark.parametrize("claim", select(), ids=lambda c: c.id)
def test_claim(claim, claims_profile):
    verdict = run_claim(claim, claims_profile)
    assert verdict.as_expected, claim_failure(verdict)
    if verdict.verdict is VerdictKind.VERIFIED:
        assert verdict.digits is not None and verdict.digits >= 40, claim_failure(verdict)
