"""The LaTeX printer: escaping, fragments, the document, and how a step's equation is laid out
(tests/test_cli.py compiles `make latex`'s document and checks its log)."""

import pytest
import sympy

import theory
from theory.latex import LINE, equation_rows, render_derivation, render_document
from theory.texescape import escape_text
from theory.texwidth import width

X, Y = sympy.symbols("x y")


@pytest.mark.parametrize(
    ("text", "latex"),
    [
        ("a_b & 50% #1 {x} $y", r"a\_b \& 50\% \#1 \{x\} \$y"),
        ("λ ≥ N – é", r"$\lambda$ $\geq$ N -- \'{e}"),
        ("w_1⁻² ∇Pᵀ", r"w\_1$^{-}$$^{2}$ $\nabla$P$^{\mathsf{T}}$"),
        ("x\\y ~ ^", r"x\textbackslash{}y \~{} \^{}"),
        ("Ginsburg’s ẇ ﬁ ☃", r"Ginsburg's \.{w} fi [U+2603]"),
        ("−ρ̄ > 0.1", r"$-$$\bar{\rho}$ $>$ 0.1"),  # a combining macron on a math symbol
    ],
)
def test_escape_text(text, latex):
    assert escape_text(text) == latex


def test_fragment_of_a_derivation():
    g6 = render_derivation(theory.derivation("G6"))
    assert g6.startswith(r"\section{G6: Imbalance measures flatness}")
    assert r"\label{claim:G6}" in g6
    assert g6.count(r"\intertext{") == len(theory.derivation("G6").steps)
    assert "cited" not in g6 and r"Shown for $N = 2$" in g6
    assert r"witness $(w_{1} - \frac{1}{w_{1}})^{2} \geq 0$" in g6  # inline: no \left, breakable
    assert r"witness $(a_{1} - a_{2})^{2} \geq 0$" in g6
    f1 = render_derivation(theory.derivation("F1"))
    assert f1.count(r"\emph{(cited, not machine-checked)}") == 2
    assert "except the cited step(s) (3, 5)." in f1
    h4 = render_derivation(theory.derivation("H4"))
    assert "cited" not in h4 and r"on $t = Q_{ij} w_{i} w_{j}$" in h4
    assert "once for all sizes" in h4 and "step 1 holds for all sizes" in g6


@pytest.fixture(scope="module")
def document():
    return render_document(
        theory.derivations(), title="Flat minima & λ", appendix=[r"\section{Evidence}Table."]
    )


def test_document_holds_every_derivation_and_the_appendix(document):
    assert document.startswith(r"\documentclass{article}")
    assert r"\title{Flat minima \& $\lambda$}" in document
    for d in theory.derivations():
        assert f"\\label{{claim:{d.claim}}}" in document
    assert document.index(r"\appendix") < document.index(r"\section{Evidence}")
    assert document.rstrip().endswith(r"\end{document}")
    assert document.isascii()


def test_document_without_appendix(document):
    assert r"\appendix" not in render_document(theory.derivations()[:1])


def test_an_equation_that_fits_is_one_row():
    assert equation_rows(X, "=", Y) == "x = y"
    assert equation_rows(X, "=", Y, continues=True) == "{}= y"


def test_a_long_equation_puts_its_rhs_on_a_row_of_its_own():
    lhs = sympy.Add(*(X**k for k in range(1, 16)), evaluate=False)
    rows = equation_rows(lhs, "=", lhs + Y).split(r" \\ ")
    assert len(rows) == 2 and rows[1].startswith("{}= ")


def test_a_side_wider_than_the_line_breaks_after_a_term():
    long = sympy.Add(*(sympy.Symbol(f"w_{k}") ** 2 * X for k in range(40)))
    row = equation_rows(Y, "=", long, continues=True)
    assert row.startswith(r"\begin{aligned}{}= & ") and r" \\ & \quad {}+ " in row
    for line in row.removesuffix(r"\end{aligned}").split(r" \\ "):
        assert width(line) <= LINE


def test_a_column_with_fractions_is_shown_entry_by_entry():
    lhs, rhs = sympy.Matrix([X / (Y + 1), Y]), sympy.Matrix([X / (Y + 1), Y])
    assert equation_rows(lhs, "=", rhs) == r"\frac{x}{y + 1} = \frac{x}{y + 1} \\[1ex] y = y"
    assert r"\begin{matrix}" in equation_rows(sympy.Matrix([X, Y]), "=", sympy.Matrix([Y, X]))


def test_width_estimates_grow_with_the_formula():
    assert 0 < width("x") < width("x + y") < width("x + y + z")
    assert width(r"\frac{x + y}{2}") < width("x + y + 2")
    assert width(r"x^{2}") < width("x 2")
    matrix = r"\left[\begin{matrix}x & y\\z & w\end{matrix}\right]"
    columns = max(width("x"), width("z")) + max(width("y"), width("w"))
    assert columns + 10 < width(matrix) < columns + 25  # 10 pt between columns, brackets


def test_a_named_quantity_is_shown_by_its_name():
    g3 = render_derivation(theory.derivation("G3"))
    assert r"\frac{\partial L_{\mu}}{\partial w_{1}}" in g3 and r"\frac{\mu" not in g3
