"""The characters of Unicode mathematics and what LaTeX makes of them.

`GREEK` (σ → \\sigma, Σ → \\Sigma), `SUPERSCRIPTS` and `SUBSCRIPTS` (² → 2, ᵀ → \\mathsf{T}),
`SYMBOLS` (≤ → \\leq, ‖ → \\|), `MATH_ACCENTS` (a combining macron → bar), `FUNCTIONS`
(tr → \\operatorname{tr}, max → \\max), and for reading `MATH_CHARS` (a character that
makes a word mathematics), `BRACKETS` and `OPERATORS`.
`math_symbol(char)` is one character's LaTeX, `decomposed(char)` splits off a math accent
(ẇ → w + U+0307), `matching_bracket(text, i)` finds the closer of the bracket at i.
"""

from __future__ import annotations

import unicodedata

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
MATH_ACCENTS = {"\u0304": "bar", "\u0302": "hat", "\u0303": "tilde", "\u0307": "dot"}
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
    set(GREEK) | set(SUPERSCRIPTS) | set(SUBSCRIPTS) | set(SYMBOLS) | set(MATH_ACCENTS)
) - set("–—…%&$") | set("_^=<>+/*|√'{}")
BRACKETS = {"(": ")", "[": "]", "{": "}", "⟨": "⟩"}
OPERATORS = set("=<>+-−/·×≤≥≠≈→⇒∈±⊗")


def math_symbol(char: str) -> str:
    """A single math character's LaTeX (Greek, operators, scripts), or ""."""
    if char in SUPERSCRIPTS:
        return f"^{{{SUPERSCRIPTS[char]}}}"
    if char in SUBSCRIPTS:
        return f"_{{{SUBSCRIPTS[char]}}}"
    if char in "#%&$–—~":
        return ""
    return GREEK.get(char) or SYMBOLS.get(char, "")


def decomposed(char: str) -> str:
    """A letter with an accent as letter + combining mark (ẇ → w + U+0307); else `char`."""
    parts = unicodedata.normalize("NFD", char)
    return parts if len(parts) > 1 and all(m in MATH_ACCENTS for m in parts[1:]) else char


def matching_bracket(text: str, i: int) -> int:
    """Index of the closer of the bracket at i (or -1)."""
    depth = 0
    for j in range(i, len(text)):
        depth += (text[j] == text[i]) - (text[j] == BRACKETS[text[i]])
        if depth == 0:
            return j
    return -1
