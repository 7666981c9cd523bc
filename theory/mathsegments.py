"""Unicode text with inline mathematics cut into prose, mathematics and code.

`segments(text)` splits the text into words (runs without spaces; a bracket, a ‖…‖ or a |…|
keeps its spaces inside) and marks each as prose or mathematics; a number, the letter "a" or
a function name (tr, max) is mathematics beside mathematics and prose beside prose.
Neighbouring mathematical words form one MATH span; identifiers (ratio_to_edge) are CODE;
claim IDs (H1, G2's) stay PROSE.
"""

from __future__ import annotations

import re

from theory.mathsymbols import (
    BRACKETS,
    FUNCTIONS,
    MATH_CHARS,
    OPERATORS,
    decomposed,
    matching_bracket,
)

_BARS = "‖|"
_CLAIM_ID = re.compile(r"[FGHNPX]\d+[a-d]?(['’]s)?", re.ASCII)
_NUMBER = re.compile(r"\d+(\.\d+)?(e[-+−]?\d+)?%?|\d+(\.\d+)?[–…-]\d+(\.\d+)?", re.ASCII)
# Ginsburg's, runs', step(s): prose, not primes
_POSSESSIVE = re.compile(r"[A-Za-z][A-Za-z\d.–-]*['’]s|[A-Za-z]+s['’]|[A-Za-z]+\(s\)", re.ASCII)
_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9]*(_[A-Za-z0-9]+)+", re.ASCII)
_WORDS = re.compile(r"[A-Za-z][A-Za-z-]{2,}(/[A-Za-z][A-Za-z-]{2,})+", re.ASCII)  # ReLU/linear
_ABBREVIATION = re.compile(r"([a-z]\.){2,}")  # i.e., e.g.
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
_TRAILING = ",;:."

PROSE, MATH, CODE, EITHER = "prose", "math", "code", "either"


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
            elif char in BRACKETS and _closes(text, i, BRACKETS[char]):
                stack.append(BRACKETS[char])
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
    if len(word) < 2 or word[0] not in "([" or word[-1] != BRACKETS[word[0]]:
        return False
    return matching_bracket(word, 0) == len(word) - 1


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
    if any(char in MATH_CHARS for char in "".join(map(decomposed, word))) or word == "-":
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
        leading = after and words[i + 1] in OPERATORS and (joined or not _touch(words, i, i - 1))
        if kinds[i] == PROSE and re.fullmatch(r"[a-z]{2,}", word) and (binding or leading):
            kinds[i] = MATH
    for i, word in enumerate(words[:-1]):
        if word == "+" and kinds[i + 1] == PROSE:
            kinds[i] = PROSE
    return kinds
