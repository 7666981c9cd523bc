"""Algebraic numbers as SymPy text (a printer: the numbers are computed in verify.algebraic)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import sympy

if TYPE_CHECKING:
    from verify.algebraic import AlgebraicNumber

MAX_SURD_DIGITS = 400  # a larger discriminant: SymPy's √ (and parsing it) takes 0.1 s to minutes


def _expression(coefficients: tuple[int, ...], x: sympy.Symbol) -> sympy.Expr:
    return sum((c * x**i for i, c in enumerate(coefficients)), sympy.Integer(0))


def polynomial_text(coefficients: tuple[int, ...], variable: str = "x") -> str:
    """Coefficients (constant term first) as SymPy text, e.g. "x**2 - 5*x + 5"."""
    return str(_expression(coefficients, sympy.Symbol(variable)))


def closed_form(a: AlgebraicNumber) -> str:
    """a as SymPy text: a rational, a quadratic surd (−b ± √(b² − 4ac))/(2a) while b² − 4ac
    has at most MAX_SURD_DIGITS digits, else CRootOf(p, k) with k the index of a among p's
    real roots in ascending order (SymPy's convention). A cubic or quartic with only real
    roots has no radical form free of √−1 (casus irreducibilis), so degree ≥ 3 is CRootOf."""
    from verify.algebraic import compare, real_roots

    c = a.minimal_polynomial
    if len(c) == 2:
        return str(sympy.Rational(-c[0], c[1]))
    roots = real_roots(a.poly)
    # Decided exactly: a's isolating interval may reach into a smaller root's enclosure.
    index = next(i for i, r in enumerate(roots) if compare(r, a) == 0)
    discriminant = c[1] ** 2 - 4 * c[2] * c[0] if len(c) == 3 else 0
    if 0 < discriminant < 10**MAX_SURD_DIGITS:  # SymPy's √ factors it: fast at this size
        surd = sympy.sqrt(discriminant) * (1 if index == len(roots) - 1 else -1)
        return str(sympy.factor_terms(sympy.radsimp((-c[1] + surd) / (2 * c[2]))))
    return f"CRootOf({_expression(c, sympy.Symbol('x'))}, {index})"
