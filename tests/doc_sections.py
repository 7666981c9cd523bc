"""Sections of docs pages that a test script renders (`python tests/test_X.py` rewrites them)."""

from __future__ import annotations

import re
from pathlib import Path


def section(text: str, heading: str) -> str:
    """The `## heading` section of a Markdown text, up to the next `## ` (empty if absent)."""
    match = re.search(rf"^## {re.escape(heading)}\n.*?(?=^## |\Z)", text, re.S | re.M)
    return match.group(0) if match else ""


def rewrite(doc: Path, heading: str, rendered: str) -> None:
    """Replace the `## heading` section of `doc` by `rendered` (appended if absent)."""
    old = doc.read_text(encoding="utf-8") if doc.exists() else "# Reliability\n\n"
    found = section(old, heading)
    if not found:
        new = old.rstrip() + "\n\n" + rendered
    else:
        last = old.endswith(found)  # a section followed by another keeps a blank line before it
        new = old.replace(found, rendered.rstrip() + ("\n" if last else "\n\n"))
    doc.write_text(new, encoding="utf-8")
