"""Reports and LaTeX from one `verify --json` run: Markdown, standalone HTML, TeX, PDF."""

import base64
import html
import json
import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from theory.mathtext import math_text
from theory.texescape import escape_text
from verify import figures
from verify.cli import main
from verify.report.captions import figure_captions
from verify.report.latex import evidence_latex, value_latex
from verify.report.pages import html_page, markdown, rerun_command
from verify.report.serialize import case_text

ROOT = Path(__file__).parents[1]
EXAMPLES = ROOT / "examples" / "conjectures"
QUICK = ROOT / "docs" / "results" / "quick.json"  # a whole quick run


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("run") / "r.json"
    claims = ["X2", "G6", "G1b"]  # a user conjecture, a scalar and a dynamics claim
    argv = ["verify", *claims, "--conjectures", str(EXAMPLES), "--workers", "1"]
    status = main([*argv, "--json", str(path)])
    assert status == 0
    return path


def test_report_is_rendered_from_the_json(capsys, results, tmp_path):
    assert main(["report", "--from", str(results), "-o", str(tmp_path), "--no-plots"]) == 0
    md = (tmp_path / "report.md").read_text()
    assert "| X2 | open | refuted |" in md and "Counterexample:\n\n```\nweights=(2, 1/2)" in md
    assert "flatminima verify X2 G6 G1b --profile quick --seed 0 --dps 50" in md
    page = (tmp_path / "report.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and 'class="refuted">refuted' in page
    assert json.loads((tmp_path / "results.json").read_text()) == json.loads(results.read_text())
    tex = (tmp_path / "report.tex").read_text()
    assert r"\section{User conjectures}" in tex and r"\label{result:X2}" in tex
    assert r"\tfrac{1}{2}" in tex  # the counterexample, as mathematics
    assert r"\subsection{Ginsburg 2020}" in tex[tex.index(r"\appendix") :]  # G6's, G1b's


def test_report_embeds_the_family_figures_with_their_captions(capsys, results, tmp_path):
    assert main(["report", "--from", str(results), "-o", str(tmp_path)]) == 0
    assert (tmp_path / "img" / "dynamics_phases.png").exists()  # G1b is a dynamics claim
    caption = figure_captions()["dynamics_phases"]
    page = (tmp_path / "report.html").read_text()
    figure = page[page.index("<h2>dynamics claims</h2>") :]  # in G1b's family section
    assert '<figure><img alt="Loss and imbalance' in figure and "data:image/png;base64," in figure
    assert f"<figcaption>{html.escape(caption)}</figcaption></figure>" in figure
    md = (tmp_path / "report.md").read_text()
    assert "](img/dynamics_phases.png)\n\n*Figure: " + caption + "*" in md


def test_both_reports_say_the_same(results):
    """Title, date, environment, rerun command, verdict table, each family's claims with
    their evidence and counterexamples: in the Markdown and the HTML report alike."""
    document = json.loads(results.read_text())
    written = date(2025, 3, 4)
    md, page = markdown(document, [], written), html_page(document, [], written)
    x2 = next(r for r in document["claims"] if r["id"] == "X2")
    for text in (md, page):
        assert "flatminima report" in text and "Written 2025-03-04" in text
        assert "sympy" in text and rerun_command(document) in text
        for family in ("user", "scalar", "dynamics"):
            assert f"{family} claims" in text
        assert html.escape(case_text(x2["counterexample"])) in html.escape(text)
    assert "<tr><th>id</th><th>status</th><th>verdict</th>" in page
    assert '<td class="refuted">refuted</td>' in page and "### X2 (refuted)" in md


# A 1×1 PNG: the figures' stand-in (drawing them takes a minute).
PIXEL = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def _stand_in_figures(families, directory: Path) -> list[Path]:
    """A PNG and SVG for every captioned figure of these families, as `family_figures`."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in figure_captions():
        if name.split("_")[0] in families:
            for suffix in (".png", ".svg"):
                (directory / name).with_suffix(suffix).write_bytes(PIXEL)
                paths.append((directory / name).with_suffix(suffix))
    return paths


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex not on PATH (CI has it)")
def test_the_report_pdf_stands_on_its_own(capsys, tmp_path, monkeypatch, layout_problems):
    """`report --pdf` of the whole quick run: a verdict row per claim, the rerun command, every
    figure with its caption, the derivations; no overfull box over 5 pt, no missing glyph."""
    monkeypatch.setattr(figures, "family_figures", _stand_in_figures)
    assert main(["report", "--from", str(QUICK), "-o", str(tmp_path), "--pdf"]) == 0
    tex = (tmp_path / "report.tex").read_text()
    document = json.loads(QUICK.read_text())
    table = tex[tex.index(r"\begin{longtable}") : tex.index(r"\end{longtable}")]
    for record in document["claims"]:
        assert re.search(
            rf"^{record['id']} & .+ & {record['status']} & {record['verdict']} &", table, re.M
        )
        assert rf"\subsection{{{record['id']}: {record['verdict']}}}" in tex
    assert escape_text(rerun_command(document)) in tex and r"\section{Environment and rerun}" in tex
    for name, caption in figure_captions().items():
        assert f"{{img/{name}.png}}\n\\caption{{{math_text(caption)}}}" in tex
    appendix = tex[tex.index(r"\appendix") :]
    assert appendix.count(r"\subsubsection{") == len(
        {r["derivation"] for r in document["claims"] if r["derivation"]}
    )
    assert r"\begin{bmatrix}" in tex  # counterexamples as matrices
    assert (tmp_path / "report.pdf").read_bytes().startswith(b"%PDF")
    log = (tmp_path / "report.log").read_text(errors="replace")
    assert "Output written" in log and layout_problems(log) == []


def test_counterexample_matrices_print_as_matrices():
    weights = [[["1", "-1/2"], ["0", "3"]], [["1", "2"]]]
    assert value_latex(weights) == (
        r"\left(\begin{bmatrix}1 & -\tfrac{1}{2} \\ 0 & 3\end{bmatrix},\ "
        r"\begin{bmatrix}1 & 2\end{bmatrix}\right)"
    )
    record = {
        "verdict": "refuted",
        "status": "false",
        "tier": "mpmath",
        "cases": 3,
        "digits": 50.0,
        "dps": [50, 80],
        "message": "fails: F3",
        "counterexample": {"weights": weights, "sigma_x": None},
        "values": {"lambda_max": "3.41"},
    }
    text = evidence_latex(record)
    assert r"\text{weights} = \left(\begin{bmatrix}" in text and "sigma" not in text


def test_evidence_prints_tiny_residuals_with_their_exponent():
    """A verified claim must not read as failed: 1.855e-79 was printed as "1.855…" (cut at 40
    characters) and F1's excess −6.7e-80 as a violated bound."""
    record = {
        "verdict": "verified",
        "status": "proved",
        "tier": "symbolic",
        "cases": 12,
        "digits": 49.0,
        "dps": [50, 80],
        "message": "",
        "counterexample": None,
        "values": {
            "residual: tr H": "1.8554268380085720874853490330235233453569532032969e-79",
            "excess: λ_max ≥ N σ1": "-6.7470066836675348635830873928128121649343752847158e-80",
            "lambda_max": "1e+40",
            "ratio": "3/7",
        },
    }
    text = evidence_latex(record)
    for shown in ("1.85542683801e-79", "-6.74700668367e-80", "1.0e+40", "3/7"):
        assert shown in text, text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"claims": 3}', "not a `flatminima verify --json` document"),
    ],
)
def test_bad_results_file_is_a_one_line_error(capsys, tmp_path, content, message):
    path = tmp_path / "r.json"
    path.write_text(content)
    status = main(["report", "--from", str(path), "-o", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert status == 2 and message in err and len(err.strip().splitlines()) == 1
