"""`LatexWriter`: what the `Translator` (theory/mathtranslator.py) reads, written as LaTeX math
(σ → \\sigma, x^(1/N) → x^{1/N}, √x → \\sqrt{x}, ρ̄ → \\bar{\\rho}); `HtmlWriter`
(theory/mathhtml.py) overrides it to print HTML."""

from __future__ import annotations

import re

from theory.mathsymbols import MATH_ACCENTS, SUBSCRIPTS, SUPERSCRIPTS


class LatexWriter:
    """How the `Translator` writes what it read, here as LaTeX math; each method gets the
    source text and what LaTeX makes of it (`tex`), so other writers can print the source."""

    def symbol(self, char: str, tex: str) -> str:
        """A character or symbol: σ → \\sigma, ≤ → \\leq, Σ (a sum) → \\sum."""
        return tex

    def letter(self, run: str) -> str:
        """A variable of one or two Latin letters (italic): W, ij."""
        return run

    def word(self, run: str, tex: str) -> str:
        """An upright word or function name: max → \\max, flat → \\mathrm{flat}."""
        return tex

    def script(self, kind: str, body: str) -> str:
        """A superscript (kind "^") or subscript ("_") of written `body`."""
        return f"{kind}{{{body}}}"

    def unicode_script(self, kind: str, chars: str) -> str:
        """A run of Unicode super- or subscript characters: ² → ^{2}, ᵀ → ^{\\mathsf{T}}."""
        table = SUPERSCRIPTS if kind == "^" else SUBSCRIPTS
        return self.script(kind, "".join(table[c] for c in chars))

    def root(self, body: str, grouped: bool) -> str:
        """√x, or √(…) when the source bracketed the radicand."""
        return rf"\sqrt{{{body}}}"

    def braces(self, body: str) -> str:
        """A literal brace pair {…} (a set)."""
        return rf"\{{{body}\}}"

    def accent(self, body: str, mark: str) -> str:
        """A combining mark over `body`: ρ̄ → \\bar{\\rho}."""
        return rf"\{MATH_ACCENTS[mark]}{{{body}}}"

    def space(self, visible: bool) -> str:
        """A space of the source: visible (\\ ) beside an upright word, else TeX's own."""
        return r"\ " if visible else " "

    def join(self, out: str, tex: str) -> str:
        """`tex` after `out`: a space after a control word before a letter (\\leq a)."""
        control_word = re.search(r"\\[A-Za-z]+$", out)
        return out + (" " if control_word and tex[:1].isalpha() else "") + tex
