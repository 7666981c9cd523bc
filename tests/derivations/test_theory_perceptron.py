"""The derivation of P1 (Gardner's capacity of the spherical perceptron)."""

import dataclasses

import pytest
from sympy import Integral, Rational, exp, oo, pi, simplify, sqrt

import theory
from theory.latex import render_derivation, render_document
from theory.perceptron import KAPPA, Z, density, gardner_integral, tail


@pytest.fixture(scope="module")
def p1():
    return theory.derivation("P1")


def test_derivation_is_complete(p1):
    assert (p1.source, p1.sizes, p1.size_name) == ("Gardner 1988", (1,), "")
    result = p1.check()
    assert result.ok, result.failures
    assert result.complete


def failures(p1, k: int, **changes) -> list[str]:
    """Failing step names ('P1 step 5') when step k is replaced by `changes`."""

    def build(n):
        steps = list(p1.build(n))
        steps[k - 1] = dataclasses.replace(steps[k - 1], **changes)
        return steps

    result = dataclasses.replace(p1, build=build).check()
    return [failure.split(" (")[0] for failure in result.failures]


def test_perturbed_closed_form_fails(p1):
    wrong = (1 + KAPPA) * tail(-KAPPA) + KAPPA * density(KAPPA)  # 1 + κ instead of 1 + κ²
    assert failures(p1, 5, rhs=wrong) == ["P1 step 5"]


def test_second_moment_without_the_boundary_term_fails(p1):
    assert failures(p1, 4, rhs=tail(-KAPPA)) == ["P1 step 4"]


def test_capacity_at_zero_margin_is_not_one(p1):
    assert failures(p1, 6, rhs=1) == ["P1 step 6"]


def test_decrease_needs_the_right_witness(p1):
    assert failures(p1, 7, witness=2 * density(KAPPA)) == ["P1 step 7"]


def test_closed_form_at_exact_margins():
    # κ = 0: H(0) = ½; κ = 1: (1 + 1) H(−1) + G(1), compared with SymPy's own integral
    assert gardner_integral().subs(KAPPA, 0) == Rational(1, 2)
    integral = Integral((Z + 1) ** 2 * exp(-(Z**2) / 2) / sqrt(2 * pi), (Z, -1, oo)).doit()
    assert simplify(integral - gardner_integral().subs(KAPPA, 1)) == 0


def test_latex_section_and_document_compile(p1, pdflatex):
    section = render_derivation(p1)
    assert section.startswith(r"\section{P1: Gardner capacity of the spherical perceptron}")
    assert section.count(r"\intertext{") == len(p1.steps)
    assert "Every step is checked by SymPy, once for all sizes." in section
    assert "Shown for" not in section
    pdflatex(render_document([p1]), "p1")
