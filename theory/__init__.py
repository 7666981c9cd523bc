"""Symbolic theory: SymPy models, derivations as data, and their LaTeX printer.

Every module listed in `_MODULES` exposes `DERIVATIONS`, a tuple of `Derivation`s; register
a new module by adding it there.
"""

from __future__ import annotations

import re

from theory import balance, dynamics, linear, nonlinear, perceptron, scalar
from theory.derivation import CheckResult, Derivation, Step

__all__ = ["CheckResult", "Derivation", "Step", "derivation", "derivations"]

_MODULES = (scalar, balance, dynamics, linear, perceptron, nonlinear)


def _claim_order(claim: str) -> tuple[str, int, str]:
    """Letters, then number: G2 before G10."""
    letters, number, rest = re.fullmatch(r"([A-Za-z]*)(\d*)(.*)", claim).groups()
    return letters, int(number or 0), rest


def _registry() -> dict[str, Derivation]:
    found: dict[str, Derivation] = {}
    for module in _MODULES:
        for item in module.DERIVATIONS:
            if item.claim in found:
                raise ValueError(f"two derivations for claim {item.claim}")
            found[item.claim] = item
    return dict(sorted(found.items(), key=lambda entry: _claim_order(entry[0])))


_REGISTRY = _registry()


def derivations() -> list[Derivation]:
    """Every registered derivation, ordered by claim ID."""
    return list(_REGISTRY.values())


def derivation(claim_id: str) -> Derivation | None:
    """The derivation of one claim, or None."""
    return _REGISTRY.get(claim_id)
