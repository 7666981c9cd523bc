"""flatminima inside a host's test session: no change to Hypothesis's settings, a light plugin.

Hypothesis's settings are process-global, so every check runs in a fresh interpreter.
"""

import json
import os
import subprocess
import sys

import hypothesis._settings
import pytest

HEAVY = ("hypothesis", "mpmath", "sympy", "numpy", "matplotlib")

STATE = r"""
import json
from hypothesis import settings

def state():
    s = settings.default
    fields = ("max_examples", "derandomize", "deadline", "database", "phases", "print_blob")
    shown = {name: repr(getattr(s, name)) for name in fields}
    shown["suppress_health_check"] = repr(list(s.suppress_health_check))
    shown["repr"] = repr(s)
    shown["profile"] = settings._current_profile
    if hasattr(settings, "get_current_profile_name"):
        shown["profile_name"] = settings.get_current_profile_name()
    return shown

before = state()
import verify, verify.profiles, verify.pytest_plugin
from hypothesis import strategies as st
from verify.claim import Claim, Status
from verify.runner import run_claim

ours = repr(verify.profiles.profile_settings("ci"))
claim = Claim("T1", "n < 5", "tests", Status.OPEN, st.integers(0, 10**6), lambda n, ctx: n < 5)
verdict = run_claim(claim, "ci", seed=3)
found = [verdict.verdict.value, verdict.counterexample, verdict.cases, verdict.outcomes]
print(json.dumps({"before": before, "after": state(), "ours": ours, "verdict": found}))
"""


def _environment(ci: str | None) -> dict[str, str]:
    """The current environment without any variable Hypothesis reads as "in CI", then CI=ci."""
    markers = {"CI", *getattr(hypothesis._settings, "_CI_VARS", ())}
    env = {k: v for k, v in os.environ.items() if k not in markers}
    if ci is not None:
        env["CI"] = ci
    return env


def _run(code: str, ci: str | None, cwd) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=_environment(ci),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def states(tmp_path_factory) -> dict[str | None, dict]:
    """What the script reports with CI unset and with CI=true."""
    cwd = tmp_path_factory.mktemp("host")
    return {ci: json.loads(_run(STATE, ci, cwd)) for ci in (None, "true")}


@pytest.mark.parametrize("ci", [None, "true"], ids=["CI-unset", "CI-true"])
def test_importing_and_running_leaves_the_hosts_hypothesis_settings_alone(states, ci):
    state = states[ci]
    assert state["before"]["profile"] == ("default" if ci is None else "ci")
    assert state["after"] == state["before"]
    assert state["verdict"][0] == "refuted"


def test_verdicts_and_search_settings_do_not_depend_on_ci(states):
    unset, ci = states[None], states["true"]
    assert unset["before"] != ci["before"]  # Hypothesis itself does see CI
    assert unset["ours"] == ci["ours"]
    assert unset["verdict"] == ci["verdict"]


def test_the_pytest_plugin_imports_nothing_heavy(tmp_path):
    code = (
        "import sys, verify, verify.pytest_plugin\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    assert _run(code, None, tmp_path).strip() == ""


def test_the_lazy_package_gives_the_same_public_names():
    code = (
        "import verify, verify.evidence\n"
        "from verify import *\n"
        "from verify.evidence import evidence as function\n"
        "assert verify.evidence is function and evidence is function\n"
        "assert set(verify.__all__) <= set(dir(verify))\n"
        "assert cases.__name__ == 'verify.cases' and run_claim.__module__ == 'verify.runner'\n"
    )
    _run(code, None, None)
