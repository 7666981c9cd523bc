"""Plain Unicode text → ASCII LaTeX text, for text that is never mathematics (sources, IDs).

`escape_text` escapes TeX's specials (& → \\&, _ → \\_), sets an accented letter with a TeX
accent (é → \\'{e}) and a math character in $…$ (σ → $\\sigma$, ρ̄ → $\\bar{\\rho}$); a
character with no such form prints as [U+XXXX].
"""

from __future__ import annotations

import unicodedata

from theory.mathsymbols import MATH_ACCENTS, math_symbol

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


def escape_text(text: str) -> str:
    """Plain text (any Unicode) as ASCII LaTeX text: specials escaped, symbols in math; a
    combining accent after a math symbol accents it (ρ̄ → $\\bar{\\rho}$)."""
    out: list[str] = []
    for previous, char in zip(" " + text, text, strict=False):  # (char before, char)
        if char in MATH_ACCENTS and math_symbol(previous) and out:
            out[-1] = f"$\\{MATH_ACCENTS[char]}{{{math_symbol(previous)}}}$"
        else:
            out.append(_escape_char(char))
    return "".join(out)


def _escape_char(char: str) -> str:
    if char in _SPECIAL:
        return _SPECIAL[char]
    if math_symbol(char):
        return f"${math_symbol(char)}$"
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
