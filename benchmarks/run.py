"""Benchmarks, each printed as a ratio against the slow reference measured in the same run.

1. Gradient flow of a depth-4 scalar network to t = 2 at 50 digits: our Taylor integrator
   (verify.taylor) against mpmath.odefun, with the digits to which both agree.
"""

from __future__ import annotations

import time

from verify import scalar
from verify.precision import workcontext


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def flow_benchmark(dps: int = 50) -> None:
    ctx = workcontext(dps)
    w0 = [ctx.mpf(1) / 2, ctx.mpf(3) / 2, ctx.mpf(5) / 4, ctx.mpf(4) / 5]
    horizon = 2

    def field(t, ws):
        g = scalar.others(ws) - 1
        return [-(g * scalar.others(ws, i)) for i in range(len(ws))]

    ours, fast = timed(lambda: scalar.flow(ctx, w0, ctx.one, horizon))
    reference, slow = timed(lambda: ctx.odefun(field, 0, w0)(horizon))
    gap = max(abs(a - b) for a, b in zip(ours, reference, strict=True))
    digits = int(-ctx.log10(gap)) if gap else dps
    print(
        f"gradient flow, depth 4, t = {horizon}, {dps} digits: taylor {fast:.3f}s, "
        f"mpmath.odefun {slow:.3f}s, speed-up x{slow / fast:.1f}, agreement {digits} digits"
    )


if __name__ == "__main__":
    flow_benchmark()
