"""Float64 versions of the network, its loss and gradient (numpy), for training runs.

Same conventions as `network.py`; `activation` is anything with a `slope` (σ'(0) = a here).
Weights may carry leading batch axes (…, d_k, d_{k−1}) — R runs at once — and the arrays may
be numpy object arrays of mpmath numbers: only array operations are used.
"""

from __future__ import annotations

import numpy as np

Arrays = list[np.ndarray]


def forward64(weights: Arrays, biases: Arrays | None, activation, inputs: np.ndarray) -> np.ndarray:
    """f(X) in float64 (σ'(0) = a by convention)."""
    return passes64(weights, biases, float(activation.slope), inputs)[0][-1]


def passes64(weights, biases, slope: float, inputs, pattern: list | None = None):
    """(h_0 = X, h_1, …, h_N = f(X)), and the hidden layers' σ'(z_k) — or the given activation
    `pattern`, which fixes the smooth piece of the loss (used for one-sided Hessians)."""
    hs, ds = [inputs], []
    for k, w in enumerate(weights):
        z = w @ hs[-1] + (0 if biases is None else biases[k][..., :, None])
        if k < len(weights) - 1:
            d = np.where(z > 0, 1.0, slope) if pattern is None else pattern[k]
            ds.append(d)
            z = d * z
        hs.append(z)
    return hs, ds


def loss64(
    weights: Arrays, biases: Arrays | None, activation, inputs: np.ndarray, targets: np.ndarray
) -> float:
    """L = (1/(2n)) ‖f(X) − Y‖_F² in float64."""
    r = forward64(weights, biases, activation, inputs) - targets
    return float(np.sum(r * r) / (2 * inputs.shape[1]))


def backprop64(
    weights, biases, slope: float, inputs, targets, pattern: list | None = None, sample=None
):
    """(f(X) − Y, [∂L/∂W_k], [∂L/∂b_k]) by backpropagation: δ_N = (f − Y)/n,
    ∂L/∂W_k = δ_k h_{k−1}ᵀ, ∂L/∂b_k = δ_k 1, δ_{k−1} = σ'(z_{k−1}) ⊙ W_kᵀδ_k. With per-sample
    weights `sample` (…, 1, n), δ_N = (f − Y) ⊙ sample instead: the gradient of
    (1/2) Σ_i sample_i ‖f(x_i) − y_i‖² (a mini-batch loss for sample_i = 1/B on the batch)."""
    hs, ds = passes64(weights, biases, slope, inputs, pattern)
    residual = hs[-1] - targets
    delta = residual / inputs.shape[-1] if sample is None else residual * sample
    gw, gb = [], []
    for k in range(len(weights) - 1, -1, -1):
        gw.append(delta @ np.swapaxes(hs[k], -1, -2))
        gb.append(delta.sum(axis=-1))
        if k > 0:
            delta = ds[k - 1] * (np.swapaxes(weights[k], -1, -2) @ delta)
    return residual, gw[::-1], gb[::-1]


def gradient64(
    weights: Arrays, biases: Arrays | None, activation, inputs: np.ndarray, targets: np.ndarray
) -> tuple[Arrays, Arrays | None]:
    """(∂L/∂W_k, ∂L/∂b_k or None) in float64, by backpropagation."""
    _, gw, gb = backprop64(weights, biases, float(activation.slope), inputs, targets)
    return gw, None if biases is None else gb
