"""docs/adding-a-claim-family.md, run as written: its toy family (quadratic wells, Q1 proved and
Q2 false) is plugged into the catalogue and decided like the built-in families."""

import importlib.util
import re
import sys
from enum import Enum
from pathlib import Path

import pytest

import verify
import verify.claim
from verify import catalogue
from verify.runner import VerdictKind, run_claim

PAGE = Path(__file__).parents[1] / "docs" / "adding-a-claim-family.md"


def _block(first_line: str) -> str:
    (code,) = [
        b
        for b in re.findall(r"```python\n(.*?)```", PAGE.read_text(), re.S)
        if b.startswith(first_line)
    ]
    return code


def _load(name: str, code: str, folder: Path):
    path = folder / f"{name.rsplit('.', 1)[-1]}.py"
    path.write_text(code, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def toy_family(tmp_path, monkeypatch):
    """The page's three pieces of code, with `Family` extended by its QUADRATIC member."""
    members = {m.name: m.value for m in verify.claim.Family} | {"QUADRATIC": "quadratic"}
    extended = Enum("Family", members)
    monkeypatch.setattr(verify.claim, "Family", extended)
    for name in ("verify.quadratic", "verify.claims.quadratic"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    numeric = _load("verify.quadratic", _block("# verify/quadratic.py"), tmp_path)
    monkeypatch.setattr(verify, "quadratic", numeric, raising=False)
    claims = _load("verify.claims.quadratic", _block("# verify/claims/quadratic.py"), tmp_path)
    monkeypatch.setitem(catalogue.FAMILIES, extended.QUADRATIC, claims)
    yield claims
    sys.modules.pop("verify.quadratic", None)
    sys.modules.pop("verify.claims.quadratic", None)


def test_the_toy_family_joins_the_catalogue_in_order(toy_family):
    ids = list(catalogue.catalogue())
    assert ids[-2:] == ["Q1", "Q2"] and ids.index("N2") < ids.index("Q1")
    assert [c.family.value for c in catalogue.select(["q1", "Q2"])] == ["quadratic"] * 2
    assert catalogue.select(["Q1"])[0].where.endswith("quadratic.py:12")


def test_the_toy_claims_are_decided(toy_family):
    proved, false = catalogue.select(["Q1", "Q2"])
    verified = run_claim(proved)
    assert verified.verdict is VerdictKind.VERIFIED and verified.digits > 40
    refuted = run_claim(false)
    assert refuted.verdict is VerdictKind.REFUTED and refuted.as_expected
