import json
import os
import re
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

OVERFULL_POINTS = 5.0  # an overfull box up to this wide is invisible; wider ones are reported


def latex_layout_problems(log: str) -> list[str]:
    """What a LaTeX log says is wrong with the pages: every overfull box wider than
    OVERFULL_POINTS and every missing character (a glyph the font lacks)."""
    overfull = [
        line
        for line, points in re.findall(
            r"^(Overfull \\[hv]box \((\d+\.?\d*)pt too \w+\).*)$", log, re.M
        )
        if float(points) > OVERFULL_POINTS
    ]
    return overfull + re.findall(r"^Missing character.*$", log, re.M)


@pytest.fixture
def layout_problems():
    """`latex_layout_problems`, for tests that compile a document."""
    return latex_layout_problems


# The skip reasons of tests that need LaTeX or Chromium, which CI installs (.ci/run).
MISSING_TOOL = re.compile(r"pdflatex not on PATH|pdflatex is not installed|no Chromium on PATH")


def missing_tool_in_ci(report: pytest.TestReport, environ=os.environ) -> bool:
    """A skip for want of LaTeX or Chromium while CI=true: CI installs both, so the skip would
    hide a test that never ran."""
    return (
        environ.get("CI") == "true"
        and report.skipped
        and bool(MISSING_TOOL.search(str(report.longrepr)))
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """In CI, a test skipped because LaTeX or Chromium is missing fails instead."""
    outcome = yield
    report = outcome.get_result()
    if missing_tool_in_ci(report):
        report.outcome = "failed"
        report.longrepr = f"CI=true, yet a tool this test needs is missing: {report.longrepr}"


QUICK_RUN = Path(__file__).parents[1] / "docs" / "results" / "quick.json"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The catalogue's claim tests first, slowest first (by their seconds in
    docs/results/quick.json): under `make test`'s pytest-xdist work stealing, a long claim
    queued last (N1, a quarter of the suite's time, was) runs alone on one core at the end;
    started first, it runs while the other worker takes the short tests."""
    claims = [
        i for i in items if i.path.name == "test_catalogue.py" and i.name.startswith("test_claim[")
    ]
    if not claims:  # e.g. a pytester session that copied this file
        return
    records = json.loads(QUICK_RUN.read_text(encoding="utf-8"))["claims"]
    seconds = {r["id"]: r["seconds"] for r in records}
    claims.sort(key=lambda i: seconds.get(i.callspec.params["claim"].id, 0.0), reverse=True)
    chosen = set(claims)
    items[:] = [*claims, *(i for i in items if i not in chosen)]
