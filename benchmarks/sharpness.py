"""`flatminima sharpness --dps 50` on depth-4 networks [4, w, w, w, 4] (issue 16), in-process
and as a whole process, as ratios to the float64 full-Hessian eigendecomposition (numpy), all
timed in the same run.

Above MAX_MPMATH_PARAMETERS (400) a global minimum takes the fast route
(verify/linear/fastroute.py); up to 3,192 parameters the mpmath route is timed too (forced),
with the digits to which the two routes' printed fields agree. The float64 full Hessian is
formed up to 3,192 parameters (at 20,800 it would be 3.5 GB, and its eigh O(n³)); the issue's
yardstick for the larger networks is its eigh at 3,192 parameters (target: < 0.5× of it at
20,800)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import contextmanager
from fractions import Fraction
from pathlib import Path

import numpy as np

from verify.linear import fastroute, inputs
from verify.linear.network import LinearNetwork
from verify.linear.sharpness import report
from verify.precision import agreement_digits, workcontext

EDGE = 4  # input and output width
WIDTHS = (20, 38, 100, 300)  # 960, 3,192, 20,800 and 182,400 parameters
YARDSTICK = 38  # the float64 full-Hessian eigh at 3,192 parameters: the larger sizes' reference
FLATMINIMA = Path(sys.executable).parent / "flatminima"


def random_network(width: int, seed: int = 0) -> LinearNetwork:
    """[4, w, w, w, 4] with weights uniform in [−1, 1] rounded to 4 decimals (exact decimals),
    whitened, target = the product (a global minimum)."""
    rng = np.random.default_rng(seed)
    widths = (EDGE, width, width, width, EDGE)
    return LinearNetwork(
        tuple(
            tuple(tuple(Fraction(f"{x:.4f}") for x in row) for row in rng.uniform(-1, 1, shape))
            for shape in zip(widths[1:], widths[:-1], strict=True)
        )
    )


def parameters(case: LinearNetwork) -> int:
    return sum(len(w) * len(w[0]) for w in case.weights)


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


@contextmanager
def mpmath_route():
    """`report` by the mpmath route at any size (as below MAX_MPMATH_PARAMETERS)."""
    saved = inputs.MAX_MPMATH_PARAMETERS
    inputs.MAX_MPMATH_PARAMETERS = 10**9
    try:
        yield
    finally:
        inputs.MAX_MPMATH_PARAMETERS = saved


def fresh_report(case: LinearNetwork) -> dict:
    """`report` at (50, 80) digits with nothing kept from an earlier run (the fast route keeps
    the last network's products over ℚ for its second precision)."""
    fastroute._last.clear()
    return report(case, (50, 80))


def agreement(a: dict, b: dict) -> float:
    """The fewest digits to which two reports' printed numbers agree (as `digits`)."""
    ctx, worst = workcontext(80), float("inf")
    for key in a.keys() - {"digits", "dps", "is_global_minimum"}:
        pairs = zip(a[key], b[key], strict=True) if isinstance(a[key], list) else [(a[key], b[key])]
        for x, y in pairs:
            if x is not None:
                worst = min(worst, agreement_digits(ctx, ctx.mpf(x), ctx.mpf(y), 1))
    return worst


def network_file(case: LinearNetwork, folder: Path) -> Path:
    """The case as a network file (entries as JSON numbers, the same decimals)."""
    path = folder / f"net{parameters(case)}.json"
    weights = [[[float(x) for x in row] for row in w] for w in case.weights]
    path.write_text(json.dumps({"weights": weights}))
    return path


def whole_process(path: Path) -> None:
    subprocess.run(
        [str(FLATMINIMA), "sharpness", str(path), "--dps", "50", "--json"],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def sharpness_benchmark(widths: tuple[int, ...] = WIDTHS, repeats: int = 3) -> None:
    """Median of `repeats` runs of `report` at (50, 80) digits (every field `sharpness --dps
    50` prints) and of the whole command on a JSON file, against `numpy.linalg.eigh` of the
    float64 full Hessian (building it included). On a loaded machine run it with
    OPENBLAS_NUM_THREADS=1: a multi-threaded BLAS competing for the cores is ~50× slower."""
    threads = os.environ.get("OPENBLAS_NUM_THREADS", "default")
    yardstick = None
    with tempfile.TemporaryDirectory() as folder:
        for width in widths:
            case = random_network(width)
            params = parameters(case)
            ours = median_seconds(lambda c=case: fresh_report(c), repeats)
            path = network_file(case, Path(folder))
            process = median_seconds(lambda p=path: whole_process(p), repeats)
            line = (
                f"sharpness --dps 50, [4, {width}, {width}, {width}, 4] ({params:,} parameters): "
                f"{ours:.3f}s in-process, {process:.2f}s whole process"
            )
            if width <= YARDSTICK:
                with mpmath_route():
                    slow = median_seconds(lambda c=case: report(c, (50, 80)), repeats)
                    reference = report(case, (50, 80))
                digits = agreement(reference, report(case, (50, 80)))
                weights = [np.array(w, dtype=float) for w in case.weights]
                base = median_seconds(lambda w=weights: np.linalg.eigh(hessian64(w)), repeats)
                if width == YARDSTICK:
                    yardstick = base
                line += (
                    f"; mpmath route {slow:.3f}s (x{slow / ours:.1f} the fast route's time), "
                    f"fields agree to {digits:.1f} digits; float64 full-Hessian eigh {base:.3f}s; "
                    f"ratio x{ours / base:.3f} in-process, x{process / base:.2f} whole process"
                )
            elif yardstick is not None:
                line += (
                    f"; ratio to the float64 full-Hessian eigh at 3,192 parameters "
                    f"({yardstick:.3f}s): x{ours / yardstick:.3f} in-process, "
                    f"x{process / yardstick:.2f} whole process"
                )
            print(f"{line} (medians of {repeats}; BLAS threads: {threads})", flush=True)


if __name__ == "__main__":
    sharpness_benchmark()
