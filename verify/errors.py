"""flatminima's error base class, and where in the source an exception was raised.

Every user-facing problem (a bad option, input file, conjecture or case) is a
`FlatminimaError`; the command line reports it as one line, anything else is an internal error.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the project root, holding verify/ and theory/
SOURCE_TREE = (ROOT / "verify", ROOT / "theory")


class FlatminimaError(Exception):
    """A problem the user can fix, reported as one line (no traceback)."""


class InvalidClaim(FlatminimaError, TypeError):
    """A claim built from the wrong kind of parts (cases not a strategy, check not callable)."""


def _frame(
    exc: BaseException, inside: Callable[[str], bool], ignore: str = ""
) -> traceback.FrameSummary | None:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename != ignore]
    chosen = [f for f in frames if inside(f.filename)] or frames[-1:]
    return chosen[-1] if chosen else None


def raised_at(exc: BaseException, inside: Callable[[str], bool]) -> str:
    """`file:line` of the innermost frame of `exc`'s traceback whose file satisfies `inside`,
    else of the innermost frame ("" without a traceback)."""
    frame = _frame(exc, inside)
    return "" if frame is None else f"{frame.filename}:{frame.lineno}"


def in_source_tree(filename: str) -> bool:
    """Is `filename` one of flatminima's own source files (below verify/ or theory/)?"""
    path = Path(filename).resolve()
    return any(path.is_relative_to(package) for package in SOURCE_TREE)


def source_location(exc: BaseException, ignore: str = "") -> str:
    """`file:line` of the innermost frame of `exc` in flatminima's source tree, relative to
    the project root (`verify/claims/scalar.py:123`), else of the innermost frame; frames of
    the file `ignore` (the catching module's own) are left out."""
    frame = _frame(exc, in_source_tree, ignore)
    if frame is None:
        return ""
    path = Path(frame.filename)
    shown = path.resolve().relative_to(ROOT) if in_source_tree(frame.filename) else path
    return f"{shown.as_posix()}:{frame.lineno}"
