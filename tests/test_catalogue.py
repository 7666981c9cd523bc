"""One test per catalogue claim: proved claims must be verified, false ones refuted."""

import re

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


def test_claims_and_their_derivations_share_id_and_source():
    import theory

    for claim in select():
        if claim.derivation is not None:
            found = theory.derivation(claim.derivation)
            assert found is not None, f"{claim.id} names a missing derivation"
            # A variant (G1b) may use its parent's derivation (G1): same number, same source.
            parent = re.fullmatch(r"([A-Z]+\d+)[a-z]*", claim.id).group(1)
            assert found.claim in (claim.id, parent) and found.source == claim.source
