"""Gardner's capacity of the spherical perceptron (P1; Gardner 1988).

With Dz = G(z) dz, G(z) = e^{−z²/2}/√(2π) and H(x) = ∫_x^∞ Dz = ½ erfc(x/√2), a margin κ ≥ 0
gives α_c(κ) = 1 / ∫_{−κ}^∞ Dz (z + κ)². SymPy evaluates the three Gaussian moments over
[−κ, ∞) and the integral itself: ∫_{−κ}^∞ Dz (z + κ)² = (1 + κ²) H(−κ) + κ G(κ), so α_c(0) = 2,
and its κ-derivative 2[κ H(−κ) + G(κ)] is positive, so α_c decreases with κ.
"""

from __future__ import annotations

from sympy import Derivative, Expr, Integral, Symbol, erf, erfc, exp, oo, pi, sqrt

from theory.derivation import AT_LEAST, Derivation, Step

KAPPA = Symbol("kappa", nonnegative=True)  # the margin κ ≥ 0
Z = Symbol("z", real=True)  # the Gaussian variable


def density(x: Expr) -> Expr:
    """G(x) = e^{−x²/2}/√(2π)."""
    return exp(-(x**2) / 2) / sqrt(2 * pi)


def tail(x: Expr) -> Expr:
    """H(x) = ∫_x^∞ Dz = ½ erfc(x/√2)."""
    return erfc(x / sqrt(2)) / 2


def moment(f: Expr) -> Integral:
    """∫_{−κ}^∞ Dz f(z), unevaluated."""
    return Integral(f * density(Z), (Z, -KAPPA, oo))


def gardner_integral() -> Expr:
    """(1 + κ²) H(−κ) + κ G(κ), the closed form of ∫_{−κ}^∞ Dz (z + κ)²."""
    return (1 + KAPPA**2) * tail(-KAPPA) + KAPPA * density(KAPPA)


def p1_steps(_: int) -> list[Step]:
    """P1: ∫_{−κ}^∞ Dz (z + κ)² = (1 + κ²) H(−κ) + κ G(κ); α_c(0) = 2; α_c decreases in κ."""
    closed = gardner_integral()
    positive = KAPPA * (1 + erf(KAPPA / sqrt(2))) + 2 * density(KAPPA)  # = 2[κ H(−κ) + G(κ)]
    return [
        Step(
            moment((Z + KAPPA) ** 2),
            moment(Z**2) + 2 * KAPPA * moment(Z) + KAPPA**2 * moment(1),
            "expand the square; the integral is linear",
        ),
        Step(moment(1), tail(-KAPPA), "the Gaussian mass of [−κ, ∞) is H(−κ) = ½ erfc(−κ/√2)"),
        Step(moment(Z), density(KAPPA), "z G(z) = −dG/dz, so the first moment is G(−κ) = G(κ)"),
        Step(
            moment(Z**2),
            tail(-KAPPA) - KAPPA * density(KAPPA),
            "integrating z · z G(z) by parts: H(−κ) + (−κ) G(−κ)",
        ),
        Step(
            moment((Z + KAPPA) ** 2),
            closed,
            "adding: H(−κ) − κG(κ) + 2κG(κ) + κ²H(−κ) = (1 + κ²) H(−κ) + κ G(κ)",
        ),
        Step(
            1 / closed,
            2,
            "at κ = 0 the integral is H(0) = ½, so α_c(0) = 1/½ = 2",
            where={KAPPA: 0},
        ),
        Step(
            Derivative(closed, KAPPA),
            0,
            "its derivative in κ is 2[κ H(−κ) + G(κ)] = κ(1 + erf(κ/√2)) + 2G(κ) ≥ 0 "
            "(erfc = 1 − erf), "
            "so α_c(κ) decreases in κ",
            relation=AT_LEAST,
            witness=positive,
            where={erfc(KAPPA / sqrt(2)): 1 - erf(KAPPA / sqrt(2))},
        ),
    ]


DERIVATIONS = (
    Derivation(
        "P1",
        "Gardner capacity of the spherical perceptron",
        "For margin κ ≥ 0, α_c(κ) = 1 / ∫_{−κ}^∞ Dz (z + κ)² = 1 / [(1 + κ²) H(−κ) + κ G(κ)], "
        "so α_c(0) = 2, and α_c decreases in κ.",
        "Gardner 1988",
        p1_steps,
        sizes=(1,),
        shown=1,
        size_name="",
    ),
)
