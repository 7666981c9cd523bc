"""pytest plugin (entry point `pytest11`): claims and user conjectures as tests.

`pytest --claims-profile thorough` switches the Hypothesis profile of every claim test; the
`claims_profile` fixture carries it, and `claim_failure` turns a verdict into the message
a failing claim test shows (its counterexample and values).

Conjecture files — names matching the ini option `conjecture_files` (default `conj_*.py`
and `conjectures/*.py`) anywhere pytest collects, plus everything given with
`--conjectures PATH` — become one test per `@conjecture`: it passes when the conjecture is
verified (refuted, for status "false"), is skipped when inconclusive, and fails with the
counterexample otherwise. A file that does not load fails as one test naming file and line.

pytest loads this plugin in every session where flatminima is installed, so at import it reads
only verify.names (no Hypothesis, mpmath or SymPy); the runner and the loader are imported
by the hooks that use them, and it never touches Hypothesis's settings profiles.
"""

from __future__ import annotations

from fnmatch import fnmatch
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from verify.names import DEFAULT_PROFILE, PATTERNS, PROFILES

if TYPE_CHECKING:
    from verify.claim import Claim
    from verify.conjectures import ConjectureError
    from verify.runner import Verdict


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("flatminima")
    group.addoption(
        "--claims-profile",
        default=DEFAULT_PROFILE,
        choices=sorted(PROFILES),
        help="search profile for claim tests (default: %(default)s)",
    )
    group.addoption(
        "--conjectures",
        action="append",
        default=[],
        metavar="PATH",
        help="a conjecture file or folder to collect (repeatable)",
    )
    parser.addini(
        "conjecture_files",
        type="args",
        default=list(PATTERNS),
        help="glob patterns of conjecture files (default: conj_*.py conjectures/*.py)",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Collect the --conjectures paths too (whatever else pytest was asked to collect)."""
    for path in config.getoption("--conjectures"):
        if path not in config.args:
            config.args.append(path)


def _is_conjecture_file(path: Path, config: pytest.Config) -> bool:
    if path.suffix != ".py":
        return False
    for given in map(Path, config.getoption("--conjectures")):
        if path.resolve() == given.resolve():
            return True
    relative = path.as_posix()
    return any(
        fnmatch(path.name, pattern) if "/" not in pattern else fnmatch(relative, f"*/{pattern}")
        for pattern in config.getini("conjecture_files")
    )


def pytest_collect_file(file_path: Path, parent: pytest.Collector):
    if _is_conjecture_file(file_path, parent.config):
        return ConjectureFile.from_parent(parent, path=file_path)
    return None


class ConjectureFile(pytest.File):
    """A file of `@conjecture`s: one item each, or one failing item if it does not load."""

    def collect(self):
        from verify import conjectures
        from verify.catalogue import catalogue

        loaded = conjectures.load([self.path], taken=set(catalogue()))
        for number, error in enumerate(loaded.errors):
            yield LoadProblem.from_parent(self, name=f"load-error-{number}", error=error)
        for claim in loaded.claims:
            yield ConjectureItem.from_parent(self, name=claim.id, claim=claim)


class ConjectureFailed(Exception):
    """A conjecture came out other than its status demands."""


class LoadProblem(pytest.Item):
    """A conjecture file that could not be loaded (syntax error, duplicate ID, raises)."""

    def __init__(self, *, error: ConjectureError, **kwargs):
        super().__init__(**kwargs)
        self.error = error

    def runtest(self) -> None:
        raise ConjectureFailed(f"conjecture error: {self.error}")

    def repr_failure(self, excinfo, style=None) -> str:
        return str(excinfo.value)

    def reportinfo(self):
        return self.path, None, f"loading {self.path.name}"


class ConjectureItem(pytest.Item):
    """One conjecture, decided by the runner with the --claims-profile search."""

    def __init__(self, *, claim: Claim, **kwargs):
        super().__init__(**kwargs)
        self.claim = claim

    def runtest(self) -> None:
        from verify.claim import Status
        from verify.runner import VerdictKind, run_claim

        verdict = run_claim(self.claim, self.config.getoption("--claims-profile"))
        wanted = VerdictKind.REFUTED if self.claim.status is Status.FALSE else VerdictKind.VERIFIED
        if verdict.verdict is wanted:
            return
        if verdict.verdict is VerdictKind.INCONCLUSIVE:
            pytest.skip(f"{self.claim.id} inconclusive: {verdict.message}")
        raise ConjectureFailed(claim_failure(verdict))

    def repr_failure(self, excinfo, style=None) -> str:
        if isinstance(excinfo.value, ConjectureFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.path, None, f"conjecture {self.claim.id}: {self.claim.statement}"


@pytest.fixture
def claims_profile(request: pytest.FixtureRequest) -> str:
    """The search profile chosen with --claims-profile."""
    return request.config.getoption("--claims-profile")


def claim_failure(verdict: Verdict) -> str:
    """Why a claim's verdict is not as its status demands, with the counterexample."""
    from verify.report.json import verdict_record
    from verify.report.serialize import case_text

    record = verdict_record(verdict)
    lines = [
        f"{record['id']} ({record['status']}) came out {record['verdict']}: {record['message']}"
    ]
    if record["counterexample"] is not None:
        lines.append(f"counterexample: {case_text(record['counterexample'])}")
    for item in (record["support"] or {}).get("exceptions", []):
        lines.append(f"exception: {case_text(item['case'])}: {item['mechanism']}")
    lines += [f"{name} = {value}" for name, value in record["values"].items()]
    return "\n".join(lines)
