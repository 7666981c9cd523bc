"""Write the derivations of selected claims as a standalone LaTeX document, and compile it.

The mathematics and its printing live in theory/ (`theory.latex`); this module only selects
derivations by claim and drives pdflatex.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import theory
from theory import latex as printer
from verify.claim import Claim

INSTALL_HINT = "install it with: apt-get install texlive-latex-base texlive-latex-extra"


class LatexError(RuntimeError):
    """No derivation to write, pdflatex missing, or a failed compilation."""


def write_document(claims: list[Claim], path: Path) -> int:
    """Write the derivations of `claims` to `path`; return how many were written."""
    derivations = [theory.derivation(c.derivation) for c in claims if c.derivation]
    if not derivations:
        ids = ", ".join(c.id for c in claims)
        raise LatexError(f"no derivation exists for {ids}")
    path.write_text(
        printer.render_document(derivations, title="flatminima: derivations"), encoding="utf-8"
    )
    return len(derivations)


def compile_pdf(path: Path) -> Path:
    """Run pdflatex twice (for references) next to `path`; return the PDF's path."""
    if shutil.which("pdflatex") is None:
        raise LatexError(f"pdflatex is not on PATH; {INSTALL_HINT}")
    command = ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", path.name]
    for _ in range(2):
        done = subprocess.run(command, cwd=path.parent, capture_output=True, text=True)
        if done.returncode != 0:
            log = path.with_suffix(".log")
            raise LatexError(f"pdflatex failed on {path} (see {log})")
    return path.with_suffix(".pdf")
