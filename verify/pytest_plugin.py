"""pytest plugin (entry point `pytest11`): claims as tests, with a selectable search profile.

`pytest --claims-profile thorough` switches the Hypothesis profile of every claim test; the
`claims_profile` fixture carries it, and `claim_failure` turns a verdict into the message
a failing claim test shows (its counterexample and values).
"""

from __future__ import annotations

import pytest

from verify.profiles import DEFAULT_PROFILE, PROFILES
from verify.report.json import verdict_record
from verify.report.serialize import case_text
from verify.runner import Verdict


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("flatminima")
    group.addoption(
        "--claims-profile",
        default=DEFAULT_PROFILE,
        choices=sorted(PROFILES),
        help="search profile for claim tests (default: %(default)s)",
    )


@pytest.fixture
def claims_profile(request: pytest.FixtureRequest) -> str:
    """The search profile chosen with --claims-profile."""
    return request.config.getoption("--claims-profile")


def claim_failure(verdict: Verdict) -> str:
    """Why a claim's verdict is not as its status demands, with the counterexample."""
    record = verdict_record(verdict)
    lines = [
        f"{record['id']} ({record['status']}) came out {record['verdict']}: {record['message']}"
    ]
    if record["counterexample"] is not None:
        lines.append(f"counterexample: {case_text(record['counterexample'])}")
    lines += [f"{name} = {value}" for name, value in record["values"].items()]
    return "\n".join(lines)
