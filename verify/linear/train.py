"""Gradient descent on a deep linear network in float64 (numpy), with convergence and
divergence detection.

Conventions as in `network.py`: W_1 is the input layer, P = W_N ⋯ W_1,
L = ½ tr((P − T) Σx (P − T)ᵀ), ∂L/∂W_k = B_kᵀ (P − T) Σx A_kᵀ.

A run ends as
- "converged": L ≤ `tol` and ‖∇L‖_F ≤ `grad_tol` (checked every step);
- "diverged": L is not finite or exceeds `blowup`, or L grew for `patience` consecutive steps;
- "stalled": the step budget ran out first.
No NaN ever leaves `gd`: on a non-finite step the last finite weights are returned.
With `batch` = B (1 ≤ B ≤ n), `gd` runs mini-batch SGD on a finite data set X (d_0 × n);
`sgd_noise` measures Wu, Ma & E's sharpness and non-uniformity at an SGD end point.
`gd_precise` reruns full-batch GD on an mpmath `Net` at its context's precision.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

Weights = list[np.ndarray]


@dataclass
class TrainResult:
    """Outcome of a run: status, steps taken, final weights and a (subsampled) loss history."""

    status: str  # "converged" | "diverged" | "stalled"
    steps: int
    weights: Weights
    loss: float
    grad_norm: float
    history: list[float] = field(default_factory=list)  # L every `record_every` steps (finite)

    @property
    def converged(self) -> bool:
        return self.status == "converged"


def product(weights: Weights) -> np.ndarray:
    """P = W_N ⋯ W_1."""
    out = weights[0]
    for w in weights[1:]:
        out = w @ out
    return out


def loss(weights: Weights, sigma: np.ndarray, target: np.ndarray) -> float:
    """L = ½ tr((P − T) Σx (P − T)ᵀ)."""
    e = product(weights) - target
    return 0.5 * float(np.trace(e @ sigma @ e.T))


def _partials(weights: Weights) -> tuple[Weights, Weights]:
    """(A_1, …, A_N), (B_1, …, B_N): A_k = W_{k−1} ⋯ W_1, B_k = W_N ⋯ W_{k+1}; also
    returns P = A_{N+1} as the last prefix."""
    prefix = [np.eye(weights[0].shape[1])]  # A_1..A_{N+1}
    for w in weights:
        prefix.append(w @ prefix[-1])
    suffix = [np.eye(weights[-1].shape[0])]  # B_N, B_{N−1}, …, B_0
    for w in reversed(weights):
        suffix.append(suffix[-1] @ w)
    n = len(weights)
    return prefix, [suffix[n - 1 - k] for k in range(n)]


def gradient(weights: Weights, sigma: np.ndarray, target: np.ndarray) -> Weights:
    """∂L/∂W_k = B_kᵀ (P − T) Σx A_kᵀ for k = 1..N."""
    prefix, suffix = _partials(weights)
    r = (prefix[-1] - target) @ sigma
    return [b.T @ r @ a.T for a, b in zip(prefix, suffix, strict=False)]


def jacobian(weights: Weights) -> np.ndarray:
    """J = [A_1ᵀ ⊗ B_1, …, A_Nᵀ ⊗ B_N] = ∂vec(P)/∂(weights), column-stacking (d_0 d_N rows)."""
    prefix, suffix = _partials(weights)
    return np.hstack([np.kron(a.T, b) for a, b in zip(prefix, suffix, strict=False)])


def gauss_newton_sharpness(weights: Weights, sigma: np.ndarray) -> float:
    """λ_max(Jᵀ (Σx ⊗ I) J): the sharpness λ_max(∇²L) at a global minimum (H1), elsewhere
    that of the Gauss–Newton part of the Hessian."""
    jac = jacobian(weights)
    eye = np.eye(weights[-1].shape[0])
    return float(np.linalg.eigvalsh(jac.T @ np.kron(sigma, eye) @ jac)[-1])


def random_init(widths: tuple[int, ...], scale: float, rng: np.random.Generator) -> Weights:
    """W_k with i.i.d. N(0, scale²) entries (small init: scale ≪ 1; large init: scale ≳ 1)."""
    return [scale * rng.standard_normal((widths[k], widths[k - 1])) for k in range(1, len(widths))]


def resnet_init(width: int, depth: int) -> Weights:
    """Zero-initialised linear ResNet: W_k = I + U_k with U_k = 0 (square widths)."""
    return [np.eye(width) for _ in range(depth)]


def synthetic_data(sigma: np.ndarray, samples: int, rng: np.random.Generator) -> np.ndarray:
    """A d0 × n data matrix X whose empirical covariance X Xᵀ / n equals Σx exactly."""
    d = sigma.shape[0]
    x = rng.standard_normal((d, max(samples, d)))
    empirical = x @ x.T / x.shape[1]
    whiten = np.linalg.inv(np.linalg.cholesky(empirical))
    return np.linalg.cholesky(sigma) @ whiten @ x


def check_batch(batch: int, samples: int) -> None:
    """Raise ValueError unless the mini-batch size B of n points is an integer, 1 ≤ B ≤ n."""
    integer = isinstance(batch, int | np.integer) and not isinstance(batch, bool)
    if not integer or not 1 <= batch <= samples:
        raise ValueError(f"batch size must be an integer in [1, {samples}], got {batch!r}")


def gd(
    weights: Weights,
    sigma: np.ndarray,
    target: np.ndarray,
    step: float,
    steps: int,
    batch: int | None = None,
    rng: np.random.Generator | None = None,
    *,
    tol: float = 1e-26,
    grad_tol: float = 1e-12,
    blowup: float = 1e12,
    patience: int = 500,
    record_every: int = 10,
    samples: int = 64,
    data: np.ndarray | None = None,
) -> TrainResult:
    """Run (full-batch) gradient descent W_k ← W_k − η ∂L/∂W_k for at most `steps` steps.

    With `batch` = B, mini-batch SGD on a finite data set X (d0 × n): `data` if given (the
    caller passes Σx = X Xᵀ / n), else `samples` synthetic points whose covariance is exactly
    Σx. Each step uses the covariance X_B X_Bᵀ / B of B points drawn without replacement by
    `rng`, i.e. the gradient of L_B = (1/B) Σ_{i∈B} ½ ‖(P − T) x_i‖²; convergence is still
    judged on the full-batch loss. B must satisfy 1 ≤ B ≤ n (ValueError otherwise).
    """
    w = [np.array(x, dtype=float) for x in weights]
    sigma = np.asarray(sigma, dtype=float)
    target = np.asarray(target, dtype=float)
    if batch is not None:
        rng = rng if rng is not None else np.random.default_rng(0)
        if data is None:
            data = synthetic_data(sigma, samples, rng)
        check_batch(batch, data.shape[1])
    else:
        data = None
    history: list[float] = []
    previous, growing = np.inf, 0
    with np.errstate(all="ignore"):
        for t in range(steps + 1):
            current = loss(w, sigma, target)
            if not np.isfinite(current) or current > blowup:
                return TrainResult("diverged", t, w, _finite(current), np.inf, history)
            grads = gradient(w, sigma, target)
            norm = float(np.sqrt(sum(float(np.sum(g * g)) for g in grads)))
            if t % record_every == 0:
                history.append(current)
            if current <= tol and norm <= grad_tol:
                return TrainResult("converged", t, w, current, norm, history)
            growing = growing + 1 if current > previous else 0
            if growing >= patience:
                return TrainResult("diverged", t, w, current, norm, history)
            if t == steps:
                break
            previous = current
            if data is not None:
                pick = rng.choice(data.shape[1], size=batch, replace=False)
                xb = data[:, pick]
                grads = gradient(w, xb @ xb.T / xb.shape[1], target)
            new = [x - step * g for x, g in zip(w, grads, strict=True)]
            if not all(np.all(np.isfinite(x)) for x in new):
                return TrainResult("diverged", t + 1, w, current, norm, history)
            w = new
    return TrainResult("stalled", steps, w, current, norm, history)


def sgd_noise(weights: Weights, data: np.ndarray) -> tuple[float, float]:
    """(a, s) at a global minimum (float64): sharpness a = λ_max(H) and the non-uniformity
    s = λ_max(Σ)^{1/2} of Wu, Ma & E (2018), H = (1/n) Σ_i H_i, Σ = (1/n) Σ_i H_i² − H²,
    where H_i = J_iᵀ J_i is the Hessian of ℓ_i = ½ ‖(P − T) x_i‖² at P = T and
    J_i = (x_iᵀ ⊗ I) J the Jacobian of P x_i (`jacobian`)."""
    jac, eye = jacobian(weights), np.eye(weights[-1].shape[0])
    hessians = []
    for x in data.T:
        row = np.kron(x[None, :], eye) @ jac
        hessians.append(row.T @ row)
    h = np.mean(hessians, axis=0)
    cov = np.mean([hi @ hi for hi in hessians], axis=0) - h @ h
    top = float(np.linalg.eigvalsh((cov + cov.T) / 2)[-1])
    return float(np.linalg.eigvalsh(h)[-1]), float(np.sqrt(max(top, 0.0)))


def _finite(value: float) -> float:
    return value if np.isfinite(value) else float("inf")


def gd_precise(net, step, goal, max_steps: int) -> tuple[object, int]:
    """Full-batch GD on an mpmath `Net` (in place, at net.ctx's precision) until
    ‖P − T‖_F < `goal`; returns (final ‖P − T‖_F, steps). Used where float64 rounding along
    the trajectory would itself decide a claim (e.g. symmetry-preserving runs, F4)."""
    from verify.linear.curvature import gradient as mp_gradient

    ctx = net.ctx
    eta = ctx.mpf(step)
    for t in range(max_steps + 1):
        residual = ctx.mnorm(net.residual(), "F")
        if residual < goal or not ctx.isfinite(residual) or t == max_steps:
            return residual, t
        grads = mp_gradient(net)
        net.weights = [w - eta * g for w, g in zip(net.weights, grads, strict=True)]
    return residual, max_steps
