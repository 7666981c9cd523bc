"""The float64 curvature of benchmarks/methods.py: its Hessian-vector product is the Hessian
of L (not JᵀJ) at and away from a minimum, its full Hessian is `curvature.full_hessian`'s, a
wrong product (the dB term dropped) is caught, and the exact tier's network has λ_max = 48."""

import importlib.util
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from verify.linear import curvature as cv
from verify.linear import train
from verify.linear.network import LinearNetwork, rows_product, transpose
from verify.precision import workcontext

PATH = Path(__file__).resolve().parent.parent / "benchmarks" / "methods.py"
SPEC = importlib.util.spec_from_file_location("bench_methods", PATH)
methods = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(methods)

# Widths (d_0, …, d_N): unequal widths catch transposed blocks, depth 4 has W_{l−1}⋯W_{k+1}
# chains of length 0, 1 and 2.
WIDTHS = [(2, 3, 2), (3, 4, 2, 3), (2, 3, 4, 2, 3)]


def network(widths, seed, minimum):
    """Random weights, a random SPD Σx (not whitened) and T = P (`minimum`) or a random T."""
    rng = np.random.default_rng(seed)
    weights = [rng.uniform(-1, 1, (widths[k], widths[k - 1])) for k in range(1, len(widths))]
    x = rng.standard_normal((widths[0], 2 * widths[0]))
    sigma = x @ x.T / (2 * widths[0]) + np.eye(widths[0]) / 2
    sigma = (sigma + sigma.T) / 2  # exactly symmetric
    product = train.product(weights)
    target = product if minimum else product + rng.uniform(-1, 1, product.shape)
    return weights, sigma, target


def relative(x, y):
    return np.linalg.norm(x - y) / np.linalg.norm(y)


def direction(weights, seed):
    rng = np.random.default_rng(seed + 1000)
    return rng.standard_normal(sum(w.size for w in weights))


@pytest.mark.parametrize("minimum", [True, False])
@pytest.mark.parametrize("widths", WIDTHS)
def test_hvp_is_the_full_hessian_times_v(widths, minimum):
    for seed in range(3):
        weights, sigma, target = network(widths, seed, minimum)
        h = methods.full_hessian64(weights, sigma, target)
        assert np.array_equal(h, h.T)
        hvp = methods.hvp64(weights, sigma, target)
        for k in range(3):
            v = direction(weights, 10 * seed + k)
            assert relative(hvp(v), h @ v) < 1e-10


@pytest.mark.parametrize("widths", WIDTHS)
def test_hvp_is_the_derivative_of_the_gradient(widths):
    """Central differences of `train.gradient` (independent of both formulas): O(h²)."""
    weights, sigma, target = network(widths, 0, minimum=False)
    shapes = [w.shape for w in weights]
    v = direction(weights, 0)
    step = 1e-5

    def grad(t):
        moved = [w + t * d for w, d in zip(weights, methods.unstack(v, shapes), strict=True)]
        return methods.stack(train.gradient(moved, sigma, target))

    difference = (grad(step) - grad(-step)) / (2 * step)
    assert relative(methods.hvp64(weights, sigma, target)(v), difference) < 1e-7


@pytest.mark.parametrize("minimum", [True, False])
@pytest.mark.parametrize("widths", WIDTHS)
def test_numpy_full_hessian_is_the_mpmath_one(widths, minimum):
    weights, sigma, target = network(widths, 1, minimum)
    exact = [tuple(tuple(Fraction(x) for x in row) for row in m) for m in (*weights, sigma, target)]
    case = LinearNetwork(tuple(exact[:-2]), sigma_x=exact[-2], target=exact[-1])
    reference = np.array(cv.full_hessian(case.at(workcontext(30))).tolist(), dtype=float)
    ours = methods.full_hessian64(weights, sigma, target)
    assert np.max(np.abs(ours - reference)) <= 1e-12 * np.max(np.abs(reference))


@pytest.mark.parametrize("widths", WIDTHS)
def test_dropping_the_db_term_is_caught(widths):
    """Away from a minimum each term matters; at one (E = 0) the dB and dA terms vanish,
    which is why the check needs both kinds of point."""
    weights, sigma, target = network(widths, 2, minimum=False)
    h = methods.full_hessian64(weights, sigma, target)
    terms = methods.hvp_terms(weights, sigma, target)
    shapes = [w.shape for w in weights]
    v = direction(weights, 2)
    _, de_term, da_term = terms(methods.unstack(v, shapes))
    wrong = methods.stack([x + y for x, y in zip(de_term, da_term, strict=True)])
    assert relative(wrong, h @ v) > 1e-3
    assert relative(methods.hvp64(weights, sigma, target)(v), h @ v) < 1e-10


def test_power_iteration_and_lanczos_find_lambda_max():
    weights, sigma, target = network((3, 4, 2, 3), 3, minimum=True)
    size = sum(w.size for w in weights)
    top = np.linalg.eigvalsh(methods.full_hessian64(weights, sigma, target))[-1]
    hvp = methods.hvp64(weights, sigma, target)
    value, count = methods.lanczos(hvp, size)
    assert abs(value - top) < 1e-10 * top and count > 0
    value, count = methods.power_iteration(hvp, size, np.random.default_rng(0))
    assert abs(value - top) < 1e-2 * top and 1 < count <= methods.POWER_MAX_ITER


def test_correct_digits_against_an_enclosure():
    from flint import arb

    ball = arb(48, 1e-40)
    assert methods.enclosure_digits(ball) == pytest.approx(40 + np.log10(48), abs=0.01)
    assert methods.correct_digits(48.0048, ball) == pytest.approx(4, abs=0.01)
    assert methods.correct_digits(48.0, ball) == methods.enclosure_digits(ball)  # capped


def test_exact_tier_network_is_a_balanced_rational_minimum():
    from verify.linear.exact import exact_sharpness

    case = methods.rational_minimum()
    assert case.at_global_minimum() and case.whitened
    assert all(isinstance(x, Fraction) for w in case.weights for row in w for x in row)
    for lower, upper in zip(
        case.weights, case.weights[1:], strict=False
    ):  # W_{k+1}ᵀW_{k+1} = W_k W_kᵀ
        assert rows_product(transpose(upper), upper) == rows_product(lower, transpose(lower))
    assert exact_sharpness(case).minimal_polynomial == (-48, 1)  # N σ1^(2 − 2/N), σ1 = 8
