"""The LaTeX document: derivations by source paper, plus evidence from a `verify --json` run.

The mathematics and its printing live in theory/ (`theory.latex`); this module selects
derivations by claim, turns result records (the JSON schema of verify/report/json.py) into
LaTeX fragments — verdict, digits, the counterexample with matrices as matrices — and drives
latexmk or pdflatex.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import theory
from theory import latex as printer
from theory.mathtext import math_text, to_latex
from theory.texescape import escape_text
from verify.claim import Claim
from verify.errors import FlatminimaError
from verify.report.files import write_whole
from verify.report.serialize import case_text, effect_text, number_shown, tier_text

INSTALL_HINT = "install it with: apt-get install texlive-latex-base texlive-latex-extra latexmk"
VALUES_SHOWN = 8  # named values of a record printed in the evidence paragraph
SHOWN_DIGITS = 12  # significant digits of each (sign and exponent always kept)
ITEMS = r"\begin{itemize}\setlength{\itemsep}{0pt}"  # a compact list of values


class LatexError(FlatminimaError, RuntimeError):
    """No derivation to write, no TeX engine, or a failed compilation."""


def _number(text: str) -> str:
    """'p/q' as \\tfrac{p}{q}, other scalars as mathematics (1e-05 as 10^{-5})."""
    if isinstance(text, str) and text.count("/") == 1:
        p, q = text.split("/")
        if p.lstrip("-").isdigit() and q.isdigit():
            sign = "-" if p.startswith("-") else ""
            return rf"{sign}\tfrac{{{p.lstrip('-')}}}{{{q}}}"
    return to_latex(str(text))


def sentence(text: str) -> str:
    """`text` as LaTeX (`math_text`), ending with a full stop."""
    return math_text(text) + ("" if text.rstrip().endswith((".", "?", "!")) else ".")


def _is_matrix(value: object) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(
            isinstance(row, list) and not any(isinstance(x, list) for x in row) for row in value
        )
    )


def value_latex(value: object) -> str:
    """A case field in math mode: matrices as bmatrix, lists of them as tuples."""
    if _is_matrix(value):
        rows = [" & ".join(_number(x) for x in row) for row in value]
        return r"\begin{bmatrix}" + r" \\ ".join(rows) + r"\end{bmatrix}"
    if isinstance(value, list):
        return r"\left(" + ",\\ ".join(value_latex(v) for v in value) + r"\right)"
    if value is None:
        return r"\text{none}"
    return _number(str(value))


def _shrunk(record: dict) -> str:
    steps = record.get("shrink_steps", 0)
    return f", then {steps} shrink steps" if steps else ""


def _support_latex(found: dict) -> list[str]:
    """A population's effects (mean, 90% interval over experiments) and its exceptions."""
    items = [
        rf"\item effect {math_text(effect_text(name, e))}" for name, e in found["effect"].items()
    ]
    items += [
        rf"\item exception: \texttt{{{escape_text(case_text(x['case']))}}}: "
        rf"{math_text(x['mechanism'])}"
        for x in found["exceptions"]
    ]
    return [rf"{ITEMS}\raggedright", *items, r"\end{itemize}"] if items else []


def evidence_latex(record: dict) -> str:
    """What a run found for one claim: verdict, tier, digits, message, counterexample, values."""
    digits = "--" if record["digits"] is None else f"{record['digits']:g}"
    found = record.get("support")
    if found is None:
        measured = f"{digits} digits of agreement between {record['dps'][0]} and {record['dps'][1]}"
    else:
        low, high = found["interval"]
        measured = (
            f"{found['supporting']} of {found['experiments']} experiments support it, "
            f"Wilson 95% interval [{low:.2f}, {high:.2f}]"
        )
    lines = [
        rf"\paragraph{{Evidence.}} {escape_text(record['verdict'])} "
        rf"(status {escape_text(record['status'])}; tier "
        rf"{math_text(tier_text(record))}; {record['cases']} cases{_shrunk(record)}; "
        rf"{math_text(measured)}).",
    ]
    if record["message"]:
        lines.append(rf"{math_text(record['message'])}.")
    if found is not None:
        lines += _support_latex(found)
    case = record["counterexample"]
    if isinstance(case, dict):
        lines.append(r"\noindent Counterexample:")
        lines.append(r"\begin{gather*}")
        fields = [
            rf"\text{{{escape_text(k)}}} = {value_latex(v)}"
            for k, v in case.items()
            if v not in (None, "")
        ]
        lines.append(r" \\ ".join(fields))
        lines.append(r"\end{gather*}")
    shown = list(record["values"].items())[:VALUES_SHOWN]
    if shown:
        lines.append(ITEMS)
        lines += [
            rf"\item {math_text(name)}: "
            rf"\texttt{{{escape_text(number_shown(value, SHOWN_DIGITS))}}}"
            for name, value in shown
        ]
        lines.append(r"\end{itemize}")
    return "\n".join(lines) + "\n"


def conjecture_latex(record: dict) -> str:
    """A claim without a derivation (e.g. a user conjecture): statement and evidence."""
    return "\n".join(
        [
            rf"\subsection{{{escape_text(record['id'])}}}",
            rf"\label{{claim:{record['id']}}}",
            rf"\noindent\textbf{{Claim.}} {sentence(record['statement'])}",
            rf"\textbf{{Source:}} {escape_text(record['source'])}.",
            evidence_latex(record),
        ]
    )


def entry(claim: Claim) -> dict:
    """The fields of a result record the document needs, for a claim that was not run."""
    return {
        "id": claim.id,
        "source": claim.source,
        "statement": claim.statement,
        "derivation": claim.derivation,
    }


def render(entries: list[dict]) -> tuple[str, int]:
    """The document for result records (or `entry(claim)`s): each derivation once, in its
    source's section, followed by the evidence of every claim using it when the records hold
    verdicts; a claim without a derivation gets its statement and evidence. Returns the text
    and how many derivations it holds."""
    items, notes, count = [], {}, 0
    for record in entries:
        derivation = theory.derivation(record["derivation"]) if record.get("derivation") else None
        has_run = "verdict" in record
        if derivation is not None:
            if derivation not in items:  # G1 and G1b share G1's derivation: print it once
                items.append(derivation)
                count += 1
            if has_run:
                heading = rf"\paragraph{{{escape_text(record['id'])}.}}" + "\n"
                notes[derivation.claim] = (
                    notes.get(derivation.claim, "") + heading + (evidence_latex(record))
                )
        elif has_run:
            items.append(printer.Fragment(record["id"], record["source"], conjecture_latex(record)))
    if not items:
        ids = ", ".join(r["id"] for r in entries)
        raise LatexError(f"no derivation exists for {ids} (pass --from a verify --json run)")
    return printer.render_document(items, title="flatminima: derivations", notes=notes), count


def write_document(entries: list[dict], path: Path) -> int:
    """Write the document to `path`; return how many derivations it holds."""
    text, count = render(entries)
    write_whole(path, text)
    return count


def compile_pdf(path: Path) -> Path:
    """latexmk -pdf (or pdflatex twice) next to `path`; return the PDF's path."""
    if shutil.which("latexmk") is not None:
        commands = [["latexmk", "-pdf", "-interaction=nonstopmode", "-halt-on-error", path.name]]
    elif shutil.which("pdflatex") is not None:
        commands = [["pdflatex", "-interaction=nonstopmode", "-halt-on-error", path.name]] * 2
    else:
        raise LatexError(f"neither latexmk nor pdflatex is on PATH; {INSTALL_HINT}")
    for command in commands:
        done = subprocess.run(command, cwd=path.parent, capture_output=True, text=True)
        if done.returncode != 0:
            log = path.with_suffix(".log")
            raise LatexError(f"{command[0]} failed on {path} (see {log})")
    return path.with_suffix(".pdf")
