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


def _terms(ctx: MPContext, c, k, depth: int) -> list[tuple[object, object]]:
    """log f = Σ weight · log(vᵀAv) over (weight, A) = (1/N, I), (1 − 1/N, C), (−1, K)."""
    return [(ctx.one / depth, ctx.eye(c.rows)), (1 - ctx.one / depth, c), (-ctx.one, k)]


def _newton_step(ctx: MPContext, terms, v):
    """−H⁺∇ of log f at a unit v within the tangent space (I − vvᵀ), with ∇ = Σ 2w Av/q and
    H = Σ 2w (A/q − 2 Av vᵀA/q²), q = vᵀAv; the pseudo-inverse drops the radial direction
    (log f is scale invariant) and any flat directions of a degenerate maximum."""
    grad, hess = ctx.matrix(v.rows, 1), ctx.matrix(v.rows, v.rows)
    for weight, a in terms:
        av = a * v
        q = (v.T * av)[0]
        grad += 2 * weight * av / q
        hess += 2 * weight * (a / q - 2 * av * av.T / q**2)
    tangent = ctx.eye(v.rows) - v * v.T
    grad, hess = tangent * grad, tangent * hess * tangent
    values, vectors = ctx.eigsy(hess)
    cutoff = max(abs(values[i]) for i in range(v.rows)) * ctx.mpf(10) ** (-ctx.dps // 2)
    step = ctx.matrix(v.rows, 1)
    for i in range(v.rows):
        if abs(values[i]) > cutoff:
            u = vectors[:, i]
            step -= u * ((u.T * grad)[0] / values[i])
    return step, grad


def flattest(ctx: MPContext, t, sigma, depth: int, iterations: int = 60) -> Flattest:
    """F2 at the precision of `ctx` (Σx symmetric positive definite): Newton's method on the
    unit sphere from the float64 maximiser, with a pseudo-inverse Hessian (maxima may be
    degenerate, e.g. for repeated singular values) and backtracking so log f never drops."""
    c, k = t.T * t, ctx.inverse(sigma)
    terms = _terms(ctx, c, k, depth)

    def log_f(v):
        return ctx.fsum(w * ctx.log((v.T * a * v)[0]) for w, a in terms)

    start = _ascent64(_float_rows(c), _float_rows(k), depth)
    v = ctx.matrix([ctx.mpf(x) for x in start])
    v /= ctx.norm(v)
    goal, rounding = ctx.mpf(10) ** (5 - ctx.dps), ctx.mpf(10) ** (5 - ctx.dps)
    for _ in range(iterations):
        step, grad = _newton_step(ctx, terms, v)
        if ctx.norm(grad) <= goal or ctx.norm(step) <= ctx.eps:
            break
        floor = log_f(v) - rounding * max(ctx.one, abs(log_f(v)))  # no drop beyond rounding
        for _ in range(60):
            trial = (v + step) / ctx.norm(v + step)
            if log_f(trial) >= floor:
                break
            step /= 2
        else:
            break
        v = trial
    residual = ctx.norm(_newton_step(ctx, terms, v)[1]) / 2
    return Flattest(depth * ctx.exp(log_f(v)), [v[i] for i in range(v.rows)], residual)
