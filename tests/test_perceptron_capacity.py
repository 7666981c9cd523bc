"""Perceptron capacities: Gardner's α_c(κ), the first-moment bound, the Krauth–Mézard α_KM."""

from fractions import Fraction

import pytest

from verify.perceptron import capacity as cap
from verify.perceptron.gaussian import gauss_average, gauss_density
from verify.precision import exact, workcontext


@pytest.fixture(scope="module")
def ctx():
    return workcontext(30)


@pytest.mark.parametrize("kappa", [Fraction(0), Fraction(1, 3), Fraction(1), Fraction(5, 2)])
def test_gardner_quadrature_matches_closed_form(ctx, kappa):
    k = exact(ctx, kappa)
    gap = cap.gardner_integral(ctx, k) - cap.gardner_closed_form(ctx, k)
    assert abs(gap) < ctx.mpf(10) ** -25


def test_gardner_capacity_values(ctx):
    assert cap.gardner_capacity(ctx, ctx.zero) == 2
    assert abs(cap.gardner_capacity(ctx, ctx.zero, quadrature=True) - 2) < ctx.mpf(10) ** -25
    # κ = 1: 1/[2 H(−1) + G(1)] ≈ 0.5006 (H(−1) = 0.841344746..., G(1) = 0.241970724...)
    assert abs(cap.gardner_capacity(ctx, ctx.one) - 1 / (2 * 0.8413447461 + 0.2419707245)) < 1e-9
    values = [cap.gardner_capacity(ctx, exact(ctx, Fraction(k, 4))) for k in range(13)]
    assert values == sorted(values, reverse=True)


def test_annealed_bound(ctx):
    assert abs(cap.annealed_bound(ctx, ctx.zero) - 1) < ctx.mpf(10) ** -28
    assert cap.annealed_bound(ctx, ctx.one) < cap.annealed_bound(ctx, ctx.one / 2) < 1


@pytest.fixture(scope="module")
def km(ctx):
    return cap.krauth_mezard(ctx)


def test_krauth_mezard_constant(ctx, km):
    # Ding & Sun (2019) quote α* ≈ 0.833078599; Krauth & Mézard (1989) 0.8330786
    assert abs(km.alpha - ctx.mpf("0.833078599")) < 1e-9
    assert abs(km.entropy) < ctx.mpf(10) ** -25
    assert 0 < km.q < 1 and km.qhat > 0
    assert all(
        abs(r) < ctx.mpf(10) ** -25 for r in cap.saddle_residuals(ctx, km.alpha, km.q, km.qhat)
    )


def test_residuals_detect_a_point_off_the_saddle(ctx, km):
    d_q, d_qhat = cap.saddle_residuals(ctx, km.alpha, km.q * (1 + ctx.mpf(10) ** -6), km.qhat)
    assert abs(d_q) > ctx.mpf(10) ** -8 and abs(d_qhat) > ctx.mpf(10) ** -8


def test_cache_returns_numbers_of_the_given_context(km):
    other = workcontext(30)
    again = cap.krauth_mezard(other)
    assert again.alpha.context is other and again.alpha == km.alpha


def test_rs_entropy_changes_sign_at_alpha_km():
    ctx = workcontext(20)
    below = cap.rs_saddle(ctx, ctx.mpf("0.8"), 2)
    above = cap.rs_saddle(ctx, ctx.mpf("0.87"), 3)
    assert below.entropy > 0 > above.entropy
    at = cap.krauth_mezard(ctx)
    same = cap.rs_saddle(ctx, at.alpha, 2)
    assert abs(same.q - at.q) < ctx.mpf(10) ** -15


def test_gardner_capacity_is_the_closed_form_unless_quadrature_is_asked(ctx, monkeypatch):
    def no_quadrature(c, k):
        raise AssertionError("the default α_c(κ) must not integrate numerically")

    monkeypatch.setattr(cap, "gardner_integral", no_quadrature)
    for kappa in (Fraction(0), Fraction(1, 2), Fraction(3)):
        k = exact(ctx, kappa)
        assert cap.gardner_capacity(ctx, k) == 1 / cap.gardner_closed_form(ctx, k)
    with pytest.raises(AssertionError, match="must not integrate"):
        cap.gardner_capacity(ctx, ctx.zero, quadrature=True)


def test_gauss_average_is_exact_for_a_kink_at_the_origin(ctx):
    # ∫_{−a}^{a} Dz |z| = 2(G(0) − G(a)): exact only because the interval is split at z = 0
    for a in (ctx.mpf(1) / 2, ctx.mpf(3)):
        expected = 2 * (gauss_density(ctx, 0) - gauss_density(ctx, a))
        assert abs(gauss_average(ctx, abs, -a, a) - expected) < ctx.mpf(10) ** -28
    assert abs(gauss_average(ctx, abs) - ctx.sqrt(2 / ctx.pi)) < ctx.mpf(10) ** -28


def test_krauth_mezard_refines_the_root_cached_at_a_lower_precision(monkeypatch):
    """A fresh cache, so the solve runs even where α_KM is already cached (mutmut's workers
    inherit the cache of its clean run)."""
    low = workcontext(cap._SEED_DPS)
    seed = cap.saddle_at_conjugate(low, low.mpf("2.5763513190756745721"))  # q̂ to 20 digits
    monkeypatch.setattr(cap, "_CACHE", {cap._SEED_DPS: seed})  # no other precision solved yet
    ctx = workcontext(cap._SEED_DPS + 5)
    refined = cap.krauth_mezard(ctx)
    assert sorted(cap._CACHE) == [cap._SEED_DPS, cap._SEED_DPS + 5]
    assert abs(refined.entropy) < ctx.mpf(10) ** -(cap._SEED_DPS + 3)
    assert abs(refined.qhat - seed.qhat) < ctx.mpf(10) ** -(cap._SEED_DPS - 2)
    assert abs(refined.alpha - ctx.mpf("0.8330785997395792336890869")) < ctx.mpf(10) ** -24
