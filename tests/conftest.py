import os
import re

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
