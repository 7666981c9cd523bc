"""Benchmark: the symbolic Hessian of a deep linear network, by structure vs by brute force.

The depth-3, width-2 network (d_0 = d_1 = d_2 = d_3 = 2: 12 parameters, symbolic weights and
target, whitened data) at a general point: `theory.linear.structured_hessian` (Kronecker
Gauss–Newton blocks plus residual blocks, from products of small matrices) against
`sympy.hessian` of the loss. Both results are checked to agree: their difference expands to 0.

If `symengine` is importable (it is not a dependency), the brute force in symengine, with the
result converted back to SymPy expressions in the same symbols (what `theory` needs), is timed
too and reported; it is only worth using if it beats the structured construction.

Run as `python benchmarks/symbolic.py`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

import sympy
from sympy.core.cache import clear_cache

from theory.linear import LinearNetwork, structured_hessian

Result = TypeVar("Result")


def best_time(build: Callable[[], Result], repeats: int = 3) -> tuple[Result, float]:
    """The result of `build` and its fastest time in seconds, SymPy's cache cleared each run."""
    best = float("inf")
    for _ in range(repeats):
        clear_cache()
        start = time.perf_counter()
        result = build()
        best = min(best, time.perf_counter() - start)
    return result, best


def _symengine_hessian(net: LinearNetwork) -> Callable[[], sympy.ImmutableMatrix] | None:
    """Brute force in symengine, back in SymPy's symbols; None without symengine."""
    try:
        import symengine  # optional: not a dependency
    except ImportError:
        return None

    symbols = {sympy.Symbol(s.name): s for s in net.loss.free_symbols}  # with assumptions

    def build() -> sympy.ImmutableMatrix:
        loss = symengine.sympify(net.loss)
        parameters = [symengine.sympify(p) for p in net.parameters]
        gradient = [loss.diff(p) for p in parameters]
        n = len(parameters)
        hessian = symengine.DenseMatrix(
            n, n, [gradient[i].diff(parameters[j]) for i in range(n) for j in range(n)]
        )
        return sympy.ImmutableMatrix(hessian).xreplace(symbols)

    return build


def _agree(h: sympy.MatrixBase, reference: sympy.MatrixBase) -> bool:
    """Does h − reference expand to 0 entrywise?"""
    return all(sympy.expand(a - b) == 0 for a, b in zip(h, reference, strict=True))


def symbolic_hessian_benchmark(widths: tuple[int, ...] = (2, 2, 2, 2)) -> None:
    """Print one line: structure vs `sympy.hessian` (and symengine, if installed)."""
    net = LinearNetwork(widths)
    structured, fast = best_time(lambda: structured_hessian(net))
    brute, slow = best_time(lambda: sympy.hessian(net.loss, net.parameters))
    agree = "agree (difference expands to 0)" if _agree(structured, brute) else "DISAGREE"
    line = (
        f"symbolic ∇²L, depth {net.n}, widths {'-'.join(map(str, widths))}, "
        f"{len(net.parameters)} parameters, symbolic T, whitened: structure {fast * 1e3:.1f} ms, "
        f"sympy.hessian {slow * 1e3:.1f} ms, speed-up x{slow / fast:.1f}, {agree}"
    )
    build = _symengine_hessian(net)
    if build is None:
        line += "; symengine not installed"
    else:
        result, other = best_time(build)
        verdict = "pays" if other < fast else "does not pay"
        ok = "" if _agree(result, brute) else ", DISAGREES"
        line += f"; symengine brute force + back to SymPy {other * 1e3:.1f} ms ({verdict}{ok})"
    print(line)


if __name__ == "__main__":
    symbolic_hessian_benchmark()
