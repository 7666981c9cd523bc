"""The LaTeX printer: escaping, fragments, and a document that pdflatex compiles."""

import pytest

import theory
from theory.latex import render_derivation, render_document
from theory.mathtext import escape_text


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
    assert r"witness $\left(w_{1} - \frac{1}{w_{1}}\right)^{2} \geq 0$" in g6
    assert r"witness $\left(a_{1} - a_{2}\right)^{2} \geq 0$" in g6
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


def test_pdflatex_compiles_the_document(document, pdflatex):
    pdflatex(document, "derivations")
