"""An estimate of how wide LaTeX mathematics prints, in points at 10 pt: enough for the printer
to split an equation before TeX would let it overflow the line.

`width(tex)` walks the tokens of a formula as TeX would lay them out, roughly: letters as
wide as in Computer Modern, a binary operator 7.8 pt plus 4.4 pt of space, a relation 7.8 +
5.6 pt, a script 0.8 of its size, a fraction the wider of its parts, a matrix the sum of its widest
entry per column. Measured against pdflatex on every display of the derivations it is within
−15 % and +7 % for displays wider than 150 pt.
"""

from __future__ import annotations

import re

_TOKEN = re.compile(r"\\[A-Za-z]+|\\.|[{}^_&]|\s+|.", re.S)
_BINARY = set("+-*") | {r"\cdot", r"\otimes", r"\times", r"\pm"}
_RELATIONS = set("=<>") | {
    r"\geq",
    r"\leq",
    r"\neq",
    r"\approx",
    r"\in",
    r"\to",
    r"\Rightarrow",
    r"\sim",
    r"\succeq",
}
_SYMBOLS = {
    r"\nabla": 8.3,
    r"\partial": 5.7,
    r"\infty": 10.0,
    r"\sum": 14.7,
    r"\prod": 13.3,
    r"\int": 5.6,
    r"\ldots": 13.4,
    r"\cdots": 13.4,
    r"\|": 5.0,
    r"\langle": 3.9,
    r"\rangle": 3.9,
    r"\{": 5.0,
    r"\}": 5.0,
}
_SPACES = {r"\,": 1.7, r"\ ": 3.3, r"\;": 2.8, r"\:": 2.2, r"\quad": 10.0, r"\qquad": 20.0}
_WORDS = {r"\operatorname", r"\mathrm", r"\text", r"\mathsf", r"\mathbb", r"\mathbf"}
_SILENT = {r"\limits", r"\nolimits", r"\displaystyle", r"\!", "{}"}
# fmt: off
_LETTERS = dict(zip(  # Computer Modern math italic, points at 10 pt
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    (5.3, 4.3, 4.3, 5.2, 4.7, 4.9, 4.8, 5.8, 3.4, 4.1, 5.2, 3.0, 8.8, 6.0, 4.9, 5.0, 4.5, 4.5,
     4.7, 3.6, 5.7, 5.2, 7.2, 5.7, 4.9, 4.7, 7.5, 7.6, 7.1, 8.3, 7.4, 6.4, 7.9, 8.3, 4.4, 5.6,
     8.5, 6.8, 9.7, 8.0, 7.6, 6.4, 7.9, 7.6, 6.1, 5.8, 6.8, 5.8, 9.4, 8.3, 5.8, 6.8),
    strict=True,
))
# fmt: on
SCRIPT = 0.8  # a script's size relative to its base (7 pt fonts are wider than 0.7 of 10 pt)


def width(tex: str) -> float:
    """Estimated width in points of `tex` set as display mathematics."""
    return _Layout(tex).sequence(1.0)


class _Layout:
    def __init__(self, tex: str) -> None:
        self.tokens = [t for t in _TOKEN.findall(tex) if not t.isspace()]
        self.i = 0
        self.in_matrix = 0  # a matrix's entries are in text style: fractions shrink

    def peek(self) -> str | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> str | None:
        token = self.peek()
        self.i += 1
        return token

    def sequence(self, size: float, stop: str | None = None) -> float:
        """Tokens up to `stop` (or a matrix's & and \\\\): their widths, with the spacing of
        operators that follow an operand."""
        total, after_operand = 0.0, False
        while self.peek() not in (None, stop, "&", "\\\\", r"\end"):
            token = self.take()
            if token in ("^", "_"):
                script = self.argument(size * SCRIPT)
                if self.peek() in ("^", "_"):
                    self.take()
                    script = max(script, self.argument(size * SCRIPT))
                total += script + 0.5 * size
                continue
            kind, glyph = self.item(token, size)
            spacing = {"binary": 4.4, "relation": 5.6}.get(kind, 0.0)
            total += glyph + (spacing if after_operand and size == 1.0 else 0.0)
            after_operand = kind == "operand"
        if stop is not None and self.peek() == stop:
            self.take()
        return total

    def argument(self, size: float) -> float:
        token = self.take()
        return self.sequence(size, "}") if token == "{" else self.item(token, size)[1]

    def raw_argument(self) -> str:
        """The text of a {…} argument (an environment's or a font command's)."""
        if self.take() != "{":
            return ""
        depth, text = 1, ""
        while (token := self.take()) is not None:
            depth += (token == "{") - (token == "}")
            if depth == 0:
                break
            text += token
        return text

    def item(self, token: str | None, size: float) -> tuple[str, float]:
        """(kind, width) of one token and what it consumes: operand, binary, relation."""
        if token is None or token in _SILENT or token == "}":
            return "none", 0.0
        if token == "{":
            return "operand", self.sequence(size, "}")
        if token in _BINARY:
            return "binary", 7.8 * size
        if token in _RELATIONS:
            return "relation", 7.8 * size
        if token in (r"\frac", r"\dfrac", r"\tfrac"):
            shrink = token == r"\tfrac" or size < 1.0 or (self.in_matrix and token == r"\frac")
            inner = size * (SCRIPT if shrink else 1.0)
            return "operand", max(self.argument(inner), self.argument(inner)) + 2.4
        if token == r"\sqrt":
            return "operand", self.argument(size) + 8.3 * size
        if token in (r"\left", r"\right"):
            return "none", 0.0 if self.take() == "." else 4.5 * size
        if token in _WORDS:
            letters = re.sub(r"\\[A-Za-z]+|[{}]", "x", self.raw_argument())
            return "operand", 5.0 * size * len(letters) + 1.7 * (token == r"\operatorname")
        if token == r"\begin":
            return "operand", self.matrix(size, self.raw_argument())
        if token in _SPACES:
            return "none", _SPACES[token]
        if token in _SYMBOLS:
            large = size == 1.0 and token in (r"\sum", r"\prod")
            return "operand", _SYMBOLS[token] * (size if not large else 1.0)
        if token.startswith("\\"):  # Greek letters and the like
            return "operand", 5.8 * size
        if token in ",;":
            return "punctuation", 2.8 * size + 1.7 * (size == 1.0)
        if token in "()[]|'":
            return "operand", 3.9 * size
        if token.isdigit():
            return "operand", 5.0 * size
        return "operand", _LETTERS.get(token, 5.3) * size

    def matrix(self, size: float, environment: str) -> float:
        """A matrix: per column its widest entry, 10 pt between columns."""
        rows: list[list[float]] = [[]]
        self.in_matrix += 1
        while self.peek() not in (None, r"\end"):
            rows[-1].append(self.sequence(size))
            separator = self.peek()
            if separator in ("&", "\\\\"):
                self.take()
            if separator == "\\\\":
                rows.append([])
        self.in_matrix -= 1
        self.take()
        self.raw_argument()
        columns = max(map(len, rows))
        widest = [max((r[c] for r in rows if c < len(r)), default=0.0) for c in range(columns)]
        return sum(widest) + 10.0 * (columns - 1) + 5.0 * (environment != "matrix")
