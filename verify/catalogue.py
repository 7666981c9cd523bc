"""The built-in claim catalogue: one module of verify/claims/ per `Family`, each with CLAIMS."""

from __future__ import annotations

import re
from collections.abc import Sequence

from verify.claim import Claim, Family
from verify.claims import dynamics, linear, nonlinear, perceptron, scalar
from verify.errors import FlatminimaError

FAMILIES = {
    Family.LINEAR: linear,
    Family.SCALAR: scalar,
    Family.DYNAMICS: dynamics,
    Family.PERCEPTRON: perceptron,
    Family.NONLINEAR: nonlinear,
}  # each module's CLAIMS; a new family adds its enum member, module and docs page


class UnknownClaimError(FlatminimaError, KeyError):
    """An ID that is not in the catalogue."""

    def __str__(self) -> str:
        return str(self.args[0])


def catalogue() -> dict[str, Claim]:
    """Every built-in claim by ID, in `claim_order` (H, F, G, P, N; by number)."""
    claims = [claim for module in FAMILIES.values() for claim in module.CLAIMS]
    return {claim.id: claim for claim in sorted(claims, key=claim_order)}


LETTERS = ("H", "F", "G", "P", "N")  # curvature, flattest, dynamics, perceptron, nonlinear


def claim_order(claim: Claim) -> tuple[int, str, int, str]:
    """The built-in ID letters first, in LETTERS order, then other letters alphabetically;
    within a letter by number, then suffix (F4 < F4b < F5). IDs of another shape (X_1,
    conj-2) come last, alphabetically."""
    found = re.fullmatch(r"([A-Za-z]+)(\d+)(.*)", claim.id)
    if found is None:
        return len(LETTERS) + 1, claim.id, 0, ""
    letters, number, suffix = found.groups()
    rank = LETTERS.index(letters) if letters in LETTERS else len(LETTERS)
    return rank, letters, int(number), suffix


def select(ids: list[str] | tuple[str, ...] = (), extra: Sequence[Claim] = ()) -> list[Claim]:
    """Claims with the given IDs (case-insensitive) among the catalogue and `extra` (user
    conjectures); with no IDs, every `extra` claim if there are any, else the catalogue."""
    if not ids and extra:
        return list(extra)
    claims = catalogue() | {claim.id: claim for claim in extra}
    if not ids:
        return list(claims.values())
    by_name = {key.casefold(): claim for key, claim in claims.items()}
    unknown = [i for i in ids if i.casefold() not in by_name]
    if unknown:
        raise UnknownClaimError(f"unknown claim {', '.join(unknown)} (known: {', '.join(claims)})")
    return [by_name[i.casefold()] for i in ids]
