"""The built-in claim catalogue: one module per source in verify/claims/, each with CLAIMS."""

from __future__ import annotations

import re
from collections.abc import Sequence

from verify.claim import Claim
from verify.claims import (
    baldassi,
    du_hu_lee,
    gardner,
    ginsburg,
    kamber_parhi,
    krauth_mezard,
    mulayoff,
    nonlinear_practice,
    training,
)
from verify.errors import FlatminimaError

_MODULES = (
    mulayoff,
    kamber_parhi,
    training,
    ginsburg,
    gardner,
    krauth_mezard,
    baldassi,
    du_hu_lee,
    nonlinear_practice,
)


class UnknownClaimError(FlatminimaError, KeyError):
    """An ID that is not in the catalogue."""

    def __str__(self) -> str:
        return str(self.args[0])


def catalogue() -> dict[str, Claim]:
    """Every built-in claim by ID, in THEORY.md order (H, F, G, P, N; by number)."""
    claims = [claim for module in _MODULES for claim in module.CLAIMS]
    return {claim.id: claim for claim in sorted(claims, key=_theory_order)}


def _theory_order(claim: Claim) -> tuple[int, int, str]:
    """H, F, G, P, N families in THEORY.md order, then the number, then a suffix (F4 < F4b)."""
    family, number, suffix = re.fullmatch(r"([A-Z])(\d+)(.*)", claim.id).groups()
    return "HFGPN".index(family), int(number), suffix


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
