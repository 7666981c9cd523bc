"""One span of Unicode mathematics read left to right: `translate(math, writer)`.

The `Translator` reads σ1 as σ with subscript 1, Σ_k and Π_{k≠i} as a sum and a product (Σx is
Σ with subscript x), √(…) and x^(…) with the bracket as argument, ᵀ as an upright T, 1e-3 as
10^{-3}, W* as W^{*} and a word of three letters or more as upright; the `writer`
(theory/mathwriter.py) decides how each is printed.
"""

from __future__ import annotations

import re

from theory.mathsymbols import (
    FUNCTIONS,
    GREEK,
    MATH_ACCENTS,
    OPERATORS,
    SUBSCRIPTS,
    SUPERSCRIPTS,
    SYMBOLS,
    decomposed,
    matching_bracket,
    math_symbol,
)
from theory.mathwriter import LatexWriter
from theory.texescape import escape_text

_SCIENTIFIC = re.compile(r"(\d+(?:\.\d+)?)e([-+−]?)(\d+)(?![A-Za-z])", re.ASCII)
_UPRIGHT_END = re.compile(r"(?<![_^A-Za-z])[A-Za-z]{3,}$")  # an upright word in mathematics
_UPRIGHT_START = re.compile(r"[A-Za-z]{3,}")


def translate(math: str, writer: LatexWriter) -> str:
    """One span of Unicode mathematics read once and written by `writer` (LaTeX, HTML)."""
    return Translator("".join(map(decomposed, math)), writer).run().strip()


def _digit(char: str) -> bool:
    return "0" <= char <= "9" and len(char) == 1


class Translator:
    """A left-to-right reader of one span of mathematics, written by a `LatexWriter`."""

    def __init__(self, text: str, writer: LatexWriter) -> None:
        self.text, self.i, self.write = text, 0, writer

    def run(self, stop: str = "") -> str:
        out = ""
        while self.i < len(self.text) and self.text[self.i] != stop:
            out = self.write.join(out, self.atom())
        return out

    def peek(self, offset: int = 0) -> str:
        j = self.i + offset
        return self.text[j] if j < len(self.text) else ""

    def atom(self) -> str:
        char, write = self.peek(), self.write
        if char.isspace():
            return self.space()
        if char in "_^":
            self.i += 1
            return write.script(char, self.argument(script=True))
        if char in SUPERSCRIPTS or char in SUBSCRIPTS:
            return self.unicode_script("^" if char in SUPERSCRIPTS else "_")
        if char == "√":
            self.i += 1
            grouped = self.peek() in "{(" and matching_bracket(self.text, self.i) > 0
            return write.root(self.argument(script=False), grouped)
        if char == "{":
            self.i += 1
            inner = self.run("}")
            self.i += 1
            return write.braces(inner)
        if char == "*":
            self.i += 1
            return write.script("^", write.symbol("*", "*"))
        if (match := _SCIENTIFIC.match(self.text, self.i)) is not None:
            self.i = match.end()
            mantissa, sign, exponent = match.groups()
            negative = write.symbol("−", "-") if sign in ("-", "−") else ""
            power = "10" + write.script("^", f"{negative}{int(exponent)}")
            times = write.symbol("×", r"\times")
            return power if mantissa == "1" else f"{mantissa} {times} {power}"
        if char.isascii() and char.isalpha():
            return self.accented(self.letters())
        if char in GREEK or char in ("Σ", "Π"):
            return self.accented(self.greek())
        self.i += 1
        if char in SYMBOLS:
            return write.symbol(char, SYMBOLS[char])
        if char in "}\\":
            return write.symbol(char, r"\}" if char == "}" else r"\backslash ")
        if char.isascii():
            return write.symbol(char, char)
        return write.symbol(char, math_symbol(char) or rf"\text{{{escape_text(char)}}}")

    def space(self) -> str:
        """A space between words: a visible one next to an upright word ("‖b_k‖² change")
        or before a bracket after a term ("β_2 (γ, δ ≥ 0)"), else none (TeX spaces math)."""
        before, after = self.text[: self.i].rstrip(), self.text[self.i :].lstrip()
        self.i = len(self.text) - len(after)
        words = (_UPRIGHT_END.search(before), _UPRIGHT_START.match(after))
        operator = before[-1:] in OPERATORS or after[:1] in OPERATORS
        if any(w and w.group() not in FUNCTIONS for w in words) and before and not operator:
            return self.write.space(visible=True)
        if not before or after[:1] not in "([" or matching_bracket(after, 0) < 0:
            return self.write.space(visible=False)
        term = before[-1].isalnum() or before[-1] in ")]}‖|'*" + "".join(SUPERSCRIPTS)
        follows = after[matching_bracket(after, 0) + 1 :][:1]
        scripted = bool(follows) and (follows in SUPERSCRIPTS or follows in "_^")
        return self.write.space(visible=term and not scripted)

    def letters(self) -> str:
        """A run of Latin letters: one letter (W1 → W_{1}), a function, an upright word."""
        start = self.i
        while self.peek().isascii() and self.peek().isalpha():
            self.i += 1
        run = self.text[start : self.i]
        if len(run) == 1:
            return self.write.letter(run) + self.digits()
        if run in FUNCTIONS:
            return self.write.word(run, FUNCTIONS[run])
        if len(run) == 2 and run not in ("in", "on", "at", "to"):
            return self.write.letter(run)
        return self.write.word(run, rf"\mathrm{{{run}}}")

    def greek(self) -> str:
        char = self.peek()
        self.i += 1
        if char in "ΣΠ" and not (char == "Σ" and self.peek() == "x"):
            return self.write.symbol(char, r"\sum" if char == "Σ" else r"\prod")
        if char == "Σ":  # Σx: the input covariance
            self.i += 1
            return self.write.symbol(char, GREEK[char]) + self.write.script(
                "_", self.write.letter("x")
            )
        return self.write.symbol(char, GREEK[char]) + self.digits()

    def digits(self) -> str:
        """Digits right after a letter are its subscript: σ1 → \\sigma_{1}."""
        start = self.i
        while _digit(self.peek()):
            self.i += 1
        return self.write.script("_", self.text[start : self.i]) if self.i > start else ""

    def accented(self, tex: str) -> str:
        """A combining mark after a symbol accents it: ρ̄ → \\bar{\\rho}, ẇ → \\dot{w}."""
        while self.peek() in MATH_ACCENTS and self.peek():
            tex = self.write.accent(tex, self.peek())
            self.i += 1
        return tex

    def unicode_script(self, kind: str) -> str:
        """A run of Unicode superscripts (kind "^") or subscripts ("_")."""
        table, start = SUPERSCRIPTS if kind == "^" else SUBSCRIPTS, self.i
        while self.peek() in table and self.peek():
            self.i += 1
        return self.write.unicode_script(kind, self.text[start : self.i])

    def argument(self, script: bool) -> str:
        """What a _, ^ or √ applies to: a {…} or (…) group (brackets dropped), a signed run
        of digits, a run of letters of one case (ij, max, KM: A_kS is A_{k} S), one symbol."""
        char = self.peek()
        if char in "{(":
            end = matching_bracket(self.text, self.i)
            if end > 0:
                inner = Translator(self.text[self.i + 1 : end], self.write).run()
                self.i = end + 1
                return inner
        sign = ""
        if script and char in "−-+±":
            sign, self.i = self.write.symbol(char, math_symbol(char) or char), self.i + 1
            char = self.peek()
        start = self.i
        if _digit(char):
            while _digit(self.peek()):
                self.i += 1
            return sign + self.text[start : self.i]
        if char.isascii() and char.isalpha():
            same_case = str.islower if char.islower() else str.isupper
            while self.peek().isascii() and self.peek().isalpha() and same_case(self.peek()):
                self.i += 1
            run = self.text[start : self.i]
            if run in FUNCTIONS and script:
                return sign + self.write.word(run, FUNCTIONS[run])
            if script and (len(run) > 2 or run in ("in", "KM")):
                return sign + self.write.word(run, rf"\mathrm{{{run}}}")
            return sign + self.write.letter(run)
        if not char:
            return sign
        return sign + self.atom()
