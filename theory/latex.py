"""LaTeX printer for derivations: section fragments and a standalone, ASCII-only document.

Formulas go through `sympy.latex`; statements and justifications through
`theory.mathtext.math_text` (their inline mathematics as LaTeX math, prose escaped to ASCII),
so pdflatex needs no input encoding. The document uses amsmath, amssymb and geometry only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from sympy import Basic, MatAdd, MatMul, S
from sympy.printing.latex import LatexPrinter

from theory.derivation import AT_LEAST, Derivation, Step
from theory.mathtext import escape_text, math_text

_RELATIONS = {"=": "=", AT_LEAST: r"\geq"}


class _Printer(LatexPrinter):
    """SymPy's LaTeX printer, except that a matrix sum prints a negative term −X without
    evaluating X (SymPy negates the term, which evaluates named matrices to their entries)."""

    def _print_MatAdd(self, expr: MatAdd) -> str:
        tex = ""
        for i, term in enumerate(self._as_ordered_terms(expr)):
            if i and term.could_extract_minus_sign() and not isinstance(term, MatAdd):
                tex += " - "
                term = _negated(term)
            elif i:
                tex += " + "
            term_tex = self._print(term)
            tex += rf"\left({term_tex}\right)" if self._needs_add_brackets(term) else term_tex
        return tex


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


def _equations(where: Mapping[Basic, Basic]) -> str:
    return ", ".join(f"${latex(key)} = {latex(value)}$" for key, value in where.items())


def _justification(k: int, step: Step) -> str:
    text = f"({k}) {math_text(step.why)}"
    if step.where:
        text += f"; on {_equations(step.where)}"
    if step.witness is not None:
        text += f"; witness ${latex(step.witness)} \\geq 0$"
    if step.cited:
        text += r" \emph{(cited, not machine-checked)}"
    return rf"\intertext{{{text}.}}"


def _rows(steps: Sequence[Step]) -> list[str]:
    """Per step, `\\intertext{justification}` then `lhs = rhs` (a gather* row). The lhs is
    left out when it is the previous rhs, and a matrix step's lhs gets a row of its own."""
    rows = []
    for k, step in enumerate(steps, start=1):
        relation = f"{{}}{_RELATIONS[step.relation]} {latex(step.rhs)}"
        if k > 1 and step.lhs == steps[k - 2].rhs:
            equation = relation
        elif step.lhs.is_Matrix or step.rhs.is_Matrix:
            equation = rf"{latex(step.lhs)} \\ {relation}"
        else:
            equation = f"{latex(step.lhs)} {relation}"
        rows += [_justification(k, step), equation + ("" if k == len(steps) else r" \\")]
    return rows


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


def render_document(
    items: Iterable[Derivation | Fragment],
    title: str = "flatminima: derivations",
    appendix: Sequence[str] | None = None,
    notes: Mapping[str, str] | None = None,
) -> str:
    """A standalone LaTeX document: a section per source paper, a subsection per derivation or
    fragment (in the given order; `notes[claim]` follows its derivation), then `appendix`.

    `appendix` holds already-rendered LaTeX fragments (e.g. evidence tables), placed after
    `\\appendix` in the given order.
    """
    notes = notes or {}
    by_source: dict[str, list[Derivation | Fragment]] = {}
    for item in items:
        by_source.setdefault(item.source, []).append(item)
    body = []
    for source, group in by_source.items():
        body.append(rf"\section{{{escape_text(source)}}}")
        for item in group:
            if isinstance(item, Fragment):
                body.append(item.latex)
            else:
                body += [render_derivation(item, "subsection"), notes.get(item.claim, "")]
    if appendix:
        body += [r"\appendix", *appendix]
    return "\n".join(
        [
            r"\documentclass{article}",
            r"\usepackage{amsmath,amssymb}",
            r"\usepackage[margin=2cm]{geometry}",
            r"\allowdisplaybreaks",
            rf"\title{{{escape_text(title)}}}",
            r"\author{}",
            r"\date{}",
            r"\begin{document}",
            r"\maketitle",
            "Each derivation is a list of steps. An equation is machine-checked by SymPy "
            r"(its two sides simplify to the same expression, entrywise for matrices); an "
            r"inequality is machine-checked when it has a witness, an expression equal to "
            r"lhs${}-{}$rhs that is manifestly nonnegative, and is cited otherwise.",
            "",
            *body,
            r"\end{document}",
            "",
        ]
    )
