"""Cases and numbers as JSON-ready data and as short readable text (rationals as p/q)."""

from __future__ import annotations

import dataclasses
from fractions import Fraction

from mpmath.ctx_mp import MPContext


def case_data(case: object) -> object:
    """A case as JSON-ready data: dataclasses become dicts, rationals 'p/q' strings."""
    if dataclasses.is_dataclass(case) and not isinstance(case, type):
        return {f.name: case_data(getattr(case, f.name)) for f in dataclasses.fields(case)}
    if isinstance(case, Fraction):
        return str(case)
    if isinstance(case, list | tuple):
        return [case_data(item) for item in case]
    if isinstance(case, dict):
        return {str(k): case_data(v) for k, v in case.items()}
    if isinstance(case, int | float | str | bool) or case is None:
        return case
    return str(case)


def case_text(case: object) -> str:
    """A case as one readable line: `weights=(1, 1/2), target=1, step=1/100, steps=1`."""

    def fmt(value: object) -> str:
        if isinstance(value, dict):
            return ", ".join(f"{k}={fmt(v)}" for k, v in value.items())
        if isinstance(value, list):
            return "(" + ", ".join(fmt(v) for v in value) + ")"
        return str(value)

    return fmt(case_data(case))


def number_text(ctx: MPContext, value: object, digits: int) -> str:
    """A computed number as a decimal string with `digits` significant digits."""
    if hasattr(value, "context") or isinstance(value, float):
        return ctx.nstr(value, digits)
    return str(value)
