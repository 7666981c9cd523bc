"""The P1 and P2 checks hold, and fail when a formula or the literature value is wrong."""

from fractions import Fraction

import pytest

from verify.claims import perceptron as perceptron_claims
from verify.evidence import InvalidCase
from verify.perceptron import capacity
from verify.precision import workcontext


@pytest.fixture
def ctx():
    return workcontext(30)


def test_p1_holds_and_a_perturbed_closed_form_fails(ctx, monkeypatch):
    assert perceptron_claims.p1_gardner_capacity(Fraction(3, 2), ctx).holds(ctx)
    right = perceptron_claims.gardner_closed_form
    monkeypatch.setattr(
        perceptron_claims, "gardner_closed_form", lambda c, k: right(c, k) * (1 + k / 10**6)
    )
    failing = perceptron_claims.p1_gardner_capacity(Fraction(3, 2), ctx).failing(ctx)
    assert failing == ["∫_{−κ}^∞ Dz (z+κ)² (quadrature) = (1+κ²)H(−κ) + κG(κ)"]


def test_p2_holds_and_a_wrong_literature_value_fails(ctx, monkeypatch):
    found = perceptron_claims.p2_binary_capacity(Fraction(0), ctx)
    assert found.holds(ctx)
    assert found.values["annealed_bound_at_0"] == 1 and found.values["alpha_c_at_0"] == 2
    monkeypatch.setattr(perceptron_claims, "LITERATURE_ALPHA_KM", "0.8330787")
    (failing,) = perceptron_claims.p2_binary_capacity(Fraction(0), ctx).failing(ctx)
    assert failing.startswith("|α_KM − 0.8330787|")


def test_p2_is_only_defined_at_zero_margin(ctx):
    with pytest.raises(InvalidCase):
        perceptron_claims.p2_binary_capacity(Fraction(1, 2), ctx)


def test_p1_quadrature_checks_fail_when_the_quadrature_is_wrong(ctx, monkeypatch):
    right = capacity.gardner_integral

    def wrong(c, k):
        return right(c, k) * (1 + c.mpf(10) ** -6)

    monkeypatch.setattr(capacity, "gardner_integral", wrong)  # what α_c(0) by quadrature uses
    monkeypatch.setattr(perceptron_claims, "gardner_integral", wrong)
    assert perceptron_claims.p1_gardner_capacity(Fraction(1, 2), ctx).failing(ctx) == [
        "∫_{−κ}^∞ Dz (z+κ)² (quadrature) = (1+κ²)H(−κ) + κG(κ)",
        "α_c(0) = 2 (quadrature)",
    ]
