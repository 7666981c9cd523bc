"""The flattest sharpness over all global minima of a target T (docs/claims/linear.md, F1, F2).

F1 (whitened):  min λ_max = N σ1^{2 − 2/N}.
F2 (any Σx):    min λ_max = N · max_{v≠0} f(v),  f(v) = ‖v‖^{2/N} ‖T v‖^{2−2/N} / (vᵀ Σx⁻¹ v).
The maximum of the scale-invariant log f is found by a float64 multi-start ascent (one start
from the convex dual below, on C = TᵀT and Σx⁻¹ rescaled to unit size) and then polished by
Newton's method at working precision from it and from two working-precision starts (ties that
float64 cannot rank); the stationarity residual is reported.

Attainment (`attaining_minimum`): with T = L R (LᵀL = I_r, r = rank T) and ρ = (‖Tv‖/‖v‖)^{1/N}
at the maximiser v, the global minimum W_1 = ρ^{1−N} J_1 R, W_k = ρ J_k J_{k−1}ᵀ, W_N = ρ L J_{N−1}ᵀ
(J_k = [I_r; 0]) has M = X ⊗ LLᵀ + Y ⊗ (I − LLᵀ) with X = S(ρ^{2N−2} I + (N−1)ρ^{−2} TᵀT)S,
Y = ρ^{−2} S TᵀT S ⪯ X, so λ_max = max_u (ρ^{2N−2}‖u‖² + (N−1)ρ^{−2}‖Tu‖²)/(uᵀΣx⁻¹u), and this
equals N f(v) exactly when v is a global maximiser of f: min_ρ of it is the convex dual of F2.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from mpmath.ctx_mp import MPContext

from verify.evidence import Degenerate, InvalidCase
from verify.linear.curvature import spd_sqrt, spectral_norm, top_eigenvector
from verify.linear.network import LinearNetwork, Net, Rows, column_factorization, rows_at

ZERO_TARGET = "T = 0: the flattest minimum (all weights 0) has sharpness 0"


def top_singular_value(ctx: MPContext, t):
    """σ1(T) = ‖T‖₂ = sqrt(λ_max(TᵀT))."""
    return spectral_norm(ctx, t)


def flattest_whitened(ctx: MPContext, t, depth: int):
    """F1: N σ1^{2 − 2/N}."""
    sigma1 = top_singular_value(ctx, t)
    if sigma1 == 0:
        raise Degenerate(ZERO_TARGET)
    return depth * sigma1 ** (2 - ctx.mpf(2) / depth)


def _float_rows(m) -> tuple:
    """m / max|m_ij| in float64: log f's maximiser does not change when C or K is scaled, and
    unscaled entries of a deep network's TᵀT (e.g. 10^±600) overflow or vanish in float64
    (which had made the float64 ascent find no direction and report T = 0)."""
    largest = max((abs(m[i, j]) for i in range(m.rows) for j in range(m.cols)), default=0)
    scale = largest if largest else 1
    return tuple(tuple(float(m[i, j] / scale) for j in range(m.cols)) for i in range(m.rows))


@dataclass
class Flattest:
    """min λ_max over the global minima, the maximising direction v and |∇ log f(v)|, with
    the magnitude its rounding error scales with: Σ |w| ‖A‖_F / vᵀAv over log f's terms (an
    ill-conditioned Σx makes ‖Σx⁻¹v‖ cancel from ~‖Σx⁻¹‖ down to ~1 at the maximiser)."""

    value: object
    direction: list
    stationarity: object
    stationarity_size: object = 1


def _dual64(c: np.ndarray, k: np.ndarray, depth: int) -> list[np.ndarray]:
    """Starts from the convex dual of max f: h(t) = λ_max of the pencil
    (e^{−(N−1)t} I + (N−1) e^t C, Σx⁻¹) is convex in t and min_t h = N max f (the attainment
    argument); golden-section search for t*, then the pencil's top eigenvectors at t* and
    combinations of the top two (the maximiser, when the top eigenvalue is double at t*)."""
    values, vectors = np.linalg.eigh(k)
    root = vectors @ np.diag(values**-0.5) @ vectors.T  # Σx^{1/2} = (Σx⁻¹)^{−1/2}
    d = c.shape[0]

    def pencil(t):  # far out, e^t overflows to inf or nan: the search below then stops
        with np.errstate(over="ignore", invalid="ignore"):
            return np.linalg.eigh(
                root @ (np.exp(-(depth - 1) * t) * np.eye(d) + (depth - 1) * np.exp(t) * c) @ root
            )

    def h(t):
        return pencil(t)[0][-1]

    lo = hi = -np.log(max(np.linalg.eigvalsh(c)[-1], 1e-300)) / depth  # t* ≥ this
    lo, step = lo - 1, 1.0
    while h(hi + step) < h(hi) and step < 1e6:
        hi, step = hi + step, 2 * step
    hi += step
    golden = (np.sqrt(5) - 1) / 2
    for _ in range(80):
        a, b = hi - golden * (hi - lo), lo + golden * (hi - lo)
        lo, hi = (lo, b) if h(a) <= h(b) else (a, hi)
    top = pencil((lo + hi) / 2)[1]
    angles = np.linspace(0, np.pi, 16, endpoint=False)
    pairs = [np.cos(a) * top[:, -1] + np.sin(a) * top[:, -2] for a in angles] if d > 1 else []
    return [root @ u for u in [*top.T, *pairs]]


@lru_cache(maxsize=1024)
def _ascent64(c_rows: tuple, k_rows: tuple, depth: int, starts: int = 24) -> np.ndarray:
    """A float64 maximiser of log f on the unit sphere (multi-start projected gradient, with
    starts from the convex dual, so a local maximum does not win); cached, since both working
    precisions start from the same float64 data."""
    c, k = np.array(c_rows), np.array(k_rows)
    d = c.shape[0]
    rng = np.random.default_rng(0)
    candidates = [*np.eye(d), *np.linalg.eigh(c)[1].T, *np.linalg.eigh(k)[1].T]
    candidates += _dual64(c, k, depth)
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
    """|H|⁺∇ of log f at a unit v within the tangent space (I − vvᵀ), with ∇ = Σ 2w Av/q and
    H = Σ 2w (A/q − 2 Av vᵀA/q²), q = vᵀAv: Newton's step −H⁺∇ near a maximum (H ≺ 0), uphill
    where H has positive eigenvalues (near a saddle or minimum, where −H⁺∇ goes downhill); the
    pseudo-inverse drops the radial direction (log f is scale invariant) and any flat
    directions of a degenerate maximum."""
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
            step += u * ((u.T * grad)[0] / abs(values[i]))  # uphill where H is not concave
    return step, grad


def _polish(ctx: MPContext, terms, log_f, v, iterations: int):
    """Newton's method on the unit sphere from v, backtracking so log f never drops."""
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
    return v


def _starts(ctx: MPContext, c, sigma, start64) -> list:
    """Where Newton starts: the float64 maximiser, and at working precision the top
    eigenvector of C = TᵀT and Σx^{1/2} u for the top eigenvector u of Σx^{1/2} C Σx^{1/2}
    (the maximisers when Σx = I, or when the ‖v‖ term is dropped). Float64 cannot rank
    directions whose f differ by less than ~1e-16 (T = diag(1, 1 + 1e-40)): these can."""
    root = spd_sqrt(ctx, sigma)
    starts = [ctx.matrix([ctx.mpf(x) for x in start64]), top_eigenvector(ctx, c)]
    starts.append(root * top_eigenvector(ctx, root * c * root))
    return [v / ctx.norm(v) for v in starts if ctx.norm(v) > 0 and (v.T * c * v)[0] > 0]


def flattest(ctx: MPContext, t, sigma, depth: int, iterations: int = 60) -> Flattest:
    """F2 at the precision of `ctx` (Σx symmetric positive definite): Newton's method on the
    unit sphere from the float64 maximiser, and from each other of `_starts` that is already
    higher than where that ends, with a pseudo-inverse Hessian whose eigenvalues are taken
    negative (each step goes uphill; maxima may be degenerate, e.g. for repeated singular
    values) and backtracking so log f never drops; the best end point wins."""
    c, k = t.T * t, ctx.inverse(sigma)
    terms = _terms(ctx, c, k, depth)

    def log_f(v):  # −∞ off the support of C (a trial step into its null space)
        quadratics = [(v.T * a * v)[0] for _, a in terms]
        if min(quadratics) <= 0:
            return ctx.ninf
        return ctx.fsum(w * ctx.log(q) for (w, _), q in zip(terms, quadratics, strict=True))

    first, *others = _starts(ctx, c, sigma, _ascent64(_float_rows(c), _float_rows(k), depth))
    v = _polish(ctx, terms, log_f, first, iterations)
    for start in others:  # polished only when it already beats the float64 start's maximum
        if log_f(start) > log_f(v):
            v = max(v, _polish(ctx, terms, log_f, start, iterations), key=log_f)
    residual = ctx.norm(_newton_step(ctx, terms, v)[1]) / 2
    size = ctx.fsum(abs(w) * ctx.mnorm(a, "F") / (v.T * a * v)[0] for w, a in terms)
    return Flattest(depth * ctx.exp(log_f(v)), [v[i] for i in range(v.rows)], residual, size)


def attaining_minimum(ctx: MPContext, target: Rows, widths: tuple[int, ...], direction) -> list:
    """The global minimum of widths (d_0..d_N) built from a maximiser v of f (module docstring):
    T = L R with C = L R_c (QR: LᵀL = I_r) and R = R_c R_0 (T = C R_0 exactly; QR, not the
    Cholesky factor of CᵀC, whose condition is C's squared: T = diag(1, 1e-60) failed),
    ρ = (‖Tv‖/‖v‖)^{1/N}, W_1 = ρ^{1−N} J_1 R, W_k = ρ J_k J_{k−1}ᵀ (1 < k < N),
    W_N = ρ L J_{N−1}ᵀ, J_k = [I_r; 0] ∈ R^{d_k × r}."""
    basis, reduced = column_factorization(target)
    rank, depth = len(reduced), len(widths) - 1
    if rank == 0:
        raise Degenerate(ZERO_TARGET)
    if rank > min(widths[1:-1]):
        raise InvalidCase(f"rank T = {rank} exceeds a hidden width of {widths}: no global minimum")
    c = rows_at(ctx, basis)
    left, upper = ctx.qr(c, mode="skinny")
    right = upper * rows_at(ctx, reduced)
    v = ctx.matrix(direction)
    rho = (ctx.norm(rows_at(ctx, target) * v) / ctx.norm(v)) ** (ctx.one / depth)

    def j(d: int):
        return ctx.matrix([[int(a == b) for b in range(rank)] for a in range(d)])

    weights = [rho ** (1 - depth) * j(widths[1]) * right]
    weights += [rho * j(widths[k]) * j(widths[k - 1]).T for k in range(2, depth)]
    weights.append(rho * left * j(widths[depth - 1]).T)
    return weights


def attaining_net(ctx: MPContext, case: LinearNetwork, direction) -> Net:
    """`attaining_minimum` for the widths, Σx and T of `case`, as a network at ctx."""
    net = case.at(ctx)
    weights = attaining_minimum(ctx, case.target_rows(), case.widths, direction)
    return Net(ctx, weights, net.sigma, net.target)
