"""flatminima's numeric side: the public API for writing and running claims.

from verify import conjecture, cases, equal, at_most, evidence, run_claim

The names are imported on first use (PEP 562), so `import verify` alone — as the pytest
plugin does at pytest start-up — loads none of Hypothesis, mpmath or SymPy.
"""

from __future__ import annotations

import importlib
import sys
import types

_EXPORTS = {  # public name → the module defining it
    "Claim": "verify.claim",
    "Status": "verify.claim",
    "conjecture": "verify.conjectures",
    "Degenerate": "verify.evidence",
    "Vacuous": "verify.evidence",
    "Evidence": "verify.evidence",
    "at_most": "verify.evidence",
    "equal": "verify.evidence",
    "evidence": "verify.evidence",
    "observed": "verify.evidence",
    "Rule": "verify.population",
    "agreement": "verify.population",
    "tendency": "verify.population",
    "Verdict": "verify.runner",
    "VerdictKind": "verify.runner",
    "run_claim": "verify.runner",
}
_SUBMODULES = ("cases",)

__all__ = [
    "Claim",
    "Degenerate",
    "Evidence",
    "Rule",
    "Status",
    "Vacuous",
    "Verdict",
    "VerdictKind",
    "agreement",
    "at_most",
    "cases",
    "conjecture",
    "equal",
    "evidence",
    "observed",
    "run_claim",
    "tendency",
]


def __getattr__(name: str) -> object:
    """Import a public name on first use, then keep it as a module attribute."""
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


class _Package(types.ModuleType):
    """`verify.evidence` stays the function `evidence`, as with eager imports: importing the
    submodule verify.evidence would otherwise bind the module to that name."""

    def __setattr__(self, name: str, value: object) -> None:
        if name == "evidence" and isinstance(value, types.ModuleType):
            value = value.evidence
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
