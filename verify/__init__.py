"""flatminima's numeric side: the public API for writing and running claims.

from verify import conjecture, cases, equal, at_most, evidence, run_claim
"""

from verify import cases
from verify.claim import Claim, Status
from verify.conjectures import conjecture
from verify.evidence import Degenerate, Evidence, at_most, equal, evidence
from verify.runner import Verdict, VerdictKind, run_claim

__all__ = [
    "Claim",
    "Degenerate",
    "Evidence",
    "Status",
    "Verdict",
    "VerdictKind",
    "at_most",
    "cases",
    "conjecture",
    "equal",
    "evidence",
    "run_claim",
]
