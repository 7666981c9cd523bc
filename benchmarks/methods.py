"""Ways to get λ_max (the sharpness) of a linear network at a global minimum (issue 16,
point 5), timed in the same run and scored against the certified value.

Networks: benchmarks/sharpness.py's [4, w, w, w, 4] (weights uniform in [−1, 1] rounded to 4
decimals, whitened, target = their product) at w = 20, 38 and 100: 960, 3,192 and 20,800
parameters (no full Hessian at 20,800). Methods:

- mpmath route: `verify.linear.sharpness.report(case, (50, 80))`, everything `sharpness
  --dps 50` reports, in-process, forced onto the mpmath route (benchmarks/sharpness.py
  `mpmath_route`);
- fast route: the same `report` as `sharpness` runs it above 400 parameters
  (verify/linear/fastroute.py: exact products over ℚ, Arb-refined layer norms);
- certified: `verify.linear.balls.sharpness` at 50 digits, an Arb enclosure;
- float64 full Hessian (`full_hessian64`) and `numpy.linalg.eigvalsh`: the reference of every
  ratio (of float64 Lanczos, marked †, where the full Hessian is not formed);
- float64 power iteration on Hessian-vector products (`hvp64`) with PyHessian's defaults
  (`power_iteration`);
- float64 Lanczos: `scipy.sparse.linalg.eigsh(LinearOperator(hvp), k=1, which="LA")`.

Correct digits of an approximation x: −log10(|x − mid c| / |mid c|) against the certified
enclosure c, capped at c's own digits −log10(rad c / |mid c|). Plus one line: the exact tier
(`exact_sharpness`) on a balanced depth-3, width-3 rational minimum (`rational_minimum`),
whose λ_max = N σ1^{2−2/N} = 48 is known. Run it alone as
`OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/methods.py` (docs/performance.md).

Conventions (verify/linear/network.py): W_k ∈ R^{d_k × d_{k−1}}, P = W_N ⋯ W_1,
A_k = W_{k−1} ⋯ W_1, B_k = W_N ⋯ W_{k+1}, L = ½ tr((P − T) Σx (P − T)ᵀ); parameters stacked
column-major layer by layer (`verify.linear.curvature._layout`).
"""

from __future__ import annotations

import math
import os
import statistics
import time
from collections.abc import Callable
from fractions import Fraction

import numpy as np
from scipy.sparse.linalg import LinearOperator, eigsh

Weights = list[np.ndarray]

POWER_MAX_ITER = 100  # PyHessian's `hessian.eigenvalues` defaults
POWER_TOL = 1e-3
CERTIFIED_DPS = 50
SKIP_FULL_ABOVE = 5_000  # parameters: at 20,800 the float64 Hessian is 3.5 GB (×3 runs)


# --- float64 curvature -------------------------------------------------------------------


def partials(weights: Weights) -> tuple[Weights, Weights]:
    """(A_1, …, A_{N+1}), (B_0, …, B_N): A_k = W_{k−1} ⋯ W_1 (A_{N+1} = P),
    B_k = W_N ⋯ W_{k+1} (B_N = I, B_0 = P); index k is A[k − 1] and B[k]."""
    a = [np.eye(weights[0].shape[1])]
    for w in weights:
        a.append(w @ a[-1])
    b = [np.eye(weights[-1].shape[0])]
    for w in reversed(weights):
        b.insert(0, b[0] @ w)
    return a, b


def stack(blocks: Weights) -> np.ndarray:
    """One vector: each W_k column-stacked (vec), layer by layer."""
    return np.concatenate([m.reshape(-1, order="F") for m in blocks])


def unstack(v: np.ndarray, shapes: list[tuple[int, int]]) -> Weights:
    """The inverse of `stack` for matrices of the given shapes."""
    out, start = [], 0
    for rows, cols in shapes:
        out.append(v[start : start + rows * cols].reshape((rows, cols), order="F"))
        start += rows * cols
    return out


def full_hessian64(weights: Weights, sigma: np.ndarray, target: np.ndarray) -> np.ndarray:
    """The Hessian of L at any point in float64: `verify.linear.curvature.full_hessian`'s
    formula, block (k, l) = (A_k Σ A_lᵀ) ⊗ (B_kᵀ B_l) plus, for k < l, the entries
    (W_{l−1}⋯W_{k+1})[j_b, i_a] (B_lᵀ (P − T) Σ A_kᵀ)[i_b, j_a]; symmetric."""
    n = len(weights)
    a, b = partials(weights)
    r = (a[-1] - target) @ sigma
    blocks: list[list[np.ndarray | None]] = [[None] * n for _ in range(n)]
    for k in range(n):
        for m in range(k, n):
            block = np.kron(a[k] @ sigma @ a[m].T, b[k + 1].T @ b[m + 1])
            if m == k:  # exactly symmetric, as full_hessian's h[q, p] = h[p, q]
                block = (block + block.T) / 2
            else:
                between = np.eye(weights[k].shape[0])  # W_{l−1} ⋯ W_{k+1}, 1-based
                for w in weights[k + 1 : m]:
                    between = w @ between
                mixed = b[m + 1].T @ r @ a[k].T  # d_l × d_{k−1}
                # entry [j_a, i_a, j_b, i_b] = between[j_b, i_a] · mixed[i_b, j_a]
                block = block + np.einsum("yi,xj->jiyx", between, mixed).reshape(block.shape)
            blocks[k][m] = block
            blocks[m][k] = block.T
    return np.block(blocks)


def hvp_terms(
    weights: Weights, sigma: np.ndarray, target: np.ndarray
) -> Callable[[Weights], tuple[Weights, Weights, Weights]]:
    """The three terms of the Hessian-vector product d∇_k along V = (V_1, …, V_N), with
    ∇_k = B_kᵀ E Σ A_kᵀ, E = P − T:
    (dB_kᵀ E Σ A_kᵀ, B_kᵀ dE Σ A_kᵀ, B_kᵀ E Σ dA_kᵀ), where dE = Σ_j B_j V_j A_j,
    dA_k = Σ_{j<k} W_{k−1}⋯W_{j+1} V_j A_j and dB_k = Σ_{j>k} B_j V_j W_{j−1}⋯W_{k+1},
    accumulated as dA_{k+1} = W_k dA_k + V_k A_k and dB_{k−1} = dB_k W_k + B_k V_k: O(N w² d)
    work for widths w and d = max(d_0, d_N): no product of two w×w matrices."""
    n = len(weights)
    a, b = partials(weights)
    r = (a[-1] - target) @ sigma  # E Σ

    def terms(vs: Weights) -> tuple[Weights, Weights, Weights]:
        da = [np.zeros_like(a[0])]
        for k in range(n):
            da.append(weights[k] @ da[k] + vs[k] @ a[k])
        db = [np.zeros_like(b[n])] * (n + 1)
        for k in range(n, 0, -1):
            db[k - 1] = db[k] @ weights[k - 1] + b[k] @ vs[k - 1]
        de_sigma = da[n] @ sigma  # dA_{N+1} = dP = dE
        return (
            [db[k + 1].T @ r @ a[k].T for k in range(n)],
            [b[k + 1].T @ de_sigma @ a[k].T for k in range(n)],
            [b[k + 1].T @ r @ da[k].T for k in range(n)],
        )

    return terms


def hvp64(
    weights: Weights, sigma: np.ndarray, target: np.ndarray
) -> Callable[[np.ndarray], np.ndarray]:
    """v ↦ H v on stacked vectors (`stack`): the sum of `hvp_terms`."""
    shapes = [w.shape for w in weights]
    terms = hvp_terms(weights, sigma, target)

    def product(v: np.ndarray) -> np.ndarray:
        db_term, de_term, da_term = terms(unstack(np.ravel(v), shapes))
        return stack([x + y + z for x, y, z in zip(db_term, de_term, da_term, strict=True)])

    return product


def power_iteration(
    hvp: Callable[[np.ndarray], np.ndarray],
    size: int,
    rng: np.random.Generator,
    max_iter: int = POWER_MAX_ITER,
    tol: float = POWER_TOL,
) -> tuple[float, int]:
    """PyHessian's `hessian.eigenvalues` (top_n = 1): a random normalised start, then
    λ_i = vᵀ H v, v ← H v / ‖H v‖, until |λ_{i−1} − λ_i| / (|λ_{i−1}| + 1e-6) < tol, when
    λ_{i−1} is returned (as PyHessian does), or `max_iter` products. (λ, products)."""
    v = rng.standard_normal(size)
    v /= np.linalg.norm(v)
    estimate = None
    for count in range(1, max_iter + 1):
        hv = hvp(v)
        current = float(v @ hv)
        v = hv / np.linalg.norm(hv)
        if estimate is not None and abs(estimate - current) / (abs(estimate) + 1e-6) < tol:
            return estimate, count
        estimate = current
    return estimate, max_iter


def lanczos(hvp: Callable[[np.ndarray], np.ndarray], size: int) -> tuple[float, int]:
    """`eigsh(LinearOperator(hvp), k=1, which="LA")` with scipy's defaults (tol = 0: machine
    precision; ARPACK's own start vector). (λ, products)."""
    count = 0

    def matvec(v: np.ndarray) -> np.ndarray:
        nonlocal count
        count += 1
        return hvp(v)

    values = eigsh(LinearOperator((size, size), matvec=matvec, dtype=float), k=1, which="LA")
    return float(values[0][0]), count


# --- scoring -----------------------------------------------------------------------------


def dyadic(x) -> object:
    """An exact arb (a midpoint or a radius: a dyadic number) as an mpmath number."""
    from mpmath import mp

    from verify.linear.balls import to_mpmath

    return to_mpmath(mp, x)


def enclosure_digits(ball) -> float:
    """−log10(rad / |mid|) of an Arb ball."""
    from mpmath import mp

    with mp.workdps(100):
        mid, rad = abs(dyadic(ball.mid())), dyadic(ball.rad())
        return float(-mp.log10(rad / mid)) if rad else math.inf


def correct_digits(x: float | str, ball) -> float:
    """−log10(|x − mid c| / |mid c|) against the enclosure c, capped at c's own digits."""
    from mpmath import mp

    cap = enclosure_digits(ball)
    with mp.workdps(100):
        mid = dyadic(ball.mid())
        gap = abs(mp.mpf(x) - mid) / abs(mid)
        return cap if gap == 0 else min(cap, float(-mp.log10(gap)))


def median_seconds(fn: Callable[[], object], repeats: int) -> tuple[object, float]:
    """fn's last result and the median wall time of `repeats` calls."""
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return result, statistics.median(times)


# --- the exact tier's network --------------------------------------------------------------


def rotation(plane: tuple[int, int], cos: Fraction, sin: Fraction, size: int = 3) -> np.ndarray:
    """A rational rotation (object array of Fractions) in the coordinate `plane`."""
    out = np.array([[Fraction(int(i == j)) for j in range(size)] for i in range(size)])
    i, j = plane
    out[i, i], out[i, j], out[j, i], out[j, j] = cos, -sin, sin, cos
    return out


def rational_minimum(scales: tuple[Fraction, ...] = (Fraction(2), Fraction(1), Fraction(1, 2))):
    """Balanced depth-3, width-3 minimum W_k = Q_k D Q_{k−1}ᵀ, D = diag(`scales`), with
    rational orthogonal Q_k (products of Pythagorean-triple rotations), whitened, T = P:
    σ1(P) = max(scales)³ (8), λ_max = N σ1^{2−2/N} = 3 · 8^{4/3} = 48."""
    from verify.linear.network import LinearNetwork

    f = Fraction
    q = [
        rotation((0, 1), f(3, 5), f(4, 5)),
        rotation((1, 2), f(5, 13), f(12, 13)) @ rotation((0, 2), f(8, 17), f(15, 17)),
        rotation((0, 2), f(7, 25), f(24, 25)) @ rotation((0, 1), f(20, 29), f(21, 29)),
        rotation((1, 2), f(9, 41), f(40, 41)),
    ]
    d = np.diag(np.array(scales, dtype=object))
    weights = [q[k] @ d @ q[k - 1].T for k in range(1, 4)]
    return LinearNetwork(tuple(tuple(tuple(f(x) for x in row) for row in w) for w in weights))


# --- the benchmark -----------------------------------------------------------------------


def float_network(case) -> tuple[Weights, np.ndarray, np.ndarray]:
    """The case's weights, Σx and T rounded to float64."""
    return (
        [np.array(w, dtype=float) for w in case.weights],
        np.array(case.sigma_rows(), dtype=float),
        np.array(case.target_rows(), dtype=float),
    )


def measure_network(case, repeats: int, seed: int = 0) -> dict:
    """Every method on one network: {method: (seconds, correct digits, note)}."""
    from sharpness import fresh_report, mpmath_route  # benchmarks/ is on sys.path

    from verify.linear import balls, inputs
    from verify.linear.sharpness import report

    params = sum(len(w) * len(w[0]) for w in case.weights)
    weights, sigma, target = float_network(case)

    def certified():
        with balls.precision(CERTIFIED_DPS):
            return balls.sharpness(case)

    ball, seconds = median_seconds(certified, repeats)
    out = {"certified": (seconds, enclosure_digits(ball), "")}
    with mpmath_route():
        result, seconds = median_seconds(lambda: report(case, (50, 80)), repeats)
    digits = correct_digits(result["lambda_max"], ball)
    out["mpmath"] = (seconds, digits, f"reports {result['digits']}")
    if params > inputs.MAX_MPMATH_PARAMETERS:
        result, seconds = median_seconds(lambda: fresh_report(case), repeats)
        digits = correct_digits(result["lambda_max"], ball)
        out["fast"] = (seconds, digits, f"reports {result['digits']}")
    if params <= SKIP_FULL_ABOVE:
        top, seconds = median_seconds(
            lambda: np.linalg.eigvalsh(full_hessian64(weights, sigma, target))[-1], repeats
        )
        out["full"] = (seconds, correct_digits(float(top), ball), "")

    def power():
        return power_iteration(hvp64(weights, sigma, target), params, np.random.default_rng(seed))

    (top, count), seconds = median_seconds(power, repeats)
    out["power"] = (seconds, correct_digits(top, ball), f"{count} HVPs")
    (top, count), seconds = median_seconds(
        lambda: lanczos(hvp64(weights, sigma, target), params), repeats
    )
    out["lanczos"] = (seconds, correct_digits(top, ball), f"{count} HVPs")
    return out


COLUMNS = (
    ("full", "float64 full H + eigvalsh"),
    ("power", "float64 power iteration"),
    ("lanczos", "float64 Lanczos (eigsh)"),
    ("mpmath", "mpmath route report(50, 80)"),
    ("fast", "fast route report(50, 80)"),
    ("certified", "certified (Arb, 50 digits)"),
)


def cell(entry: tuple[float, float, str] | None, reference: float, mark: str) -> str:
    """ "seconds (×ratio), digits d, note"; "—" for a method not run."""
    if entry is None:
        return "—"
    seconds, digits, note = entry
    ratio = seconds / reference
    ratio_text = f"{ratio:,.0f}" if ratio >= 100 else f"{ratio:.3g}"
    extra = f", {note}" if note else ""
    return f"{seconds:.3g} s (×{ratio_text}{mark}), {digits:.1f} d{extra}"


def methods_benchmark(widths: tuple[int, ...] = (20, 38, 100), repeats: int = 3) -> None:
    """Print the table: per network, each method's median seconds, its ratio to the float64
    full-Hessian eigvalsh of the same network in the same run (to float64 Lanczos, marked †,
    where the full Hessian is too big), and its correct digits."""
    from sharpness import random_network  # benchmarks/ is on sys.path as a script

    from verify.linear.exact import exact_sharpness

    threads = os.environ.get("OPENBLAS_NUM_THREADS", "default")
    print(
        f"λ_max at a global minimum, [4, w, w, w, 4]: median seconds of {repeats} (× the float64 "
        f"full-Hessian eigvalsh time of the same network, same run), correct digits d against "
        f"the certified enclosure (BLAS threads: {threads})"
    )
    print("| parameters | " + " | ".join(title for _, title in COLUMNS) + " |")
    print("|---:|" + "---|" * len(COLUMNS))
    skipped, largest = [], None  # networks without a full Hessian; the largest with one
    for width in widths:
        case = random_network(width)
        params = sum(len(w) * len(w[0]) for w in case.weights)
        row = measure_network(case, repeats)
        if "full" in row:
            reference, mark, largest = row["full"][0], "", (params, row["full"][0])
        else:
            reference, mark = row["lanczos"][0], "†"
            skipped.append(params)
        cells = [cell(row.get(key), reference, mark) for key, _ in COLUMNS]
        print(f"| {params:,} (w = {width}) | " + " | ".join(cells) + " |")
    for params in skipped:
        estimate = ""
        if largest:
            minutes = largest[1] * (params / largest[0]) ** 3 / 60
            estimate = f", its eigvalsh ~{minutes:.0f} min by n³ from the {largest[0]:,} row"
        print(
            f"— at {params:,} parameters: no float64 full Hessian ({params**2 * 8 / 1e9:.1f} GB"
            f"{estimate}); † in that row the ratio is to float64 Lanczos instead"
        )
    case = rational_minimum()
    root, seconds = median_seconds(lambda: exact_sharpness(case), repeats)
    weights, sigma, target = float_network(case)
    _, base = median_seconds(
        lambda: np.linalg.eigvalsh(full_hessian64(weights, sigma, target))[-1], repeats
    )
    if root.minimal_polynomial != (-48, 1):
        raise AssertionError(f"exact λ_max of the rational minimum is {root.closed_form}, not 48")
    print(
        f"exact tier (`exact_sharpness`), balanced rational [3, 3, 3, 3] minimum, σ1 = 8: "
        f"λ_max = {root.closed_form} (= 3 · 8^(4/3)) in {seconds:.3g} s, ×{seconds / base:.3g} "
        f"the float64 full-Hessian eigvalsh of the same network ({base:.3g} s)"
    )


if __name__ == "__main__":
    methods_benchmark()
