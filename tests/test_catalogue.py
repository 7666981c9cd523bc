"""One test per catalogue claim: proved claims must be verified, false ones refuted, and a claim
docs/results/quick.json records at the symbolic tier must reach it under any profile; under the
profile of docs/results/quick.json, with its environment, the claim's record must be the one
written there (a changed number anywhere is a changed result: `make docs-results`)."""

import json
import re
from pathlib import Path

import pytest
from hypothesis import strategies as st

from verify.catalogue import FAMILIES, claim_order, select
from verify.claim import Claim, Family, Status
from verify.precision import DEFAULT_DPS, Tier
from verify.pytest_plugin import claim_failure
from verify.report.json import environment, verdict_record
from verify.runner import VerdictKind, run_claim

RESULTS = json.loads(
    (Path(__file__).parents[1] / "docs" / "results" / "quick.json").read_text(encoding="utf-8")
)
UNRECORDED = ("seconds", "where")  # timings; line numbers (test_every_claim_says_where...)
SYMBOLIC = {r["id"] for r in RESULTS["claims"] if r["tier"] == Tier.SYMBOLIC.label}


def _recorded(claim_id: str, profile: str) -> dict | None:
    """The claim's record in docs/results/quick.json when this run can reproduce it."""
    run = (profile, 0, list(DEFAULT_DPS))  # run_claim's defaults
    same_run = (RESULTS["profile"], RESULTS["seed"], RESULTS["dps"]) == run
    if not same_run or environment() != RESULTS["environment"]:
        return None
    return next((r for r in RESULTS["claims"] if r["id"] == claim_id), None)


@pytest.mark.parametrize("claim", select(), ids=lambda c: c.id)
def test_claim(claim, claims_profile):
    verdict = run_claim(claim, claims_profile)
    assert verdict.as_expected, claim_failure(verdict)
    if verdict.verdict is VerdictKind.VERIFIED and claim.rule is None:
        assert verdict.digits is not None and verdict.digits >= 40, claim_failure(verdict)
    if claim.rule is not None:  # a statistical claim: a population, no digits
        assert verdict.digits is None and verdict.support is not None, claim_failure(verdict)
        assert verdict.support.experiments >= claim.rule.experiments or (
            verdict.verdict is not VerdictKind.VERIFIED
        ), claim_failure(verdict)
    if claim.id in SYMBOLIC:  # its complete derivation, whatever the number of cases
        assert verdict.tier is Tier.SYMBOLIC, f"{claim.id}: {verdict.tier!r}, not symbolic"
    recorded = _recorded(claim.id, claims_profile)
    if recorded is not None:
        record = verdict_record(verdict)
        changed = [k for k in record if k not in UNRECORDED and record[k] != recorded.get(k)]
        assert not changed, f"{claim.id}: {changed} differ from docs/results/quick.json"


def test_claims_and_their_derivations_share_id_and_source():
    import theory

    for claim in select():
        if claim.derivation is not None:
            found = theory.derivation(claim.derivation)
            assert found is not None, f"{claim.id} names a missing derivation"
            # A variant (G1b) may use its parent's derivation (G1): same number, same source.
            parent = re.fullmatch(r"([A-Z]+\d+)[a-z]*", claim.id).group(1)
            assert found.claim in (claim.id, parent) and found.source == claim.source


ROOT = Path(__file__).parents[1]


@pytest.mark.parametrize("family", [f for f in Family if f is not Family.USER], ids=str)
def test_each_family_has_one_module_and_one_docs_page(family):
    """verify/claims/ mirrors docs/claims/ one to one, and every claim lives in its family's
    module and is documented on its family's page."""
    assert (ROOT / family.docs).is_file()
    module = ROOT / "verify" / "claims" / family.value
    assert module.with_suffix(".py").is_file() or (module / "__init__.py").is_file()
    assert FAMILIES[family].__name__ == f"verify.claims.{family.value}"
    page = (ROOT / family.docs).read_text(encoding="utf-8")
    for claim in FAMILIES[family].CLAIMS:
        assert claim.family is family, f"{claim.id} is declared {claim.family} in {family} module"
        assert claim.check.__module__.startswith(f"verify.claims.{family.value}"), claim.id
        assert re.search(rf"\b{claim.id}\b", page), f"{claim.id} is not on {family.docs}"


def test_every_claim_says_where_its_check_is():
    for claim in select():
        path, line = claim.where.rsplit(":", 1)
        source = (ROOT / path).read_text(encoding="utf-8").splitlines()
        assert source[int(line) - 1].startswith(f"def {claim.check.__name__}("), claim.where


def test_any_id_letter_is_ordered():
    """New families bring new letters: they sort after the built-in ones, never crash."""

    def named(claim_id):
        return Claim(claim_id, "s", "user", Status.OPEN, st.just(1), lambda case, ctx: True)

    ids = ["T2", "X_1", "F4b", "H1", "T10", "AB3", "F4", "N1"]
    ordered = [c.id for c in sorted(map(named, ids), key=claim_order)]
    assert ordered == ["H1", "F4", "F4b", "N1", "AB3", "T2", "T10", "X_1"]
