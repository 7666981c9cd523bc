"""Shared fixtures of the theory tests."""

import shutil
import subprocess

import pytest


@pytest.fixture
def pdflatex(tmp_path):
    """Compile a LaTeX text in a temporary folder; return pdflatex's log (skip without it)."""
    if shutil.which("pdflatex") is None:
        pytest.skip("pdflatex is not installed")

    def compile_text(text: str, name: str = "document") -> str:
        (tmp_path / f"{name}.tex").write_text(text)
        run = subprocess.run(
            ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", f"{name}.tex"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert run.returncode == 0, run.stdout[-3000:]
        assert (tmp_path / f"{name}.pdf").stat().st_size > 10_000
        return (tmp_path / f"{name}.log").read_text(errors="replace")

    return compile_text
