"""The flattest sharpness over all global minima of a target T (THEORY.md F1, F2).

F1 (whitened):  min λ_max = N σ1^{2 − 2/N}.
F2 (any Σx):    min λ_max = N · max_{v≠0} f(v),  f(v) = ‖v‖^{2/N} ‖T v‖^{2−2/N} / (vᵀ Σx⁻¹ v).
The maximum of the scale-invariant log f is found by a float64 multi-start ascent and then
polished by Newton's method at working precision; the stationarity residual is reported.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from mpmath.ctx_mp import MPContext

from verify.evidence import Degenerate
from verify.linear.curvature import eigenvalues

ZERO_TARGET = "T = 0: the flattest minimum (all weights 0) has sharpness 0"


def top_singular_value(ctx: MPContext, t):
    """σ1(T) = sqrt(λ_max(TᵀT))."""
    return ctx.sqrt(max(eigenvalues(ctx, t.T * t)))


def flattest_whitened(ctx: MPContext, t, depth: int):
    """F1: N σ1^{2 − 2/N}."""
    sigma1 = top_singular_value(ctx, t)
    if sigma1 == 0:
        raise Degenerate(ZERO_TARGET)
    return depth * sigma1 ** (2 - ctx.mpf(2) / depth)


def _float_rows(m) -> tuple:
    return tuple(tuple(float(m[i, j]) for j in range(m.cols)) for i in range(m.rows))


@dataclass
class Flattest:
    """min λ_max over the global minima, the maximising direction v and |∇ log f(v)|."""

    value: object
    direction: list
    stationarity: object


@lru_cache(maxsize=1024)
def _ascent64(c_rows: tuple, k_rows: tuple, depth: int, starts: int = 24) -> np.ndarray:
    """A float64 maximiser of log f on the unit sphere (multi-start projected gradient);
    cached, since both working precisions start from the same float64 data."""
    c, k = np.array(c_rows), np.array(k_rows)
    d = c.shape[0]
    rng = np.random.default_rng(0)
    candidates = [*np.eye(d), *np.linalg.eigh(c)[1].T, *np.linalg.eigh(k)[1].T]
    candidates += list(rng.standard_normal((starts, d)))

    def log_f(v):
        return np.log(v @ v) / depth + (1 - 1 / depth) * np.log(v @ c @ v) - np.log(v @ k @ v)

    def grad(v):
        return 2 * (
            v / (v @ v) / depth + (1 - 1 / depth) * c @ v / (v @ c @ v) - k @ v / (v @ k @ v)
        )

    best, best_value = None, -np.inf
    for v in candidates:
        v = v / np.linalg.norm(v)
        if v @ c @ v <= 1e-14:
            continue
        step = 0.5
        for _ in range(300):
            trial = v + step * grad(v)
            trial /= np.linalg.norm(trial)
            if log_f(trial) > log_f(v):
                v, step = trial, step * 1.2
            else:
                step /= 2
                if step < 1e-14:
                    break
        if log_f(v) > best_value:
            best, best_value = v, log_f(v)
    if best is None:
        raise Degenerate(ZERO_TARGET)
    return best


def flattest(ctx: MPContext, t, sigma, depth: int) -> Flattest:
    """F2 at the precision of `ctx` (Σx symmetric positive definite)."""
    c, k = t.T * t, ctx.inverse(sigma)
    d = c.rows

    def log_gradient(v):
        cv, kv = c * v, k * v
        vv, vcv, vkv = (v.T * v)[0], (v.T * cv)[0], (v.T * kv)[0]
        return v / vv / depth + (1 - ctx.one / depth) * cv / vcv - kv / vkv

    def value(v):
        vv, vcv, vkv = (v.T * v)[0], (v.T * c * v)[0], (v.T * k * v)[0]
        return vv ** (ctx.one / depth) * vcv ** (1 - ctx.one / depth) / vkv

    start = _ascent64(_float_rows(c), _float_rows(k), depth)
    pivot = int(np.argmax(np.abs(start)))
    free = [i for i in range(d) if i != pivot]

    def vector(xs):
        v = ctx.matrix(d, 1)
        v[pivot] = 1
        for i, x in zip(free, xs, strict=True):
            v[i] = x
        return v

    if free:
        x0 = [ctx.mpf(start[i] / start[pivot]) for i in free]

        def equations(*xs):
            g = log_gradient(vector(xs))
            return [g[i] for i in free]

        solution = ctx.findroot(equations, x0)
        xs = [solution[i] for i in range(len(free))] if hasattr(solution, "rows") else [solution]
    else:
        xs = []
    v = vector(xs)
    v = v / ctx.norm(v)
    residual = ctx.norm(log_gradient(v))
    return Flattest(depth * value(v), [v[i] for i in range(d)], residual)
