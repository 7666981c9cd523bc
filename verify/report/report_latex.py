"""The results report as a LaTeX document (`flatminima report`: report.tex, report.pdf).

One `verify --json` run, standing on its own: title and date; the environment and the command
that reruns the run (the rows and command of the Markdown and HTML reports); a verdict table
(longtable: ID, statement, status, verdict, tier and scope, digits or support); per claim
family its claims with their evidence (`latex.evidence_latex`: counterexamples as matrices)
and its figures with captions; the derivations the claims use, in an appendix.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import theory
from theory import latex as printer
from theory.mathtext import math_text
from theory.texescape import escape_text
from verify.report.captions import figure_captions
from verify.report.latex import evidence_latex, sentence
from verify.report.pages import Section, environment_rows, rerun_command, sections
from verify.report.serialize import support_text, tier_text

FAMILIES = {  # section titles, in the order of the report
    "linear": "Deep linear networks",
    "scalar": "Scalar deep linear networks",
    "dynamics": "Training dynamics",
    "perceptron": "Perceptrons",
    "nonlinear": "Nonlinear networks",
    "user": "User conjectures",
}
PACKAGES = ("array", "longtable", "booktabs", "graphicx", "placeins")
_TABLE = (
    r"@{}l>{\raggedright\arraybackslash}p{6.4cm}ll"
    r">{\raggedright\arraybackslash}p{4.1cm}r@{}"
)


def report_latex(document: dict, figures: Sequence[Path], date: str) -> str:
    """The report of a `verify --json` document; `figures` are image paths relative to the
    report (each named after its family: `dynamics_phases.png`, captioned by
    `figure_captions`), `date` the day it is rendered."""
    claims = document["claims"]
    run = f"{document['profile']} profile, seed {document['seed']}"
    body = [
        summary_latex(document["summary"]),
        *environment_latex(document),
        *verdict_table(claims),
        *family_sections(sections(document, list(figures)), figure_captions()),
        *derivations_appendix(claims),
    ]
    return printer.standalone(body, "flatminima report", f"{run}; rendered {date}", PACKAGES)


def summary_latex(summary: dict) -> str:
    """How many claims got each verdict, and how many are not as their status demands."""
    counts = ", ".join(f"{summary[k]} {k}" for k in ("verified", "refuted", "inconclusive"))
    return (
        rf"\noindent {counts}, {summary['error']} error; {summary['unexpected']} not as their "
        "status demands (a proved claim must be verified, a negative control refuted)."
    )


def environment_latex(document: dict) -> list[str]:
    """The versions, precision, profile and seed of the run, and the command that reruns it."""
    rows = [
        rf"{escape_text(name)} & {escape_text(value)} \\"
        for name, value in environment_rows(document)
    ]
    return [
        r"\section{Environment and rerun}",
        r"\begin{tabular}{@{}ll@{}}",
        r"\toprule",
        *rows,
        r"\bottomrule",
        r"\end{tabular}",
        "",
        r"\medskip\noindent Rerun with (pass conjecture files again with \texttt{--conjectures}):",
        r"\begin{flushleft}\ttfamily",
        escape_text(rerun_command(document)),
        r"\end{flushleft}",
    ]


def verdict_table(claims: list[dict]) -> list[str]:
    """Every claim in one longtable row: ID, statement, status, verdict, tier and scope,
    digits (or supporting/experiments of a statistical claim)."""
    head = r"ID & statement & status & verdict & tier and scope & digits \\"
    rows = []
    for r in claims:
        verdict = r["verdict"] + ("" if r["as_expected"] else " (unexpected)")
        cells = [
            escape_text(r["id"]),
            math_text(r["statement"]),
            escape_text(r["status"]),
            escape_text(verdict),
            math_text(tier_text(r)),
            escape_text(support_text(r)),
        ]
        rows.append(" & ".join(cells) + r" \\")
    return [
        r"\section{Verdicts}",
        r"{\small",
        rf"\begin{{longtable}}{{{_TABLE}}}",
        r"\toprule",
        head,
        r"\midrule",
        r"\endhead",
        r"\bottomrule",
        r"\endfoot",
        *rows,
        r"\end{longtable}}",
    ]


def family_sections(parts: list[Section], captions: Mapping[str, str]) -> list[str]:
    """The families of `pages.sections`, in `FAMILIES` order: each claim with its evidence,
    then the family's figures with their captions."""
    out = []
    for part in sorted((p for p in parts if p.family in FAMILIES), key=_family_order):
        out.append(rf"\section{{{FAMILIES[part.family]}}}")
        for record in part.records:
            out += claim_latex(record)
        out += [figure_latex(path, captions) for path in part.figures]
        out.append(r"\FloatBarrier")
    return out


def _family_order(part: Section) -> int:
    """Where a family's section comes in the report (`FAMILIES` order)."""
    return list(FAMILIES).index(part.family)


def claim_latex(record: dict) -> list[str]:
    """One claim: statement, source, where its derivation is, and the run's evidence."""
    derivation = record.get("derivation")
    where = rf" Derivation: appendix \ref{{claim:{derivation}}}." if derivation else ""
    return [
        rf"\subsection{{{escape_text(record['id'])}: {escape_text(record['verdict'])}}}",
        rf"\label{{result:{record['id']}}}",
        rf"\noindent\textbf{{Claim.}} {sentence(record['statement'])}",
        rf"\textbf{{Source:}} {escape_text(record['source'])}.{where}",
        evidence_latex(record),
    ]


def figure_latex(path: Path, captions: Mapping[str, str]) -> str:
    """A figure, as wide as the text at most, with its caption (the file name when none)."""
    caption = captions.get(path.stem, path.stem.replace("_", " "))
    return "\n".join(
        [
            r"\begin{figure}[htbp]",
            r"\centering",
            r"\includegraphics[width=\linewidth,height=0.42\textheight,keepaspectratio]"
            f"{{{path.as_posix()}}}",
            rf"\caption{{{math_text(caption)}}}",
            rf"\label{{figure:{path.stem}}}",
            r"\end{figure}",
        ]
    )


def derivations_appendix(claims: list[dict]) -> list[str]:
    """The derivations the claims use, each once, by source paper, after `\\appendix`."""
    used = [theory.derivation(r["derivation"]) for r in claims if r.get("derivation")]
    unique = list(dict.fromkeys(d for d in used if d is not None))
    if not unique:
        return []
    headings = ("subsection", "subsubsection")
    return [
        r"\appendix",
        r"\section{Derivations}",
        printer.INTRODUCTION,
        *printer.sections(unique, headings=headings),
    ]
