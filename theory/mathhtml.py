"""Unicode text with inline mathematics → HTML, cut and read as for LaTeX (theory/mathtext.py).

`math_html` splits the text with `segments` (theory/mathsegments.py) and writes each
mathematical span with the same `Translator` (theory/mathtranslator.py) as `to_latex`, through
`HtmlWriter`: σ1^{2−2/N} →
<span class="math">σ<sub>1</sub><sup>2−2/<i>N</i></sup></span>. Latin variables are italic,
functions and words upright, Greek and symbols as typed; identifiers (ratio_to_edge) become
<code>, prose is escaped. No script or web font: the page stays standalone.
"""

from __future__ import annotations

import html
import unicodedata

from theory.mathsegments import CODE, MATH, segments
from theory.mathtranslator import translate
from theory.mathwriter import LatexWriter


def _escape(text: str) -> str:
    return html.escape(text, quote=False)


class HtmlWriter(LatexWriter):
    """The `Translator`'s output as HTML: the source's characters, scripts as <sub>/<sup>."""

    def symbol(self, char: str, tex: str) -> str:
        """The character itself; an ASCII hyphen in mathematics is a minus sign (−)."""
        return _escape("−" if char == "-" else char)

    def letter(self, run: str) -> str:
        return f"<i>{run}</i>"

    def word(self, run: str, tex: str) -> str:
        return run

    def script(self, kind: str, body: str) -> str:
        tag = "sup" if kind == "^" else "sub"
        return f"<{tag}>{body}</{tag}>"

    def unicode_script(self, kind: str, chars: str) -> str:
        """² → <sup>2</sup>, ᵀ → <sup>T</sup>, ₁₂ → <sub>12</sub>."""
        return self.script(kind, _escape(unicodedata.normalize("NFKC", chars)))

    def root(self, body: str, grouped: bool) -> str:
        return f"√({body})" if grouped else f"√{body}"

    def braces(self, body: str) -> str:
        return f"{{{body}}}"

    def accent(self, body: str, mark: str) -> str:
        """The combining mark right after the accented character, inside its <i>."""
        return body[:-4] + mark + "</i>" if body.endswith("</i>") else body + mark

    def space(self, visible: bool) -> str:
        return " "

    def join(self, out: str, tex: str) -> str:
        return out + tex


def math_html(text: str) -> str:
    """`text` as HTML: mathematics in <span class="math"> (`HtmlWriter`), identifiers in
    <code>, the rest escaped."""
    shown = {
        MATH: lambda part: f'<span class="math">{translate(part, HtmlWriter())}</span>',
        CODE: lambda part: f"<code>{_escape(part)}</code>",
    }
    return "".join(shown.get(kind, _escape)(part) for kind, part in segments(text))
