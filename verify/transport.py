"""Cases and per-case results between processes: pickle, with mpmath's own numbers rebuilt.

A private mpmath context (`precision.workcontext`) makes number and matrix classes of its
own, which pickle cannot name. `pack` writes such a context as its binary precision, each of
its numbers as its exact binary value (`_mpf_`, `_mpc_`: no rounding) and a matrix as its
shape and entries; `unpack` makes one fresh context per packed context, at the same
precision, and rebuilds the numbers in it, so a result and its context are unpacked together
(`CaseResult.ctx` is the context of `CaseResult.evidence`'s numbers). Numbers of mpmath's
global context `mp` pickle as usual. Anything else that cannot pickle raises PackError.
"""

from __future__ import annotations

import io
import pickle

import mpmath
from mpmath.ctx_mp import MPContext
from mpmath.ctx_mp_python import _mpc, _mpf
from mpmath.matrices.matrices import _matrix


class PackError(ValueError):
    """The object holds something that cannot be sent to another process."""


def _context(prec: int) -> MPContext:
    ctx = mpmath.MPContext()
    ctx.prec = prec
    return ctx


def _global_context() -> MPContext:
    return mpmath.mp


def _real(ctx: MPContext, value: tuple):
    return ctx.make_mpf(value)


def _complex(ctx: MPContext, value: tuple):
    return ctx.make_mpc(value)


def _matrix_of(ctx: MPContext, rows: int, cols: int, entries: list):
    built = ctx.matrix(rows, cols)
    for i, row in enumerate(entries):
        for j, entry in enumerate(row):
            built[i, j] = entry
    return built


class _Pickler(pickle.Pickler):
    def reducer_override(self, obj):
        if isinstance(obj, MPContext):
            return (_global_context, ()) if obj is mpmath.mp else (_context, (obj.prec,))
        if isinstance(obj, _mpf | _mpc | _matrix):
            ctx = obj.ctx if isinstance(obj, _matrix) else obj.context
            if ctx is mpmath.mp:
                return NotImplemented
            if isinstance(obj, _matrix):
                return _matrix_of, (ctx, obj.rows, obj.cols, obj.tolist())
            if isinstance(obj, _mpf):
                return _real, (ctx, obj._mpf_)
            return _complex, (ctx, obj._mpc_)
        return NotImplemented


def pack(obj: object) -> bytes:
    """`obj` as bytes `unpack` turns back into an equal object, or PackError naming what
    could not be packed."""
    out = io.BytesIO()
    try:
        _Pickler(out, protocol=pickle.HIGHEST_PROTOCOL).dump(obj)
    except (pickle.PicklingError, TypeError, AttributeError) as exc:
        raise PackError(f"cannot send {type(obj).__name__} to a worker: {exc}") from None
    return out.getvalue()


def unpack(data: bytes) -> object:
    """The object `pack` wrote."""
    return pickle.loads(data)


def same(a: object, b: object) -> bool:
    """Whether two cases pack to the same bytes (the same values, built alike); False when
    either cannot be packed."""
    try:
        return pack(a) == pack(b)
    except PackError:
        return False
