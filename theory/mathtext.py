"""Unicode text with inline mathematics → LaTeX: prose as text, mathematics in $…$.

The catalogue writes its statements and justifications in plain Unicode, mathematics inline:
`σ1^{2−2/N}`, `Σ_k ‖A_k S‖_F²`, `Π_{k≠i} w_k`, `⟨w_in, g_in⟩`. `segments` splits such a text
into words (runs without spaces; a bracket, a ‖…‖ or a |…| keeps its spaces inside) and marks
each as prose or mathematics; a number, the letter "a" or a function name (tr, max) is
mathematics beside mathematics and prose beside prose. Neighbouring mathematical words form
one span, which `to_latex` translates (σ1 → σ_1, Σ → \\sum, √x → \\sqrt{x}, x^(1/N) →
x^{1/N}, ᵀ → ^{T}, W* → W^{*}); prose goes through `escape_text`. Claim IDs (H1, G2's) stay
text.
"""

from __future__ import annotations

import re
import unicodedata

_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "%": r"\%",
    "#": r"\#",
    "_": r"\_",
    "~": r"\~{}",
    "^": r"\^{}",
    "<": "$<$",
    ">": "$>$",
    "|": "$|$",
    "–": "--",
    "—": "---",
    "‘": "`",
    "’": "'",
    "“": "``",
    "”": "''",
    "…": r"\ldots{}",
    "\u00a0": "~",
    "ß": r"\ss{}",
    "æ": r"\ae{}",
    "Æ": r"\AE{}",
    "œ": r"\oe{}",
    "Œ": r"\OE{}",
    "ø": r"\o{}",
    "Ø": r"\O{}",
    "ł": r"\l{}",
    "Ł": r"\L{}",
}
GREEK = (
    {  # α → \alpha, Σ → \Sigma (capitals without a LaTeX macro are left out)
        char: "\\" + unicodedata.name(char).split()[-1].lower().replace("lamda", "lambda")
        for char in "αβγδζηθικλμνξπρστυφχψω"
    }
    | {"ε": r"\varepsilon"}
    | {
        char: "\\" + unicodedata.name(char).split()[-1].capitalize().replace("Lamda", "Lambda")
        for char in "ΓΔΘΛΞΠΣΥΦΨΩ"
    }
)
SUPERSCRIPTS = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+", strict=True)) | {"ᵀ": r"\mathsf{T}"}
SUBSCRIPTS = dict(zip("₀₁₂₃₄₅₆₇₈₉", "0123456789", strict=True))
SYMBOLS = {
    "−": "-",
    "≥": r"\geq",
    "≤": r"\leq",
    "≠": r"\neq",
    "≈": r"\approx",
    "±": r"\pm",
    "×": r"\times",
    "·": r"\cdot",
    "∇": r"\nabla",
    "∂": r"\partial",
    "∑": r"\sum",
    "∏": r"\prod",
    "∞": r"\infty",
    "⋯": r"\cdots",
    "…": r"\ldots",
    "⊥": r"\perp",
    "⊗": r"\otimes",
    "∫": r"\int",
    "∈": r"\in",
    "∀": r"\forall",
    "→": r"\to",
    "⇒": r"\Rightarrow",
    "⇔": r"\Leftrightarrow",
    "⪰": r"\succeq",
    "‖": r"\|",
    "⟨": r"\langle",
    "⟩": r"\rangle",
    "½": r"\tfrac{1}{2}",
    "ℓ": r"\ell",
    "~": r"\sim",
    "–": r"\text{--}",
    "—": r"\text{---}",
    "#": r"\#",
    "%": r"\%",
    "&": r"\&",
    "$": r"\$",
}
_ACCENTS = {  # combining marks in text: é → \'{e}
    "\u0300": "`",
    "\u0301": "'",
    "\u0302": "^",
    "\u0303": "~",
    "\u0304": "=",
    "\u0307": ".",
    "\u0306": "u",
    "\u0308": '"',
    "\u030a": "r",
    "\u030c": "v",
    "\u0327": "c",
}
_MATH_ACCENTS = {"\u0304": "bar", "\u0302": "hat", "\u0303": "tilde", "\u0307": "dot"}
FUNCTIONS = {
    "tr": r"\operatorname{tr}",
    "vec": r"\operatorname{vec}",
    "diag": r"\operatorname{diag}",
    "erf": r"\operatorname{erf}",
    "erfc": r"\operatorname{erfc}",
    **{name: "\\" + name for name in ("log", "ln", "exp", "max", "min", "det", "sup", "inf")},
}
# A character that makes a word mathematics (ASCII "-" does not: hyphenated words are prose).
MATH_CHARS = (
    set(GREEK) | set(SUPERSCRIPTS) | set(SUBSCRIPTS) | set(SYMBOLS) | set(_MATH_ACCENTS)
) - set("–—…%&$") | set("_^=<>+/*|√'{}")
_OPEN = {"(": ")", "[": "]", "{": "}", "⟨": "⟩"}
_BARS = "‖|"
_CLAIM_ID = re.compile(r"[FGHNPX]\d+[a-d]?(['’]s)?", re.ASCII)
_NUMBER = re.compile(r"\d+(\.\d+)?(e[-+−]?\d+)?%?|\d+(\.\d+)?[–…-]\d+(\.\d+)?", re.ASCII)
# Ginsburg's, runs', step(s): prose, not primes
_POSSESSIVE = re.compile(r"[A-Za-z][A-Za-z\d.–-]*['’]s|[A-Za-z]+s['’]|[A-Za-z]+\(s\)", re.ASCII)
_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9]*(_[A-Za-z0-9]+)+", re.ASCII)
_WORDS = re.compile(r"[A-Za-z][A-Za-z-]{2,}(/[A-Za-z][A-Za-z-]{2,})+", re.ASCII)  # ReLU/linear
_ABBREVIATION = re.compile(r"([a-z]\.){2,}")  # i.e., e.g.
_OPERATORS = set("=<>+-−/·×≤≥≠≈→⇒∈±⊗")
_BINDING = set("=<>/·×≤≥≠≈")  # operators after which a lone word is still mathematics
_TWO_LETTER_WORDS = set(
    [
        "An",
        "As",
        "At",
        "By",
        "Do",
        "If",
        "In",
        "Is",
        "It",
        "No",
        "Of",
        "On",
        "Or",
        "So",
        "To",
        "Up",
        "We",
    ]
)
_SCIENTIFIC = re.compile(r"(\d+(?:\.\d+)?)e([-+−]?)(\d+)(?![A-Za-z])", re.ASCII)
_TRAILING = ",;:."
_UPRIGHT_END = re.compile(r"(?<![_^A-Za-z])[A-Za-z]{3,}$")  # an upright word in mathematics
_UPRIGHT_START = re.compile(r"[A-Za-z]{3,}")

PROSE, MATH, CODE, EITHER = "prose", "math", "code", "either"


def escape_text(text: str) -> str:
    """Plain text (any Unicode) as ASCII LaTeX text: specials escaped, symbols in math; a
    combining accent after a math symbol accents it (ρ̄ → $\\bar{\\rho}$)."""
    out: list[str] = []
    for previous, char in zip(" " + text, text, strict=False):  # (char before, char)
        if char in _MATH_ACCENTS and _symbol(previous) and out:
            out[-1] = f"$\\{_MATH_ACCENTS[char]}{{{_symbol(previous)}}}$"
        else:
            out.append(_escape_char(char))
    return "".join(out)


def _symbol(char: str) -> str:
    """A single math character's LaTeX (Greek, operators, scripts), or ""."""
    if char in SUPERSCRIPTS:
        return f"^{{{SUPERSCRIPTS[char]}}}"
    if char in SUBSCRIPTS:
        return f"_{{{SUBSCRIPTS[char]}}}"
    if char in "#%&$–—~":
        return ""
    return GREEK.get(char) or SYMBOLS.get(char, "")


def _escape_char(char: str) -> str:
    if char in _SPECIAL:
        return _SPECIAL[char]
    if _symbol(char):
        return f"${_symbol(char)}$"
    if char.isascii():
        return char
    base, *marks = unicodedata.normalize("NFD", char)
    if base.isascii() and marks and all(mark in _ACCENTS for mark in marks):
        for mark in marks:
            base = f"\\{_ACCENTS[mark]}{{{base}}}"
        return base
    compatible = unicodedata.normalize("NFKD", char)
    if compatible.isascii():
        return escape_text(compatible)
    return f"[U+{ord(char):04X}]"


def math_text(text: str) -> str:
    """`text` as LaTeX text: its mathematics in $…$ (`to_latex`), identifiers (ratio_to_edge)
    in \\texttt, the rest escaped."""
    shown = {MATH: lambda p: f"${to_latex(p)}$", CODE: lambda p: rf"\texttt{{{escape_text(p)}}}"}
    return "".join(shown.get(kind, escape_text)(part) for kind, part in segments(text))


def segments(text: str) -> list[tuple[str, str]]:
    """`text` cut into (PROSE | MATH | CODE, part) pieces that join back to it; a math part
    has no space at either end. A prose word in brackets ("(the data enters g_t)") is cut
    inside too."""
    words = _words(text)
    kinds = _resolve(words, [_kind(_strip(w)[0]) for w in words])
    pieces: list[tuple[str, str]] = []
    position = 0
    for word, kind in zip(words, kinds, strict=True):
        start = text.index(word, position)
        gap, position = text[position:start], start + len(word)
        core, tail = _strip(word)
        if kind == MATH and pieces and pieces[-1][0] == MATH:
            pieces[-1] = (MATH, pieces[-1][1] + gap + core)
        elif kind != PROSE:
            pieces += [(PROSE, gap), (kind, core)]
        elif _is_wrapper(core):
            pieces += [(PROSE, gap + core[0]), *segments(core[1:-1]), (PROSE, core[-1])]
        else:
            pieces.append((PROSE, gap + core))
        if tail:
            pieces.append((PROSE, tail))
    pieces.append((PROSE, text[position:]))
    merged: list[tuple[str, str]] = []
    for kind, part in pieces:
        if merged and kind == PROSE == merged[-1][0]:
            merged[-1] = (PROSE, merged[-1][1] + part)
        else:
            merged.append((kind, part))
    return [(kind, part) for kind, part in merged if part]


def _words(text: str) -> list[str]:
    """Runs without spaces; a bracket pair, ‖…‖ or |…| keeps the spaces it encloses."""
    words, i = [], 0
    while i < len(text):
        if text[i].isspace():
            i += 1
            continue
        start, stack = i, []
        while i < len(text) and (stack or not text[i].isspace()):
            char = text[i]
            if stack and char == stack[-1]:
                stack.pop()
            elif char in _OPEN and _closes(text, i, _OPEN[char]):
                stack.append(_OPEN[char])
            elif char in _BARS and char not in stack and text.find(char, i + 1) > 0:
                stack.append(char)
            i += 1
        words.append(text[start:i])
    return words


def _closes(text: str, i: int, closer: str) -> bool:
    """Does the bracket at i have its closer later in `text` (nesting counted)?"""
    depth = 0
    for char in text[i:]:
        depth += (char == text[i]) - (char == closer)
        if depth == 0:
            return True
    return False


def _strip(word: str) -> tuple[str, str]:
    """(core, trailing punctuation): "W_k:" → ("W_k", ":"); "i.e." keeps its dots."""
    core = word
    while len(core) > 1 and core[-1] in _TRAILING and not _ABBREVIATION.fullmatch(core):
        core = core[:-1]
    return core, word[len(core) :]


def _is_wrapper(word: str) -> bool:
    """A word that is one bracket pair: "(I at the ends)", "[0.02, 0.47]"."""
    if len(word) < 2 or word[0] not in "([" or word[-1] != _OPEN[word[0]]:
        return False
    return _matching(word, 0) == len(word) - 1


def _matching(text: str, i: int) -> int:
    """Index of the closer of the bracket at i (or -1)."""
    depth = 0
    for j in range(i, len(text)):
        depth += (text[j] == text[i]) - (text[j] == _OPEN[text[i]])
        if depth == 0:
            return j
    return -1


def _kind(word: str) -> str:
    """PROSE, MATH, or EITHER (numbers, "a", function names: decided by the neighbours)."""
    if _is_wrapper(word):
        inner = [_kind(_strip(w)[0]) for w in _words(word[1:-1])]
        if PROSE in inner:
            return PROSE
        return MATH if MATH in inner else EITHER
    if _CLAIM_ID.fullmatch(word) or _POSSESSIVE.fullmatch(word) or _WORDS.fullmatch(word):
        return PROSE
    if _IDENTIFIER.fullmatch(word) and _is_code(word):
        return CODE
    if _NUMBER.fullmatch(word) or word in FUNCTIONS or word in ("a", "A", "…"):
        return EITHER
    if any(char in MATH_CHARS for char in "".join(map(_decomposed, word))) or word == "-":
        return MATH
    if word[0] in "−-±" and _NUMBER.fullmatch(word[1:]):
        return MATH
    if re.fullmatch(r"[A-Za-z][0-9]*|[a-z][A-Z]|[0-9.]+[A-Za-z]", word) or "(" in word:
        return MATH
    if re.fullmatch(r"[A-Z][a-z]", word) and word not in _TWO_LETTER_WORDS:
        return EITHER
    return PROSE


def _touch(words: list[str], i: int, j: int) -> bool:
    """Are neighbouring words i and j (j = i ± 1) joined, no punctuation between?"""
    return min(i, j) >= 0 and max(i, j) < len(words) and _strip(words[min(i, j)])[1] == ""


def _is_code(word: str) -> bool:
    """An identifier, not a subscripted symbol: two underscores (D_12_at_horizon), or a part
    of three letters or more that is no function or subscript word (lambda_max, p_value; not
    max_v, g_in, D_ij)."""
    parts = word.split("_")
    known = set(FUNCTIONS) | {"in", "out", "align", "bal", "flat"}
    return len(parts) > 2 or any(len(p) > 2 and p not in known for p in parts)


def _resolve(words: list[str], kinds: list[str]) -> list[str]:
    """EITHER becomes MATH next to MATH (repeatedly), PROSE otherwise. A lowercase word joins
    the mathematics around it: after a relation or "/" that ends the clause or leads on to
    more ("/ scale", "= flattest λ_max"), or before an operator after mathematics ("²
    balance +"). A "+" before prose is prose ("symbolic + exact")."""
    kinds = list(kinds)
    changed = True
    while changed:
        changed = False
        for i, kind in enumerate(kinds):
            near = [j for j in (i - 1, i + 1) if _touch(words, i, j)]
            if kind == EITHER and any(kinds[j] == MATH for j in near):
                kinds[i], changed = MATH, True
    kinds = [PROSE if kind == EITHER else kind for kind in kinds]
    for i, word in enumerate(words):
        joined = _touch(words, i, i - 1) and kinds[i - 1] == MATH
        after = _touch(words, i, i + 1) and kinds[i + 1] == MATH
        binding = joined and words[i - 1] in _BINDING and (after or i + 1 == len(words))
        leading = after and words[i + 1] in _OPERATORS and (joined or not _touch(words, i, i - 1))
        if kinds[i] == PROSE and re.fullmatch(r"[a-z]{2,}", word) and (binding or leading):
            kinds[i] = MATH
    for i, word in enumerate(words[:-1]):
        if word == "+" and kinds[i + 1] == PROSE:
            kinds[i] = PROSE
    return kinds


def to_latex(math: str) -> str:
    """One span of Unicode mathematics as LaTeX math (without the $ delimiters)."""
    return translate(math, LatexWriter())


def translate(math: str, writer: LatexWriter) -> str:
    """One span of Unicode mathematics read once and written by `writer` (LaTeX, HTML)."""
    return Translator("".join(map(_decomposed, math)), writer).run().strip()


def _decomposed(char: str) -> str:
    """A letter with an accent as letter + combining mark (ẇ → w + U+0307); else `char`."""
    parts = unicodedata.normalize("NFD", char)
    return parts if len(parts) > 1 and all(m in _MATH_ACCENTS for m in parts[1:]) else char


def _digit(char: str) -> bool:
    return "0" <= char <= "9" and len(char) == 1


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
        return rf"\{_MATH_ACCENTS[mark]}{{{body}}}"

    def space(self, visible: bool) -> str:
        """A space of the source: visible (\\ ) beside an upright word, else TeX's own."""
        return r"\ " if visible else " "

    def join(self, out: str, tex: str) -> str:
        """`tex` after `out`: a space after a control word before a letter (\\leq a)."""
        control_word = re.search(r"\\[A-Za-z]+$", out)
        return out + (" " if control_word and tex[:1].isalpha() else "") + tex


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
            grouped = self.peek() in "{(" and _matching(self.text, self.i) > 0
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
        return write.symbol(char, _symbol(char) or rf"\text{{{escape_text(char)}}}")

    def space(self) -> str:
        """A space between words: a visible one next to an upright word ("‖b_k‖² change")
        or before a bracket after a term ("β_2 (γ, δ ≥ 0)"), else none (TeX spaces math)."""
        before, after = self.text[: self.i].rstrip(), self.text[self.i :].lstrip()
        self.i = len(self.text) - len(after)
        words = (_UPRIGHT_END.search(before), _UPRIGHT_START.match(after))
        operator = before[-1:] in _OPERATORS or after[:1] in _OPERATORS
        if any(w and w.group() not in FUNCTIONS for w in words) and before and not operator:
            return self.write.space(visible=True)
        if not before or after[:1] not in "([" or _matching(after, 0) < 0:
            return self.write.space(visible=False)
        term = before[-1].isalnum() or before[-1] in ")]}‖|'*" + "".join(SUPERSCRIPTS)
        follows = after[_matching(after, 0) + 1 :][:1]
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
        while self.peek() in _MATH_ACCENTS and self.peek():
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
            end = _matching(self.text, self.i)
            if end > 0:
                inner = Translator(self.text[self.i + 1 : end], self.write).run()
                self.i = end + 1
                return inner
        sign = ""
        if script and char in "−-+±":
            sign, self.i = self.write.symbol(char, _symbol(char) or char), self.i + 1
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
