"""Float64 training of small bias-free ReLU networks and what is measured at the minima (N2).

The network is f(x) = W_N σ(W_{N−1} ⋯ σ(W_1 x)), σ = ReLU, a linear output layer; the loss on
data X (d_0 × n), Y (d_N × n) is L = (1/2n) Σ_i ‖f(x_i) − y_i‖². Weights are lists of arrays
with optional leading batch axes (…, d_k, d_{k−1}), so R runs train at once (one per seed and
step size), by full-batch GD or mini-batch SGD (`gd64`). The forward and backward passes use
array operations only, so the same code runs on float64 arrays and on numpy object arrays of
mpmath numbers (`hessian_mp`).

Where no pre-activation is 0 the activation pattern is locally constant and L is a polynomial
in the weights. GD often ends with a pre-activation on a kink (|z| ~ 1e-13, `kink_margin`);
there L is not twice differentiable, and the Hessians here are those of the smooth piece
selected by the float64 signs (the pattern is frozen), a one-sided value.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from mpmath.ctx_mp import MPContext

from verify.evidence import Degenerate
from verify.linear.train import check_batch
from verify.nonlinear.fast import backprop64, passes64

Weights = list[np.ndarray]
DIVERGED = 1e8  # a loss above this (or not finite) marks a run as diverged


def check_widths(widths: tuple[int, ...]) -> None:
    """Widths (d_0, …, d_N), N ≥ 1, every d_k ≥ 1; ValueError otherwise."""
    if len(widths) < 2 or any(int(d) != d or d < 1 for d in widths):
        raise ValueError(f"widths must be ≥ 2 positive integers (d_0, …, d_N), got {widths}")


def forward(weights: Weights, x: np.ndarray, pattern: list | None = None) -> tuple:
    """(output, inputs h_0..h_{N−1} of each layer, masks σ'(z_k) ∈ {0, 1} of the hidden
    layers); with `pattern`, those masks are used instead (the smooth piece of that activation
    pattern)."""
    hs, masks = passes64(weights, None, 0.0, x, pattern)
    return hs[-1], hs[:-1], masks


def loss_grad(
    weights: Weights, x: np.ndarray, y: np.ndarray, pattern: list | None = None, sample=None
) -> tuple[np.ndarray, Weights]:
    """(L, [∂L/∂W_k]) per run (float64, or object arrays of mpmath numbers), by
    `fast.backprop64` with σ = ReLU (or the given activation `pattern`); with per-sample
    weights `sample` (…, 1, n) the gradient is that of (1/2) Σ_i sample_i ‖f(x_i) − y_i‖²
    (L is still the full loss)."""
    residual, grads, _ = backprop64(weights, None, 0.0, x, y, pattern, sample)
    return 0.5 * np.sum(residual * residual, axis=(-1, -2)) / x.shape[-1], grads


def _dot(a: Weights, b: Weights) -> np.ndarray:
    return sum(np.sum(u * v, axis=(-1, -2)) for u, v in zip(a, b, strict=True))


def hvp64(weights: Weights, x: np.ndarray, y: np.ndarray, v: Weights, h: float = 1e-5) -> Weights:
    """∇²L v by central differences of the gradient, (∇L(W + h v) − ∇L(W − h v)) / 2h, v of
    unit norm per run, with the activation pattern frozen at W: the Hessian of the smooth
    piece of W's pattern (L is a polynomial there, so the error is O(h²) even when a
    pre-activation sits on a kink, where the one-sided piece is the float64 sign's)."""
    pattern = forward(weights, x)[2]
    plus = loss_grad([w + h * u for w, u in zip(weights, v, strict=True)], x, y, pattern)[1]
    minus = loss_grad([w - h * u for w, u in zip(weights, v, strict=True)], x, y, pattern)[1]
    return [(p - m) / (2 * h) for p, m in zip(plus, minus, strict=True)]


def _normalise(v: Weights) -> Weights:
    size = np.sqrt(_dot(v, v))[..., None, None]
    return [u / np.where(size > 0, size, 1) for u in v]


def power_sharpness(
    weights: Weights, x: np.ndarray, y: np.ndarray, iters: int = 300, seed: int = 0
) -> np.ndarray:
    """λ_max(∇²L) per run by power iteration on `hvp64` from a seeded random start: the
    Rayleigh quotient vᵀ∇²L v after `iters` steps (the top eigenvalue in modulus; at a minimum
    ∇²L ⪰ 0, so it is λ_max)."""
    rng = np.random.default_rng(seed)
    v = _normalise([rng.standard_normal(w.shape) for w in weights])
    lam = np.zeros(weights[0].shape[:-2])
    for _ in range(iters):
        hv = hvp64(weights, x, y, v)
        lam = _dot(v, hv)
        v = _normalise(hv)
    return lam


def hessian64(weights: Weights, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The full p × p Hessian of one unbatched network, column by column from `hvp64`
    (symmetrised); for tests and tiny networks."""
    shapes = [w.shape for w in weights]
    sizes = [int(np.prod(s)) for s in shapes]
    p = sum(sizes)
    cols = []
    for i in range(p):
        e = np.zeros(p)
        e[i] = 1
        parts = np.split(e, np.cumsum(sizes)[:-1])
        hv = hvp64(weights, x, y, [u.reshape(s) for u, s in zip(parts, shapes, strict=True)])
        cols.append(np.concatenate([u.ravel() for u in hv]))
    hess = np.array(cols).T
    return (hess + hess.T) / 2


@dataclass
class Runs:
    """R float64 runs: final weights (batched), final loss, status ("converged" when
    L < tol, "diverged", or "stalled" at the step budget) and steps taken, per run; a
    diverged run's weights and loss are those before the step that blew up (finite)."""

    weights: Weights
    loss: np.ndarray
    status: list[str]
    steps: np.ndarray

    def converged(self) -> np.ndarray:
        return np.array([s == "converged" for s in self.status])

    def network(self, r: int) -> Weights:
        """Run r's weights as unbatched arrays."""
        return [w[r] for w in self.weights]


CHUNK = 1024  # mini-batch index draws per run and generator call


def _minibatches(seeds: Sequence, n: int, batch: int) -> Iterator[np.ndarray]:
    """Per step, (R, 1, n) sample weights, 1/B on a B-subset S_t and 0 elsewhere: for each run,
    S_t is the first B entries of a uniformly random permutation of 0..n−1 (argsort of n
    uniforms) from that run's own Generator (`default_rng(seeds[r])`), drawn CHUNK steps at
    a time."""
    rngs = [np.random.default_rng(s) for s in seeds]
    while True:
        picks = np.stack([np.argsort(g.random((CHUNK, n)), axis=-1)[:, :batch] for g in rngs])
        block = np.zeros((len(rngs), CHUNK, n))
        np.put_along_axis(block, picks, 1 / batch, axis=-1)
        yield from np.swapaxes(block, 0, 1)[:, :, None, :]


def gd64(
    weights: Weights,
    x: np.ndarray,
    y: np.ndarray,
    eta,
    budget: int,
    tol: float,
    batch: int | None = None,
    seeds: Sequence | None = None,
) -> Runs:
    """Full-batch GD W ← W − η ∇L for R runs at once (η one value per run); a run stops when
    L < tol (converged) or L > DIVERGED or not finite (diverged, weights frozen before the
    step that blew up: never NaN), else at `budget` steps (stalled).

    With `batch` = B (1 ≤ B ≤ n) it is mini-batch SGD, W ← W − η ∇L_S with
    L_S = (1/2B) Σ_{i∈S_t} ‖f(x_i) − y_i‖² and S_t a random B-subset of the samples (without
    replacement) drawn every step from run r's Generator `default_rng(seeds[r])`, so a run
    depends only on its own seed, not on the runs batched with it. Convergence and
    divergence are still judged on the full-batch L, checked before every step."""
    eta = np.asarray(eta, dtype=float)
    if np.any(eta <= 0) or not np.all(np.isfinite(eta)):
        raise ValueError(f"step sizes must be positive and finite, got {eta}")
    if budget < 1 or tol <= 0:
        raise ValueError("the step budget must be ≥ 1 and the tolerance > 0")
    ws = [np.array(w, dtype=float) for w in weights]
    runs = ws[0].shape[0]
    if batch is not None:
        check_batch(batch, x.shape[-1])
        if seeds is None or len(seeds) != runs:
            raise ValueError(f"mini-batch SGD needs one seed per run ({runs})")
        minibatches = _minibatches(seeds, x.shape[-1], batch)
    status = np.array(["stalled"] * runs, dtype=object)
    active = np.ones(runs, dtype=bool)
    steps = np.zeros(runs, dtype=int)
    loss = np.full(runs, np.inf)
    before = ws  # the weights before the last step
    for t in range(budget + 1):
        sample = None if batch is None else next(minibatches)
        with np.errstate(over="ignore", invalid="ignore"):
            current, grads = loss_grad(ws, x, y, sample=sample)
        bad = active & ~(np.isfinite(current) & (current < DIVERGED))
        done = active & ~bad & (current < tol)
        status[bad], status[done] = "diverged", "converged"
        loss = np.where(active & ~bad, current, loss)
        steps[active] = t
        if bad.any():  # a diverged run keeps the weights (and loss) from before the blow-up
            ws = [np.where(bad[:, None, None], b, w) for b, w in zip(before, ws, strict=True)]
        active &= ~(bad | done)
        if not active.any() or t == budget:
            break
        before, keep = ws, active[:, None, None]
        scale = np.broadcast_to(eta, active.shape)[:, None, None]
        # a stopped run's ∇L (maybe not finite) is masked out, so its weights stay as they are
        ws = [w - scale * np.where(keep, g, 0.0) for w, g in zip(ws, grads, strict=True)]
    return Runs(ws, loss, list(status), steps)


def orthogonal(d: int, rng: np.random.Generator) -> np.ndarray:
    """A Haar-random d × d orthogonal matrix (QR of a Gaussian, signs fixed by diag R)."""
    q, r = np.linalg.qr(rng.standard_normal((d, d)))
    return q * np.sign(np.diag(r))


def rotated(weights: Weights, rng: np.random.Generator) -> Weights:
    """The same-norm baseline: W_k ↦ U_k W_k V_k with independent Haar U_k, V_k (every layer
    keeps its singular values; the singular vectors of consecutive layers are decoupled)."""
    return [orthogonal(w.shape[0], rng) @ w @ orthogonal(w.shape[1], rng) for w in weights]


def alignment(w: np.ndarray, w_next: np.ndarray) -> float:
    """|u_1(W_k) · v_1(W_{k+1})|: the top left singular vector of W_k against the top right
    singular vector of W_{k+1} (1 on a coupled path; ≈ √(2/(π d_k)) for random directions)."""
    u = np.linalg.svd(w)[0][:, 0]
    v = np.linalg.svd(w_next)[2][0]
    return float(abs(u @ v))


def imbalance(w: np.ndarray, w_next: np.ndarray) -> float:
    """‖W_{k+1}ᵀW_{k+1} − W_kW_kᵀ‖_F / ((‖W_k‖_F² + ‖W_{k+1}‖_F²)/2): 0 when balanced, ≤ 2."""
    size = (np.sum(w * w) + np.sum(w_next * w_next)) / 2
    if size == 0:
        raise Degenerate("both layers are zero")
    return float(np.linalg.norm(w_next.T @ w_next - w @ w.T) / size)


def unit_imbalance(w: np.ndarray, w_next: np.ndarray) -> float:
    """The per-unit version (N1's conserved quantities): ‖diag(W_kW_kᵀ − W_{k+1}ᵀW_{k+1})‖ (each
    hidden unit's ‖incoming‖² − ‖outgoing‖²) over the same normalisation as `imbalance`."""
    size = (np.sum(w * w) + np.sum(w_next * w_next)) / 2
    if size == 0:
        raise Degenerate("both layers are zero")
    return float(np.linalg.norm(np.sum(w * w, axis=1) - np.sum(w_next * w_next, axis=0)) / size)


def structure(weights: Weights) -> tuple[float, float, float]:
    """(mean alignment, mean imbalance, mean unit imbalance) over consecutive layer pairs."""
    pairs = list(itertools.pairwise(weights))
    if not pairs:
        raise ValueError("structure needs at least two layers")
    return (
        float(np.mean([alignment(a, b) for a, b in pairs])),
        float(np.mean([imbalance(a, b) for a, b in pairs])),
        float(np.mean([unit_imbalance(a, b) for a, b in pairs])),
    )


def kink_margin(weights: Weights, x: np.ndarray) -> float:
    """min |z_k(x_i)| over hidden pre-activations (∞ without hidden layers): how far the point
    is from a ReLU kink, where the loss is not twice differentiable."""
    _, inputs, _ = forward(weights, x)
    pre = [np.abs(w @ h) for w, h in zip(weights[:-1], inputs[:-1], strict=True)]
    return float(min((z.min() for z in pre), default=np.inf))


# --- high-precision confirmation ----------------------------------------------------------


def _at(ctx: MPContext, a: np.ndarray) -> np.ndarray:
    return np.vectorize(lambda v: ctx.mpf(float(v)), otypes=[object])(a)


def hessian_mp(ctx: MPContext, weights: Weights, x: np.ndarray, y: np.ndarray):
    """The Hessian of L at the float64 point `weights` (taken exactly), at ctx.dps digits, of
    the smooth piece of its activation pattern: central differences of the exact gradient
    with h = 10^(−dps/3). On that piece L is a polynomial, so the truncation error is
    O(h² · ∂³L) and rounding O(10^(−dps)/h): the entries are good to ~2 dps/3 digits."""
    pattern = forward(weights, x)[2]
    ws, xs, ys = [_at(ctx, w) for w in weights], _at(ctx, x), _at(ctx, y)
    h = ctx.mpf(10) ** (-(ctx.dps // 3))
    sizes = [w.size for w in ws]
    p = sum(sizes)
    cols = []
    for i in range(p):
        e = np.zeros(p, dtype=object)
        e[i] = h
        parts = np.split(e, np.cumsum(sizes)[:-1])
        step = [u.reshape(w.shape) for u, w in zip(parts, ws, strict=True)]
        plus = loss_grad([w + u for w, u in zip(ws, step, strict=True)], xs, ys, pattern)[1]
        minus = loss_grad([w - u for w, u in zip(ws, step, strict=True)], xs, ys, pattern)[1]
        cols.append(
            [
                (a - b) / (2 * h)
                for g, m in zip(plus, minus, strict=True)
                for a, b in zip(g.ravel(), m.ravel(), strict=True)
            ]
        )
    return ctx.matrix([[(cols[i][j] + cols[j][i]) / 2 for j in range(p)] for i in range(p)])


def sharpness_mp(ctx: MPContext, weights: Weights, x: np.ndarray, y: np.ndarray) -> tuple:
    """(λ_min, λ_max) of `hessian_mp` (mpmath's symmetric eigensolver at ctx.dps)."""
    values = ctx.eigsy(hessian_mp(ctx, weights, x, y), eigvals_only=True)
    return min(values), max(values)
