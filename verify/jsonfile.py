"""Reading a user's JSON file (a network, a `verify --json` run) with one-line errors.

Every way a file can be unreadable becomes the caller's `FlatminimaError` subclass naming the
file and the problem: missing, a folder, a dangling symlink, not permitted (the file or a
folder above it), too large, not UTF-8 (a UTF-8 BOM is skipped), not JSON (with line and
column), nested too deeply, a number with too many digits.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

from verify.errors import FlatminimaError

MAX_BYTES = 1_000_000  # network files and results files are far smaller; refuse larger ones


def _encoding_problem(raw: bytes, exc: UnicodeDecodeError) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "is UTF-16 text, not UTF-8 (save it as UTF-8)"
    return f"is not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start})"


def _unreadable(path: Path, exc: OSError) -> str:
    """Why `path` could not be read: a dangling symbolic link, or the error's own reason (also
    when its folder cannot even be searched, so that asking about a link fails too)."""
    try:
        dangling = path.is_symlink() and not path.exists()
    except OSError:
        dangling = False
    return "a dangling symbolic link" if dangling else exc.strerror


def read_json(
    path: Path,
    error: type[FlatminimaError] = FlatminimaError,
    max_bytes: int = MAX_BYTES,
    parse_float: Callable[[str], object] | None = None,
    parse_constant: Callable[[str], object] | None = None,
) -> object:
    """The decoded JSON of `path`, or `error(one line naming path and the problem)`."""
    try:
        if path.is_dir():
            raise error(f"cannot read {path}: it is a folder")
        size = path.stat().st_size
        if size > max_bytes:
            raise error(f"{path} is {size:,} bytes; the limit is {max_bytes:,}")
        raw = path.read_bytes()
    except OSError as exc:
        raise error(f"cannot read {path}: {_unreadable(path, exc)}") from None
    if not raw.strip():
        raise error(f"{path} is empty")
    try:
        text = raw.decode("utf-8-sig")  # a UTF-8 byte-order mark is skipped
    except UnicodeDecodeError as exc:
        raise error(f"{path} {_encoding_problem(raw, exc)}") from None
    try:
        return json.loads(text, parse_float=parse_float, parse_constant=parse_constant)
    except json.JSONDecodeError as exc:
        raise error(f"{path}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}") from None
    except RecursionError:
        raise error(f"{path} is not usable JSON: nested too deeply") from None
    except ValueError as exc:  # an integer of more than sys.get_int_max_str_digits() digits
        if "integer string conversion" not in str(exc):
            raise
        limit = sys.get_int_max_str_digits()
        raise error(f"{path} holds an integer of more than {limit} digits") from None
