"""Benchmarks, each printed as a ratio against a slow reference measured in the same run.

1. Gradient flow of a depth-4 scalar network at 50 digits: Taylor integrator vs mpmath.odefun.
2. λ_max at 50 digits of a linear-network minimum with ≥ 100 parameters: through H1's small
   matrix M vs the eigenvalues of the full Hessian in mpmath (target: ≥ 100× faster; ~200×
   until issue 16, when `eigenvalues` stopped computing eigenvectors, which sped up the
   reference 6× and M 3×).
3. λ_max at 50 digits of a ~1,100-parameter minimum (target: < 1 s), beside a float64
   full-Hessian `numpy.linalg.eigvalsh` baseline (what PyHessian-style tools compute).
4. The symbolic Hessian of a depth-3, width-2 network: by structure (theory/linear.py) vs
   brute-force `sympy.hessian` (benchmarks/symbolic.py).
5. Exhaustive enumeration of the binary perceptron at N = 21 vs a per-vector Python loop
   (benchmarks/perceptron.py).
6. `flatminima sharpness --dps 50` (in-process) on [4, w, w, w, 4] at 960 and 3,192 parameters
   vs the float64 full-Hessian eigendecomposition (benchmarks/sharpness.py).
7. λ_max at a global minimum by every method (issue 16, point 5): float64 full-Hessian
   eigvalsh (the reference), power iteration and Lanczos on Hessian-vector products, the
   mpmath route, the certified enclosure, the exact tier; time ratios and correct digits
   against the certified value (benchmarks/methods.py).
8. `flatminima verify` of the whole quick catalogue with --workers 1 and --workers 2 (issue
   17, target ≥ 1.7× on 2 cores, the same JSON), and the per-task overhead of the cluster
   path on a small claim (benchmarks/workers.py).
"""

from __future__ import annotations

import time
from fractions import Fraction

import numpy as np

from verify import scalar
from verify.linear import curvature as cv
from verify.linear.network import LinearNetwork
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


def balanced_minimum(widths: tuple[int, ...], seed: int = 0) -> LinearNetwork:
    """A balanced minimum W_k = Q_k D Q_{k−1}ᵀ with random orthogonal Q_k (float64 entries,
    taken exactly as rationals, so the product is an exact global minimum)."""
    rng = np.random.default_rng(seed)
    r = min(widths)
    s = rng.uniform(0.5, 1.5, r)
    qs = [np.linalg.qr(rng.standard_normal((d, d)))[0] for d in widths]
    weights = []
    for k in range(1, len(widths)):
        core = np.zeros((widths[k], widths[k - 1]))
        core[range(r), range(r)] = s
        w = qs[k] @ core @ qs[k - 1].T
        weights.append(tuple(tuple(Fraction(float(x)) for x in row) for row in w))
    return LinearNetwork(tuple(weights))


def curvature_benchmarks(dps: int = 50) -> None:
    from sharpness import hessian64  # benchmarks/ is on sys.path as a script

    ctx = workcontext(dps)
    case = balanced_minimum((4, 6, 8, 4))
    net = case.at(ctx)
    params = sum(len(w) * len(w[0]) for w in case.weights)
    reduced, fast = timed(lambda: cv.sharpness(net))
    full, slow = timed(lambda: max(cv.eigenvalues(ctx, cv.full_hessian(net))))
    digits = int(-ctx.log10(abs(reduced - full) / reduced))
    print(
        f"λ_max, {params} parameters, {dps} digits: via M {fast:.3f}s, full Hessian "
        f"{slow:.1f}s, speed-up x{slow / fast:.0f}, agreement {min(digits, dps)} digits"
    )
    case = balanced_minimum((4, 18, 18, 18, 18, 4))
    params = sum(len(w) * len(w[0]) for w in case.weights)
    lam, fast = timed(lambda: cv.sharpness(case.at(ctx)))
    weights = [np.array([[float(x) for x in row] for row in w]) for w in case.weights]
    lam64, base = timed(lambda: np.linalg.eigvalsh(hessian64(weights))[-1])
    print(
        f"λ_max, {params} parameters, {dps} digits via M: {fast:.3f}s; float64 full-Hessian "
        f"eigvalsh baseline {base:.3f}s (ratio x{base / fast:.2f}); float64 is off by "
        f"{abs(lam64 - float(lam)) / float(lam):.1e} relative"
    )


if __name__ == "__main__":
    from methods import methods_benchmark  # benchmarks/ is on sys.path as a script
    from perceptron import enumeration_benchmark
    from sharpness import sharpness_benchmark
    from symbolic import symbolic_hessian_benchmark
    from workers import workers_benchmark

    flow_benchmark()
    curvature_benchmarks()
    symbolic_hessian_benchmark()
    enumeration_benchmark()
    sharpness_benchmark()
    methods_benchmark()
    workers_benchmark()
