"""Float64 versions of the network, its loss and gradient (numpy), for training runs.

Same conventions as `network.py`; `activation` is anything with a `slope` (σ'(0) = a here).
"""

from __future__ import annotations

import numpy as np

Arrays = list[np.ndarray]


def forward64(weights: Arrays, biases: Arrays | None, activation, inputs: np.ndarray) -> np.ndarray:
    """f(X) in float64 (σ'(0) = a by convention)."""
    return _pass64(weights, biases, float(activation.slope), inputs)[0][-1]


def _pass64(weights, biases, slope: float, inputs):
    hs, ds = [inputs], []
    for k, w in enumerate(weights):
        z = w @ hs[-1] + (0 if biases is None else biases[k][:, None])
        if k < len(weights) - 1:
            d = np.where(z > 0, 1.0, slope)
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


def gradient64(
    weights: Arrays, biases: Arrays | None, activation, inputs: np.ndarray, targets: np.ndarray
) -> tuple[Arrays, Arrays | None]:
    """(∂L/∂W_k, ∂L/∂b_k or None) in float64, by backpropagation."""
    hs, ds = _pass64(weights, biases, float(activation.slope), inputs)
    delta = (hs[-1] - targets) / inputs.shape[1]
    gw, gb = [], []
    for k in range(len(weights) - 1, -1, -1):
        gw.append(delta @ hs[k].T)
        gb.append(delta.sum(axis=1))
        if k > 0:
            delta = ds[k - 1] * (weights[k].T @ delta)
    return gw[::-1], None if biases is None else gb[::-1]
