"""LaTeX printer for derivations: section fragments and a standalone, ASCII-only document.

Formulas go through `sympy.latex`; statements and justifications through
`theory.mathtext.math_text` (their inline mathematics as LaTeX math, prose escaped to ASCII),
so pdflatex needs no input encoding. The document uses amsmath, amssymb and geometry only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from sympy import Add, Basic, Derivative, MatAdd, MatMul, MatrixBase, S, Symbol
from sympy.printing.latex import LatexPrinter

from theory.derivation import AT_LEAST, Derivation, Step
from theory.mathtext import math_text
from theory.texescape import escape_text
from theory.texwidth import width

_RELATIONS = {"=": "=", AT_LEAST: r"\geq"}
_FRACTION = re.compile(r"\\frac\{(?!\\partial\}|d\})")  # a quotient (∂L/∂w too), not ∂/∂w
LINE = 420.0  # estimated points a display row may take: the text is 500 pt, and
#               texwidth.width may be 15 % short


class _Printer(LatexPrinter):
    """SymPy's LaTeX printer, except that a matrix sum prints a negative term −X without
    evaluating X (SymPy negates the term, which evaluates named matrices to their entries),
    and a transpose's T is upright."""

    def _print_Transpose(self, expr: Basic) -> str:
        """Xᵀ with an upright T, as in the text (T is also the target matrix)."""
        return super()._print_Transpose(expr).removesuffix("^{T}") + r"^{\mathsf{T}}"

    def _print_Derivative(self, expr: Derivative) -> str:
        """A derivative of a named quantity (a symbol: L_μ) as ∂L_μ/∂w_1; others as SymPy."""
        if not isinstance(expr.expr, Symbol):
            return super()._print_Derivative(expr)
        order = sum(n for _, n in expr.variable_count)
        top = r"\partial" + (f"^{{{order}}}" if order > 1 else "") + f" {self._print(expr.expr)}"
        bottom = " ".join(
            rf"\partial {self._print(x)}" + (f"^{{{n}}}" if n > 1 else "")
            for x, n in reversed(expr.variable_count)
        )
        return rf"\frac{{{top}}}{{{bottom}}}"

    def _print_MatAdd(self, expr: MatAdd) -> str:
        return " ".join(f"{sign} {tex}" if sign else tex for sign, tex in self.terms(expr))

    def terms(self, expr: Basic) -> list[tuple[str, str]]:
        """(sign, LaTeX) of each term of a sum, as SymPy orders and signs them ("" for the
        first); one unsigned term for anything else."""
        if not isinstance(expr, Add | MatAdd):
            return [("", self._print(expr))]
        out = []
        for i, term in enumerate(self._as_ordered_terms(expr)):
            sign = "+" if i else ""
            if i and term.could_extract_minus_sign() and not isinstance(term, MatAdd):
                sign, term = "-", _negated(term) if isinstance(expr, MatAdd) else -term
            tex = self._print(term)
            out.append((sign, rf"\left({tex}\right)" if self._needs_add_brackets(term) else tex))
        return out


def _negated(term: Basic) -> Basic:
    """−term, unevaluated: −(−c X) = c X, −X = (−1) X."""
    factors = list(term.args) if isinstance(term, MatMul) else [term]
    if factors[0] == -1:
        factors = factors[1:]
    elif not factors[0].is_Matrix:
        factors[0] = -factors[0]
    else:
        factors = [S.NegativeOne, *factors]
    return factors[0] if len(factors) == 1 else MatMul(*factors)


def latex(expr: Basic) -> str:
    """`expr` in LaTeX (SymPy's printer, matrix sums kept unevaluated)."""
    return _Printer().doprint(expr)


def terms(expr: Basic) -> list[tuple[str, str]]:
    """The signed terms of a sum in LaTeX, as `latex` prints them: [("", a), ("-", b), …]."""
    return _Printer().terms(expr)


def _inline(tex: str) -> str:
    """Mathematics set inline, without \\left/\\right, so TeX can break it after an operator
    inside brackets too (a \\left…\\right group never breaks)."""
    return re.sub(r"\\(?:left|right)(?:\.|(?=[()\[\]|]|\\[|{}]))", "", tex)


def _equations(where: Mapping[Basic, Basic]) -> str:
    return ", ".join(
        f"${_inline(latex(key))} = {_inline(latex(value))}$" for key, value in where.items()
    )


def _justification(k: int, step: Step) -> str:
    """(k), the step's `why`, its substitutions and witness; set ragged right when it has
    substitutions (long formulas that would stretch the spaces of a justified line)."""
    text = f"({k}) {math_text(step.why)}"
    if step.where:
        text = rf"\raggedright {text}; on {_equations(step.where)}"
    if step.witness is not None:
        text += f"; witness ${_inline(latex(step.witness))} \\geq 0$"
    if step.cited:
        text += r" \emph{(cited, not machine-checked)}"
    return rf"\intertext{{{text}.}}"


def _rows(steps: Sequence[Step]) -> list[str]:
    """Per step, `\\intertext{justification}` then its equation (`equation_rows`); the lhs is
    left out when it is the previous rhs."""
    rows = []
    for k, step in enumerate(steps, start=1):
        lhs, rhs = (side.xreplace(step.names) for side in (step.lhs, step.rhs))
        continues = k > 1 and step.lhs == steps[k - 2].rhs
        equation = equation_rows(lhs, _RELATIONS[step.relation], rhs, continues)
        rows += [_justification(k, step), equation + ("" if k == len(steps) else r" \\")]
    return rows


def equation_rows(lhs: Basic, relation: str, rhs: Basic, continues: bool = False) -> str:
    """The gather rows of `lhs relation rhs`: one when it fits a line (`LINE`, by
    `texwidth.width`); else the lhs, then `relation rhs`; a column vector entry by entry
    (a little apart) when it is too wide for the line or holds a fraction (a matrix sets
    fractions small); a side still too wide broken after a term. `continues`: the lhs is the
    row above, so only `relation rhs` is shown."""
    left, right = latex(lhs), latex(rhs)
    wide = max(width(left), width(right)) > LINE
    if _column(lhs) and _column(rhs) and (wide or _FRACTION.search(left + right)):
        return r" \\[1ex] ".join(
            equation_rows(a, relation, b) for a, b in zip(lhs, rhs, strict=True)
        )
    if not continues and width(f"{left} {relation} {right}") <= LINE:
        return f"{left} {relation} {right}"
    shown = [] if continues else [_broken(lhs, "")]
    return r" \\ ".join([*shown, _broken(rhs, f"{{}}{relation} ")])


def _column(expr: Basic) -> bool:
    """An explicit column of two entries or more (ImmutableMatrix), shown entry by entry."""
    return isinstance(expr, MatrixBase) and expr.shape[1] == 1 and expr.shape[0] > 1


def _broken(expr: Basic, lead: str) -> str:
    """`lead` and `expr` in one row, or, when wider than a line and a sum, an aligned block
    broken after the terms that fill each line."""
    tex = latex(expr)
    parts = terms(expr)
    if width(lead + tex) <= LINE or len(parts) < 2:
        return lead + tex
    lines = [""]
    for sign, term in parts:
        piece = f"{sign} {term}" if sign else term
        if lines[-1] and width(lead + lines[-1] + piece) > LINE:
            lines.append(rf"\quad {{}}{piece}")
        else:
            lines[-1] += f" {piece}" if lines[-1] else piece
    body = r" \\ & ".join(lines)
    return rf"\begin{{aligned}}{lead}& {body}\end{{aligned}}"


def _sizes(d: Derivation) -> str:
    sizes = ", ".join(map(str, d.sizes))
    cited = [str(k) for k, step in enumerate(d.steps, start=1) if step.cited]
    general = len(d.general_steps)
    if not d.size_name:
        text = "Every step is checked by SymPy, once for all sizes"
    else:
        text = (
            f"Shown for ${d.size_name} = {d.shown}$; every step is built and checked by SymPy "
            f"for ${d.size_name} \\in \\{{{sizes}\\}}$"
        )
    if general:
        first = "step 1 holds" if general == 1 else f"steps 1--{general} hold"
        text += (
            f"; {first} for all sizes ({math_text(d.covers[0])}), checked once with the "
            "sizes as symbols"
        )
    if cited:
        return text + f", except the cited step(s) ({', '.join(cited)})."
    return text + "."


def render_derivation(d: Derivation, heading: str = "section") -> str:
    """A LaTeX section (or `heading`, e.g. subsection) for one derivation, labelled
    `claim:<ID>`."""
    return "\n".join(
        [
            rf"\{heading}{{{escape_text(d.claim)}: {math_text(d.title)}}}",
            rf"\label{{claim:{d.claim}}}",
            rf"\noindent\textbf{{Claim.}} {math_text(d.statement)}",
            rf"\textbf{{Source:}} {escape_text(d.source)}.",
            r"\begin{gather*}",
            *_rows(d.steps),
            r"\end{gather*}",
            rf"\noindent {_sizes(d)}",
            "",
        ]
    )


@dataclass(frozen=True)
class Fragment:
    """Already-rendered LaTeX about one claim without a derivation (e.g. a user conjecture),
    placed in its source's section."""

    claim: str
    source: str
    latex: str


INTRODUCTION = (
    "Each derivation is a list of steps. An equation is machine-checked by SymPy (its two "
    "sides simplify to the same expression, entrywise for matrices); an inequality is "
    "machine-checked when it has a witness, an expression equal to lhs${}-{}$rhs that is "
    "manifestly nonnegative, and is cited otherwise."
)


def sections(
    items: Iterable[Derivation | Fragment],
    notes: Mapping[str, str] | None = None,
    headings: tuple[str, str] = ("section", "subsection"),
) -> list[str]:
    """A section per source paper, a subsection per derivation or fragment (in the given
    order; `notes[claim]` follows its derivation); `headings` names the two levels."""
    notes = notes or {}
    by_source: dict[str, list[Derivation | Fragment]] = {}
    for item in items:
        by_source.setdefault(item.source, []).append(item)
    body = []
    for source, group in by_source.items():
        body.append(rf"\{headings[0]}{{{escape_text(source)}}}")
        for item in group:
            if isinstance(item, Fragment):
                body.append(item.latex)
            else:
                body += [render_derivation(item, headings[1]), notes.get(item.claim, "")]
    return body


def standalone(
    body: Sequence[str], title: str, date: str = "", packages: Sequence[str] = ()
) -> str:
    """A standalone article around `body`: amsmath, amssymb, geometry (2 cm margins) and
    `packages`; displays may break across pages, and a paragraph with a long inline formula
    stretches its spaces rather than overflow the margin."""
    return "\n".join(
        [
            r"\documentclass{article}",
            r"\usepackage{amsmath,amssymb}",
            r"\usepackage[margin=2cm]{geometry}",
            *(rf"\usepackage{{{package}}}" for package in packages),
            r"\allowdisplaybreaks",
            r"\setlength{\emergencystretch}{3em}",
            rf"\title{{{escape_text(title)}}}",
            r"\author{}",
            rf"\date{{{escape_text(date)}}}",
            r"\begin{document}",
            r"\maketitle",
            *body,
            r"\end{document}",
            "",
        ]
    )


def render_document(
    items: Iterable[Derivation | Fragment],
    title: str = "flatminima: derivations",
    appendix: Sequence[str] | None = None,
    notes: Mapping[str, str] | None = None,
) -> str:
    """A standalone LaTeX document: `INTRODUCTION`, then `sections(items, notes)`, then
    `appendix` (already-rendered fragments, e.g. evidence tables) after `\\appendix`."""
    body = [INTRODUCTION, "", *sections(items, notes)]
    return standalone(body + ([r"\appendix", *appendix] if appendix else []), title)
