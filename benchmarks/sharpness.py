"""`flatminima sharpness --dps 50` in-process on depth-4 networks [4, w, w, w, 4] (issue 16),
as a ratio to the float64 full-Hessian eigendecomposition (numpy) of the same network, both
timed in the same run."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from fractions import Fraction

import numpy as np

from verify.linear.network import LinearNetwork
from verify.linear.sharpness import report

EDGE = 4  # input and output width


def random_network(width: int, seed: int = 0) -> LinearNetwork:
    """[4, w, w, w, 4] with weights uniform in [−1, 1] rounded to 4 decimals (exact decimals),
    whitened, target = the product (a global minimum). Built directly: the command line's
    input limit (MAX_PARAMETERS) is below these sizes."""
    rng = np.random.default_rng(seed)
    widths = (EDGE, width, width, width, EDGE)
    return LinearNetwork(
        tuple(
            tuple(tuple(Fraction(f"{x:.4f}") for x in row) for row in rng.uniform(-1, 1, shape))
            for shape in zip(widths[1:], widths[:-1], strict=True)
        )
    )


def hessian64(weights: list[np.ndarray]) -> np.ndarray:
    """Float64 Hessian at a whitened global minimum: blocks kron(A_k A_lᵀ, B_kᵀ B_l)."""
    n = len(weights)
    a = [np.eye(weights[0].shape[1])]
    for w in weights[:-1]:
        a.append(w @ a[-1])
    b = [np.eye(weights[-1].shape[0])]
    for w in reversed(weights[1:]):
        b.insert(0, b[0] @ w)
    return np.block([[np.kron(a[k] @ a[m].T, b[k].T @ b[m]) for m in range(n)] for k in range(n)])


def median_seconds(fn: Callable[[], object], repeats: int) -> float:
    """Median wall time of `repeats` calls of `fn`."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return sorted(times)[len(times) // 2]


def sharpness_benchmark(widths: tuple[int, ...] = (20, 38), repeats: int = 3) -> None:
    """Median of `repeats` runs of `report` at (50, 80) digits, every field `sharpness --dps 50`
    prints (not start-up or JSON), against `numpy.linalg.eigh` of the float64 full Hessian
    (building it included); ratio = ours / float64. On a loaded machine run it with
    OPENBLAS_NUM_THREADS=1: a multi-threaded BLAS competing for the cores is ~50× slower."""
    threads = os.environ.get("OPENBLAS_NUM_THREADS", "default")
    for width in widths:
        case = random_network(width)
        params = sum(len(w) * len(w[0]) for w in case.weights)
        ours = median_seconds(lambda c=case: report(c, (50, 80)), repeats)
        weights = [np.array(w, dtype=float) for w in case.weights]
        base = median_seconds(lambda w=weights: np.linalg.eigh(hessian64(w)), repeats)
        print(
            f"sharpness --dps 50, [4, {width}, {width}, {width}, 4] ({params} parameters): "
            f"{ours:.3f}s; float64 full-Hessian eigh {base:.3f}s; ratio x{ours / base:.2f} "
            f"(medians of {repeats}; BLAS threads: {threads})"
        )


if __name__ == "__main__":
    sharpness_benchmark()
