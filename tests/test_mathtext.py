"""The Unicode-math → LaTeX converter (theory/mathtext.py, with theory/mathsegments.py and
theory/mathtranslator.py) on every text the documents print (tests/document_texts.py)."""

import re
import shutil
import subprocess

import pytest
from document_texts import TEXTS

from theory.mathsegments import CODE, MATH, PROSE, segments
from theory.mathsymbols import MATH_CHARS
from theory.mathtext import math_text

# Never in prose: Unicode mathematics, and the ASCII that only mathematics uses.
NOT_PROSE = {c for c in MATH_CHARS if not c.isascii()} | set("_^=<>|{}*")


def test_every_text_is_collected():
    assert len(TEXTS) > 400
    assert (
        "At a global minimum H = JᵀJ: nonzero spectrum of H = spectrum of M; tr H = Σ‖A_kS‖²‖B_k‖²"
        in TEXTS
    )


@pytest.mark.parametrize("text", TEXTS)
def test_no_mathematics_is_left_in_prose(text):
    pieces = segments(text)
    assert "".join(part for _, part in pieces) == text
    for kind, part in pieces:
        if kind == PROSE:
            assert not NOT_PROSE & set(part), (part, text)
        if kind == MATH:
            assert part == part.strip() and part
    latex = math_text(text)
    assert latex.isascii() and "[U+" not in latex
    assert len(re.findall(r"(?<!\\)\$", latex)) % 2 == 0
    outside = re.sub(r"(?<!\\)\$.*?(?<!\\)\$|\\texttt\{[^}]*\}", "", latex)
    assert "_" not in outside and "^" not in outside, outside


@pytest.mark.parametrize(
    ("text", "latex"),
    [
        ("σ1^{2−2/N}", r"$\sigma_{1}^{2-2/N}$"),
        ("Σ_k ‖A_k S‖_F²", r"$\sum_{k} \|A_{k} S\|_{F}^{2}$"),
        ("Π_{k≠i} w_k", r"$\prod_{k\neq i} w_{k}$"),
        ("⟨w_in, g_in⟩", r"$\langle w_{\mathrm{in}}, g_{\mathrm{in}}\rangle$"),
        ("√(D² + 4)", r"$\sqrt{D^{2} + 4}$"),
        ("ẇ = −∇L", r"$\dot{w} = -\nabla L$"),
        ("M of H1 with Σx = I", r"$M$ of H1 with $\Sigma_{x} = I$"),
        ("a GD step, with a ≤ 1", r"a GD step, with $a \leq 1$"),
        ("(the data enters g_t)", r"(the data enters $g_{t}$)"),
        ("Δλ/λ ≤ 1e-3 tied", r"$\Delta\lambda/\lambda \leq 10^{-3}$ tied"),
        ("E #{w ∈ {±1}^N}", r"$E \#\{w \in \{\pm1\}^{N}\}$"),
        ("ratio_to_edge", r"\texttt{ratio\_to\_edge}"),
        ("symbolic (N = 2…6) + exact", r"symbolic $(N = 2\ldots6)$ + exact"),
        ("Ginsburg's form, Q_ij² = 1", r"Ginsburg's form, $Q_{ij}^{2} = 1$"),
        ("ρ̄ > 0.1 (Krauth & Mézard)", r"$\bar{\rho} > 0.1$ (Krauth \& M\'{e}zard)"),
    ],
)
def test_conversions(text, latex):
    assert math_text(text) == latex


def test_kinds_of_a_mixed_text():
    assert segments("excess: lambda_max ≤ 2/η") == [
        (PROSE, "excess: "),
        (CODE, "lambda_max"),
        (PROSE, " "),
        (MATH, "≤ 2/η"),
    ]


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex not on PATH (CI has it)")
def test_every_converted_text_compiles(tmp_path):
    body = "\n\n".join(math_text(text) for text in TEXTS)
    document = "\\documentclass{article}\\usepackage{amsmath,amssymb}\\begin{document}\n"
    (tmp_path / "texts.tex").write_text(document + body + "\n\\end{document}\n")
    run = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "texts.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout[-2000:]
    assert "Missing character" not in (tmp_path / "texts.log").read_text(errors="replace")
