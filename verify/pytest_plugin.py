"""pytest plugin (entry point `pytest11`): claims and user conjectures as tests.

`pytest --claims-profile thorough` switches the Hypothesis profile of every claim test; the
`claims_profile` fixture carries it, and `claim_failure` turns a verdict into the message
a failing claim test shows (its counterexample and values).

Conjecture files — names matching the ini option `conjecture_files` (default `conj_*.py`
and `conjectures/*.py`) anywhere pytest collects, plus everything given with
`--conjectures PATH` — become one test per `@conjecture`: it passes when the conjecture is
verified (refuted, for status "false"), is skipped when inconclusive, and fails with the
counterexample otherwise. A file that does not load fails as one test naming file and line.
With `--claims-scheduler ADDRESS` the conjectures run on that existing Dask cluster
(verify/workers.py, docs/scaling.md): all submitted once collected, each test waiting for
its own (under pytest-xdist, each test submits its own when it runs).

pytest loads this plugin in every session where flatminima is installed, so at import it reads
only verify.names (no Hypothesis, mpmath or SymPy); the runner and the loader are imported
by the hooks that use them, and it never touches Hypothesis's settings profiles.
"""

from __future__ import annotations

from fnmatch import fnmatch
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from verify.names import DEFAULT_DPS, DEFAULT_PROFILE, PATTERNS, PROFILES

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
        "--claims-scheduler",
        default=None,
        metavar="ADDRESS",
        help="run the conjecture tests on the Dask cluster of this scheduler (tcp://HOST:8786)",
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


CLIENT = pytest.StashKey[object]()  # the distributed.Client of --claims-scheduler
FUTURE = pytest.StashKey[object]()  # a conjecture item's task on that cluster


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """With --claims-scheduler: connect (a problem is a usage error, one line) and submit
    every collected conjecture, file by file, unless this is a pytest-xdist worker (which
    holds every item, but runs only some)."""
    address = config.getoption("--claims-scheduler")
    conjectures = [item for item in items if isinstance(item, ConjectureItem)]
    if address is None or not conjectures:
        return
    from verify import workers

    try:
        client = workers.connect(address, sorted({item.path for item in conjectures}))
    except workers.ClusterError as exc:
        raise pytest.UsageError(f"--claims-scheduler: {exc}") from None
    config.stash[CLIENT] = client
    if hasattr(config, "workerinput"):
        return
    for path in dict.fromkeys(item.path for item in conjectures):
        mine = [item for item in conjectures if item.path == path]
        for future, i in _submit(config, [item.claim for item in mine], path).items():
            mine[i].stash[FUTURE] = future


def _submit(config: pytest.Config, claims: list, path: Path) -> dict:
    """Tasks of `claims` (of the conjecture file `path`) on the --claims-scheduler cluster."""
    from verify import workers
    from verify.budget import DEFAULT_CASE_BUDGET

    profile = config.getoption("--claims-profile")
    client = config.stash[CLIENT]
    return workers.submit_claims(
        client, claims, (path,), profile, DEFAULT_DPS, 0, DEFAULT_CASE_BUDGET
    )


def pytest_unconfigure(config: pytest.Config) -> None:
    """Close the --claims-scheduler client (the cluster runs on)."""
    client = config.stash.get(CLIENT, None)
    if client is not None:
        from verify import workers

        workers.close(client)


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

        record = self.record()
        wanted = "refuted" if self.claim.status is Status.FALSE else "verified"
        if record["verdict"] == wanted:
            return
        if record["verdict"] == "inconclusive":
            pytest.skip(f"{self.claim.id} inconclusive: {record['message']}")
        raise ConjectureFailed(record_failure(record))

    def record(self) -> dict:
        """The conjecture's JSON record: run here, or on the --claims-scheduler cluster."""
        profile = self.config.getoption("--claims-profile")
        if CLIENT not in self.config.stash:
            from verify.report.json import verdict_record
            from verify.runner import run_claim

            return verdict_record(run_claim(self.claim, profile))
        from verify import workers

        future = self.stash.get(FUTURE, None)
        if future is None:  # a pytest-xdist worker: this item's own task
            (future,) = _submit(self.config, [self.claim], self.path)
        return workers.task_record(future, self.claim, DEFAULT_DPS)

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

    return record_failure(verdict_record(verdict))


def record_failure(record: dict) -> str:
    """`claim_failure` of a claim's JSON record (`report.json.verdict_record`)."""
    from verify.report.serialize import case_text

    lines = [
        f"{record['id']} ({record['status']}) came out {record['verdict']}: {record['message']}"
    ]
    if record["counterexample"] is not None:
        lines.append(f"counterexample: {case_text(record['counterexample'])}")
    for item in (record["support"] or {}).get("exceptions", []):
        lines.append(f"exception: {case_text(item['case'])}: {item['mechanism']}")
    lines += [f"{name} = {value}" for name, value in record["values"].items()]
    return "\n".join(lines)
