"""Unicode text with inline mathematics → LaTeX: prose as text, mathematics in $…$.

The catalogue writes its statements and justifications in plain Unicode, mathematics inline:
`σ1^{2−2/N}`, `Σ_k ‖A_k S‖_F²`, `Π_{k≠i} w_k`, `⟨w_in, g_in⟩`. `math_text` cuts such a text
with `segments` (theory/mathsegments.py), writes each mathematical span with `to_latex` (read
by theory/mathtranslator.py, written by theory/mathwriter.py: σ1 → σ_1, Σ → \\sum, √x →
\\sqrt{x}, x^(1/N) → x^{1/N}, ᵀ → ^{T}, W* → W^{*}) and escapes the prose with `escape_text`
(theory/texescape.py). The character tables are in theory/mathsymbols.py.
"""

from __future__ import annotations

from theory.mathsegments import CODE, MATH, segments
from theory.mathtranslator import translate
from theory.mathwriter import LatexWriter
from theory.texescape import escape_text


def math_text(text: str) -> str:
    """`text` as LaTeX text: its mathematics in $…$ (`to_latex`), identifiers (ratio_to_edge)
    in \\texttt, the rest escaped."""
    shown = {MATH: lambda p: f"${to_latex(p)}$", CODE: lambda p: rf"\texttt{{{escape_text(p)}}}"}
    return "".join(shown.get(kind, escape_text)(part) for kind, part in segments(text))


def to_latex(math: str) -> str:
    """One span of Unicode mathematics as LaTeX math (without the $ delimiters)."""
    return translate(math, LatexWriter())
