"""Cases and numbers as JSON-ready data, as short readable text (rationals as p/q), and as
Python source to paste into `examples=[...]`."""

from __future__ import annotations

import dataclasses
import enum
import math
import re
import sys
from collections.abc import Callable
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
        return number_shown(value)

    return fmt(case_data(case))


def tier_text(record: dict) -> str:
    """A record's tier as every printer shows it: `symbolic (N = 2…6) + exact`, `certified`,
    `mpmath`, `-` (a symbolic tier names the numeric one its cases reached beside it);
    `statistical` for a claim decided over a population (it has no precision tier)."""
    if record.get("kind") == "statistical":
        return "statistical"
    tier = record.get("tier")
    if tier is None:
        return "-"
    shown = f"{tier} ({record['scope']})" if record.get("scope") else tier
    numeric = record.get("numeric_tier")
    return f"{shown} + {numeric}" if numeric and numeric != tier else shown


def support_text(record: dict) -> str:
    """What every printer shows in the digits column: `49` (digits), `7/8` (experiments
    supporting a statistical claim), `-` (neither)."""
    found = record.get("support")
    if found is not None:
        return f"{found['supporting']}/{found['experiments']}"
    return "-" if record["digits"] is None else f"{int(record['digits'])}"


def number_text(ctx: MPContext, value: object, digits: int) -> str:
    """A computed number as a decimal string with `digits` significant digits (lists and tuples
    of numbers as "[a, b, …]"); anything else as str()."""
    if hasattr(value, "context") or isinstance(value, float):
        return ctx.nstr(value, digits)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(number_text(ctx, v, digits) for v in value) + "]"
    return str(value)


_EXACT = re.compile(r"-?\d+(/\d+)?")  # integers and rationals p/q: printed exactly
_DECIMAL = re.compile(r"-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")


def number_shown(text: object, digits: int | None = None) -> str:
    """How every printer shows a value of the JSON: a decimal string rounded to `digits`
    significant digits (None: as computed) keeping its sign and exponent (1.855e-79,
    -6.747e-80, 1.0e+40), at any exponent; integers and rationals p/q exactly; a list
    "[a, b]" element by element; any other text unchanged."""
    shown = str(text)
    if shown.startswith("[") and shown.endswith("]"):
        parts = shown[1:-1].split(", ") if len(shown) > 2 else []
        return "[" + ", ".join(number_shown(part, digits) for part in parts) + "]"
    if digits is None or _EXACT.fullmatch(shown) or not _DECIMAL.fullmatch(shown):
        return shown
    ctx = MPContext()
    ctx.dps = max(digits, sum(c.isdigit() for c in shown)) + 5
    return ctx.nstr(ctx.mpf(shown), digits)


def effect_text(name: str, effect: dict) -> str:
    """A statistical claim's effect as every printer shows it: `Δ_align: 0.378 [0.219, 0.524]`
    (mean over experiments and its 90% interval, through `number_shown`)."""
    low, high = effect["interval"]
    mean, low, high = (number_shown(repr(float(x)), 3) for x in (effect["mean"], low, high))
    return f"{name}: {mean} [{low}, {high}]"


class NotExpressible(ValueError):
    """A value inside a case that `case_source` cannot write as Python."""


def case_source(case: object) -> str:
    """Python that rebuilds `case`: the import lines, then `EXAMPLE = <expression>`, e.g.
    `EXAMPLE = ScalarNetwork(weights=(Fraction(1, 2), Fraction(2, 1)), target=Fraction(1, 1))`.

    Dataclasses become constructor calls (their init fields, by keyword), Fractions
    `Fraction(p, q)`, numpy scalars Python numbers and numpy arrays `array(..., dtype=...)`;
    any other value that is not an int/float/str/bool/None/tuple/list/dict/set raises
    NotExpressible naming where in the case it is.
    """
    used: list[object] = []
    _python(case, "EXAMPLE", lambda obj: obj.__qualname__, used)  # which names, first
    names, imports = _spellings(used)
    expression = _python(case, "EXAMPLE", names.__getitem__, [])
    return "".join(line + "\n" for line in sorted(imports)) + f"\nEXAMPLE = {expression}\n"


def _spellings(used: list[object]) -> tuple[dict[object, str], set[str]]:
    """How each class (or function) is spelled, and its import: `from m import C`, or
    `import m` and `m.C` when two of them share a name."""
    names, imports = {}, set()
    for obj in used:
        top = obj.__qualname__.split(".")[0]
        if any(o.__qualname__.split(".")[0] == top for o in used if o is not obj):
            names[obj] = f"{obj.__module__}.{obj.__qualname__}"
            imports.add(f"import {obj.__module__}")
        else:
            names[obj] = obj.__qualname__
            imports.add(f"from {obj.__module__} import {top}")
    return names, imports


def _importable(obj: object, where: str) -> object:
    """`obj` (a class or function) if importing its `__qualname__` from `__module__` finds
    it again (not for classes local to a function or to a module no longer loaded)."""
    found = sys.modules.get(obj.__module__)
    for part in obj.__qualname__.split("."):
        found = getattr(found, part, None)
    if found is not obj:
        raise NotExpressible(f"{where}: {obj.__module__} does not provide {obj.__qualname__}")
    return obj


def _python(value: object, where: str, name: Callable[[object], str], used: list) -> str:
    """One value as a Python expression; each class or function it calls is added to `used`."""

    def use(obj: object) -> str:
        if not any(obj is o for o in used):
            used.append(_importable(obj, where))
        return name(obj)

    def inner(item: object, at: str) -> str:
        return _python(item, at, name, used)

    if type(value).__module__ == "numpy" and hasattr(value, "tolist"):
        if not value.shape:  # a numpy scalar: the Python number it equals
            return inner(value.item(), where)
        array = use(sys.modules["numpy"].array)
        return f"{array}({inner(value.tolist(), where)}, dtype={str(value.dtype)!r})"
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = [f for f in dataclasses.fields(value) if f.init]
        args = (f"{f.name}={inner(getattr(value, f.name), f'{where}.{f.name}')}" for f in fields)
        return f"{use(type(value))}({', '.join(args)})"
    if isinstance(value, enum.Enum):
        return f"{use(type(value))}.{value.name}"
    if isinstance(value, Fraction):
        return f"{use(Fraction)}({value.numerator}, {value.denominator})"
    if value is None or type(value) in (bool, int, str):
        return repr(value)
    if type(value) is float:
        return repr(value) if math.isfinite(value) else f"float({str(value)!r})"
    if type(value) in (tuple, list):
        items = [inner(item, f"{where}[{i}]") for i, item in enumerate(value)]
        text = ", ".join(items) + ("," if len(items) == 1 and type(value) is tuple else "")
        return f"({text})" if type(value) is tuple else f"[{text}]"
    if type(value) is dict:
        pairs = (f"{inner(k, where)}: {inner(v, f'{where}[{k!r}]')}" for k, v in value.items())
        return "{" + ", ".join(pairs) + "}"
    if type(value) in (set, frozenset):
        items = ", ".join(sorted(inner(item, where) for item in value))
        if type(value) is set and items:
            return "{" + items + "}"
        return f"{type(value).__name__}({{{items}}})" if items else f"{type(value).__name__}()"
    kind = f"{type(value).__module__}.{type(value).__qualname__}"
    raise NotExpressible(f"{where} has no Python form: a {kind}, {_short(value)}")


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
