"""Benchmark 5: exhaustive binary-perceptron enumeration (numpy, split fields) against a plain
per-vector Python loop, at a small N and extrapolated to N = 21 (cost ∝ 2^N · N · M)."""

from __future__ import annotations

import time
import tracemalloc

import numpy as np

from verify.perceptron import enumerate as en


def python_loop(xi: np.ndarray) -> list[float]:
    """min_μ wᵀξ^μ for every w, one vector at a time in plain Python."""
    n = xi.shape[1]
    rows = xi.tolist()
    out = []
    for x in range(1 << n):
        w = [1.0 if (x >> i) & 1 else -1.0 for i in range(n)]
        out.append(min(sum(wi * r for wi, r in zip(w, row, strict=True)) for row in rows))
    return out


def _time(fn) -> tuple[object, float]:
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def enumeration_benchmark(small: int = 13, large: int = 21, alpha: float = 0.5) -> None:
    m_small, m_large = en.patterns_count(small, alpha), en.patterns_count(large, alpha)
    xi = en.patterns("gaussian", small, m_small, 0)
    slow, loop = _time(lambda: python_loop(xi))
    fast, ours = _time(lambda: en.min_fields(xi))
    assert np.allclose(fast, slow, atol=1e-12)
    tracemalloc.start()
    inst, enum_time = _time(lambda: en.enumerate_instance("gaussian", large, m_large, 0))
    profile, profile_time = _time(lambda: en.local_entropy(inst))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    scale = 2 ** (large - small) * (large * m_large) / (small * m_small)
    print(
        f"enumeration, N = {small}, M = {m_small}: numpy {ours * 1e3:.1f} ms, Python loop "
        f"{loop:.2f} s, speed-up x{loop / ours:.0f}; N = {large}, M = {m_large}: margins of all "
        f"2^{large} vectors {enum_time:.2f} s, local-entropy profile of {len(inst.solutions)} "
        f"solutions {profile_time:.2f} s, peak memory {peak / 2**20:.0f} MiB; the Python loop "
        f"extrapolates to {loop * scale / 60:.0f} min (x{loop * scale / enum_time:.0f})"
    )
    del profile
