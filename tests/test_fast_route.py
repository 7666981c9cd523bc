"""The fast route of `flatminima sharpness` (verify/linear/fastroute.py) against the mpmath
route: every printed field agrees to 45 digits, on the example networks and on small generated
minima (random, balanced with repeated singular values, a rank-deficient target, a top cluster
closer than float64 resolves, non-whitened); its limits are one-line errors, at once."""

import json
import re
import time
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from flint import arb_mat

import verify.linear.sharpness as sh
from verify.cli import main
from verify.linear import fastroute, inputs
from verify.linear.balls import precision
from verify.linear.inputs import MAX_PARAMETERS, InputError, _number, _plain, load_network
from verify.linear.network import LinearNetwork, rows_product, transpose
from verify.precision import agreement_digits, workcontext

EXAMPLES = Path(__file__).parents[1] / "examples" / "networks"
DIGITS = 45
HIGH = workcontext(80)


def rows(matrix) -> tuple:
    return tuple(tuple(Fraction(x) for x in row) for row in matrix)


def householder(n: int, seed: int) -> tuple:
    """I − 2uuᵀ/uᵀu for an integer u: a rational orthogonal matrix."""
    u = [x or 1 for x in np.random.default_rng(seed).integers(-3, 4, n).tolist()]
    size = sum(x * x for x in u)
    return tuple(
        tuple(Fraction(int(i == j)) - Fraction(2 * u[i] * u[j], size) for j in range(n))
        for i in range(n)
    )


def diagonal(values, rows_: int, cols: int) -> tuple:
    return tuple(
        tuple(
            Fraction(values[i]) if i == j and i < len(values) else Fraction(0) for j in range(cols)
        )
        for i in range(rows_)
    )


def product(*matrices) -> tuple:
    out = matrices[0]
    for m in matrices[1:]:
        out = rows_product(out, m)
    return out


def uniform(shape, seed: int) -> tuple:
    """Entries uniform in [−1, 1] rounded to 4 decimals (benchmarks/sharpness.py)."""
    values = np.random.default_rng(seed).uniform(-1, 1, shape)
    return tuple(tuple(Fraction(f"{x:.4f}") for x in row) for row in values)


def random_network(widths, seed: int = 0, sigma=None) -> LinearNetwork:
    layers = zip(widths[1:], widths[:-1], strict=True)
    return LinearNetwork(tuple(uniform(s, seed + k) for k, s in enumerate(layers)), sigma)


def balanced() -> LinearNetwork:
    """[3, 12, 12, 3], T = U D³ V with D = diag(2, 2, 1): W1 = Q1 J D V, W2 = Q2 J D Jᵀ Q1ᵀ,
    W3 = U D Jᵀ Q2ᵀ (J = [I; 0], Q, U, V Householder): exactly balanced, and W2's Gram
    Q1 diag(4, 4, 1, 0, …) Q1ᵀ has a repeated top eigenvalue."""
    q1, q2, u, v = householder(12, 1), householder(12, 2), householder(3, 3), householder(3, 4)
    d, jd = diagonal([2, 2, 1], 3, 3), diagonal([2, 2, 1], 12, 3)
    w1 = product(q1, jd, v)
    w2 = product(q2, diagonal([2, 2, 1], 12, 12), transpose(q1))
    w3 = product(u, transpose(jd), transpose(q2))
    assert product(w3, w2, w1) == product(u, d, d, d, v)
    return LinearNetwork((w1, w2, w3))


def scaled_orthogonal_middle() -> LinearNetwork:
    """[2, 12, 12, 2] with W2 = 3 Q: its Gram is 9 I, a top cluster of 12 (> MAX_CLUSTER:
    refined as one vector, which converges on one repeated eigenvalue)."""
    q = tuple(tuple(3 * x for x in row) for row in householder(12, 5))
    return LinearNetwork((uniform((12, 2), 6), q, uniform((2, 12), 7)))


def rank_one() -> LinearNetwork:
    """[3, 10, 10, 3] with W1 = u vᵀ: T = P has rank 1, the Gram matrices rank ≤ 1 … 10."""
    u, v = uniform((10, 1), 8), uniform((1, 3), 9)
    return LinearNetwork((product(u, v), uniform((10, 10), 10), uniform((3, 10), 11)))


def close_cluster(count: int) -> LinearNetwork:
    """[2, 12, 12, 2] with W2 = D H, D = diag(2, 2 − 10⁻¹², …, 2 − (count − 1)·10⁻¹², 1, …):
    WᵀW = H D² H has `count` distinct top eigenvalues within a relative 10⁻¹¹ (float64 sees
    one cluster)."""
    tiny = Fraction(1, 10**12)
    values = [2 - k * tiny for k in range(count)] + [Fraction(1, k + 2) for k in range(12 - count)]
    w2 = product(diagonal(values, 12, 12), householder(12, 12))
    return LinearNetwork((uniform((12, 2), 13), w2, uniform((2, 12), 14)))


SIGMA = rows([[2, "1/2", 0], [0.5, 1, 0], [0, 0, 3]])
CASES = {
    **{f.name: f for f in sorted(EXAMPLES.glob("*.json"))},
    "random 192": ((4, 8, 8, 8, 4), 0),
    "random 960": ((4, 20, 20, 20, 4), 0),
    "non-whitened": ((3, 10, 10, 2), 20),
}


def case_named(name: str) -> LinearNetwork:
    spec = CASES[name]
    if not isinstance(spec, tuple):
        return load_network(spec)
    widths, seed = spec
    return random_network(widths, seed, SIGMA if name == "non-whitened" else None)


def routes(case: LinearNetwork, monkeypatch) -> tuple[dict, dict]:
    """`report` (50 and 80 digits) by the mpmath route and by the fast route."""
    monkeypatch.setattr(inputs, "MAX_MPMATH_PARAMETERS", 10**9)
    slow = sh.report(case, (50, 80))
    monkeypatch.setattr(inputs, "MAX_MPMATH_PARAMETERS", 0)
    fast = sh.report(case, (50, 80))
    assert fastroute._last[0].case is case  # it did take the fast route
    return slow, fast


def assert_agree(slow: dict, fast: dict) -> None:
    """Every printed field to DIGITS digits (|a − b| / max(|b|, 1), as `digits`)."""
    assert slow.keys() == fast.keys()
    for key in slow.keys() - {"digits", "dps"}:
        a, b = slow[key], fast[key]
        if isinstance(a, bool) or a is None:
            assert a == b, key
            continue
        pairs = zip(a, b, strict=True) if isinstance(a, list) else [(a, b)]
        for x, y in pairs:
            assert agreement_digits(HIGH, HIGH.mpf(x), HIGH.mpf(y), 1) >= DIGITS, (key, x, y)
    assert fast["digits"] >= DIGITS and fast["dps"] == slow["dps"]


@pytest.mark.parametrize("name", list(CASES))
def test_the_fast_route_prints_what_the_mpmath_route_prints(name, monkeypatch):
    assert_agree(*routes(case_named(name), monkeypatch))


@pytest.mark.parametrize(
    "build", [balanced, scaled_orthogonal_middle, rank_one, lambda: close_cluster(2)]
)
def test_degenerate_minima_agree_too(build, monkeypatch):
    slow, fast = routes(build(), monkeypatch)
    assert_agree(slow, fast)


def test_a_balanced_minimum_has_zero_balance_and_the_repeated_norm_exactly():
    case, ctx = balanced(), workcontext(50)
    out = fastroute.measure(case, ctx)
    assert out["balance"] == [0, 0]
    assert out["residual"] == 0 and out["gradient_norm"] == 0
    assert [ctx.nstr(x, 45) for x in out["layer_norms"]] == ["2.0"] * 3
    assert fastroute.rational_case(case).spectrum(2)[0][-2] > 1 - fastroute.CLUSTER


def test_a_cluster_float64_cannot_resolve_is_an_error_not_a_wrong_norm():
    # 10 distinct eigenvalues within 1e-11: more than MAX_CLUSTER, refined as one vector.
    with pytest.raises(fastroute.NotConverged, match=r"did not converge.*its top 10 float64"):
        fastroute.measure(close_cluster(10), workcontext(50))


def write(path, weights, **extra) -> str:
    path.write_text(json.dumps({"weights": weights, **extra}))
    return str(path)


def test_the_cli_measures_a_20800_parameter_network(capsys, tmp_path):
    rng = np.random.default_rng(0)
    widths = (4, 100, 100, 100, 4)
    weights = [
        [[float(f"{x:.4f}") for x in row] for row in rng.uniform(-1, 1, shape)]
        for shape in zip(widths[1:], widths[:-1], strict=True)
    ]
    start = time.perf_counter()
    status = main(["sharpness", write(tmp_path / "net.json", weights), "--json"])
    seconds = time.perf_counter() - start
    out = json.loads(capsys.readouterr().out)
    assert status == 0 and out["is_global_minimum"] is True and out["digits"] == 50
    assert len(out["layer_norms"]) == 4 and len(out["balance"]) == len(out["coupling"]) == 3
    assert seconds < 30  # ~0.5 s on 2 cores


def test_above_the_parameter_limit_the_cli_fails_at_once(capsys, tmp_path):
    path = write(tmp_path / "net.json", [[[1] * (MAX_PARAMETERS + 1)]])
    start = time.perf_counter()
    status = main(["sharpness", path])
    assert time.perf_counter() - start < 5
    err = capsys.readouterr().err
    assert status == 2
    assert f"the network has {MAX_PARAMETERS + 1:,} parameters; the limit is" in err
    assert f"{MAX_PARAMETERS:,}" in err


def test_a_large_network_away_from_a_minimum_is_refused_at_once(capsys, tmp_path):
    weights = [[[1] * 4] * 30, [[1] * 30] * 30, [[1] * 30] * 4]
    path = write(tmp_path / "net.json", weights, target=[[0] * 4] * 4)
    status = main(["sharpness", path])
    err = capsys.readouterr().err
    assert status == 2
    assert "not a global minimum, so the full Hessian is needed: it is 1140×1140" in err


def test_products_over_the_rationals_beyond_the_work_limit_are_refused(monkeypatch):
    monkeypatch.setattr(fastroute, "MAX_EXACT_WORK", 1000)
    case = random_network((4, 20, 20, 20, 4))
    with pytest.raises(InputError, match=r"the products over ℚ would take .* the limit is 1e\+03"):
        sh.report(case, (50, 80))


@pytest.mark.parametrize(
    "value",
    [
        *("0", "-0", "+5", "12", "-0.1234", "1.50", "007.25", "-0.0000", "9" * 300),
        *("1" * 301, "1e5", "-2.5E-3", " 1.5", "1.", ".5", "1/3", "١٢", "1_0", "0x10", "nan"),
        *(5, -7, 0, 10**300, -(10**300), 10**300 + 1, True, 2.5),
    ],
)
def test_the_fast_number_parser_agrees_with_the_general_one(value):
    try:
        expected = _number(value, "x")
    except InputError:
        expected = None
    fast = _plain(value)
    assert fast is None or (fast == expected and type(fast) is Fraction)


def test_past_300_digits_the_refinement_still_converges(monkeypatch):
    # R/θ underflows float64 near 1e-308: the correction is computed from R/‖R‖.
    case, ctx = random_network((2, 12, 12, 2), 30), workcontext(400)
    monkeypatch.setattr(inputs, "MAX_MPMATH_PARAMETERS", 10**9)
    slow = sh.measure(case, ctx)["layer_norms"]
    fast = fastroute.measure(case, ctx)["layer_norms"]
    assert all(agreement_digits(ctx, x, y) >= 395 for x, y in zip(slow, fast, strict=True))


def test_a_zero_target_has_no_flattest_minimum_on_the_fast_route_either():
    # W2 = 0: T = P = 0, so there is no flattest minimum and no top path (Degenerate); the
    # fields are None and [] as on the mpmath route, and the layer norms are still measured.
    case, ctx = LinearNetwork((rows([[1, 2], [3, 4]]), rows([[0, 0], [0, 0]]))), workcontext(50)
    fast, slow = fastroute.measure(case, ctx), sh.measure(case, ctx)
    assert fast["flattest"] is None and fast["flatness_ratio"] is None
    assert slow["flattest"] is None and slow["flatness_ratio"] is None
    assert fast["coupling"] == slow["coupling"] == []
    assert agreement_digits(ctx, fast["layer_norms"][0], slow["layer_norms"][0]) >= DIGITS
    assert fast["layer_norms"][1] == 0


def test_the_work_over_the_rationals_counts_every_product():
    # Widths (2, 3, 4, 1), integer numerators of up to 3 bits (5). Multiply-adds: each
    # layer's smaller Gram d_{k-1} d_k min(d_{k-1}, d_k) = 12 + 36 + 4; the products A_k, B_k
    # and A_kᵀA_k, B_k B_kᵀ, d_{k-1} d_k (d_0 + d_N) = 18 + 36 + 12; the consecutive products
    # W_{k+1} W_k, d_{k-1} d_k d_{k+1} = 24 + 12; each × (3 + 10).
    w1, w3 = rows([[1, 2], [0, 5], [3, 1]]), rows([[1, -5, 2, 0]])
    w2 = rows([[1, 0, 2], [0, 1, 1], [4, 0, 1], [1, 1, 1]])
    case = LinearNetwork((w1, w2, w3))
    assert case.widths == (2, 3, 4, 1)
    assert fastroute.Rational(case).work() == (52 + 66 + 36) * 13


def test_the_alignment_is_the_cosine_between_the_image_and_the_vector():
    ctx = workcontext(30)
    v = ctx.matrix([ctx.mpf(3) / 5, ctx.mpf(4) / 5])
    with precision(30):
        unit, longer, zero = arb_mat([[1], [0]]), arb_mat([[0], [6]]), arb_mat(2, 1)
        assert fastroute._alignment(ctx, unit, v) == ctx.mpf(3) / 5  # ‖G v‖ = 1
        assert abs(fastroute._alignment(ctx, longer, v) - ctx.mpf(4) / 5) < ctx.mpf(10) ** -29
        assert fastroute._alignment(ctx, zero, v) == 1  # G v = 0: v is an eigenvector


def test_the_refinement_gives_up_after_stalls_iterations_that_gain_no_digit(monkeypatch):
    # WᵀW's 9 eigenvalues lie within a relative 10⁻¹¹: one float64 cluster, larger than
    # MAX_CLUSTER, refined as the top vector alone with no eigenvector outside the cluster
    # to correct it by, so no iteration gains a digit: the first, then STALLS stalls.
    tiny = Fraction(1, 10**12)
    w = fastroute._rationals(
        product(diagonal([2 - k * tiny for k in range(9)], 9, 9), householder(9, 9))
    )
    iterations = []
    ritz_top = fastroute._ritz_top
    monkeypatch.setattr(fastroute, "_ritz_top", lambda *a: iterations.append(1) or ritz_top(*a))
    with precision(50), pytest.raises(fastroute.NotConverged) as error:
        fastroute.top_eigenvalue(
            workcontext(50), arb_mat(w.transpose() * w), fastroute.float_spectrum(w, False)
        )
    assert len(iterations) == 1 + fastroute.STALLS
    # The residual it stopped at, to 3 significant digits.
    assert re.search(
        r"did not converge: relative residual \d(\.\d{1,2})?e-\d+, not below 1e-55 \(its top 9 ",
        str(error.value),
    )
