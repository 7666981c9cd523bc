"""The command line: tables, JSON schema, exit codes and one-line errors."""

import json
import shutil
from pathlib import Path

import pytest

from verify.catalogue import select
from verify.cli import main


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_list_json_has_every_claim(capsys):
    status, out, _ = run(capsys, "list", "--json")
    assert status == 0
    rows = json.loads(out)["claims"]
    assert {"H4", "G1", "G2", "G6"} <= {r["id"] for r in rows}
    assert all(r["status"] in {"proved", "paper", "open", "false"} for r in rows)


def test_verify_writes_the_json_schema(capsys, tmp_path):
    path = tmp_path / "r.json"
    status, out, _ = run(
        capsys, "verify", "H4", "g6", "--json", str(path), "--seed", "3", "--workers", "1"
    )
    assert status == 0
    assert "verified" in out and "H4" in out
    document = json.loads(path.read_text())
    assert document["seed"] == 3 and document["dps"] == [50, 80]
    assert [c["id"] for c in document["claims"]] == ["H4", "G6"]
    for record in document["claims"]:
        keys = {"id", "status", "verdict", "tier", "cases", "digits", "seconds"}
        assert keys | {"counterexample", "values"} <= record.keys()
        assert record["verdict"] == "verified" and record["digits"] >= 40
        assert record["counterexample"] is None


def test_dps_option_sets_both_precisions(capsys, tmp_path):
    path = tmp_path / "r.json"
    status, _, _ = run(capsys, "verify", "G6", "--dps", "30", "--json", str(path))
    assert status == 0
    assert json.loads(path.read_text())["claims"][0]["dps"] == [30, 48]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["verify", "X9"], "unknown claim X9"),
        (["verify", "--dps", "5"], "outside the supported range"),
        (["verify", "--dps", "100000"], "outside the supported range"),
        (["verify", "--dps", "many"], "not a valid integer"),
        (["verify", "--profile", "forever"], "unknown profile"),
        (["verify", "--json", "/dev/null/dir/r.json"], "cannot write"),
        (["latex", "-o", "/dev/null/dir/d.tex"], "cannot write"),
        (["frobnicate"], "No such command"),
    ],
)
def test_user_errors_are_one_line_with_status_2(capsys, argv, message):
    status, _, err = run(capsys, *argv)
    assert status == 2
    assert err.startswith("flatminima: error:") and message in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_help_everywhere(capsys):
    for argv in (["--help"], ["list", "--help"], ["verify", "--help"], ["latex", "--help"]):
        status, out, _ = run(capsys, *argv)
        assert status == 0 and "Usage:" in out


def test_latex_writes_every_derivation(capsys, tmp_path):
    path = tmp_path / "out" / "d.tex"  # a new folder, as `make latex` writes out/
    status, out, _ = run(capsys, "latex", "-o", str(path))
    with_derivation = {c.derivation for c in select() if c.derivation}
    assert status == 0 and f"{len(with_derivation)} derivations" in out
    text = path.read_text()
    assert text.startswith("\\documentclass") and text.rstrip().endswith("\\end{document}")
    for derivation in with_derivation:
        assert text.count(f"\\label{{claim:{derivation}}}") == 1


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex not on PATH (CI has it)")
def test_latex_pdf_compiles_with_clean_pages(capsys, tmp_path, layout_problems):
    """`make latex`: every derivation, no overfull line wider than 5 pt, no missing glyph."""
    path = tmp_path / "d.tex"
    status, _, err = run(capsys, "latex", "-o", str(path), "--pdf")
    assert status == 0, err
    assert path.with_suffix(".pdf").read_bytes().startswith(b"%PDF")
    log = path.with_suffix(".log").read_text(errors="replace")
    assert "Output written" in log and layout_problems(log) == []


def test_latex_pdf_without_pdflatex_says_how_to_install(capsys, tmp_path, monkeypatch):
    # one derivation: the compiler is looked for after writing, whatever the document holds
    monkeypatch.setattr(shutil, "which", lambda _: None)
    status, _, err = run(capsys, "latex", "H4", "-o", str(tmp_path / "d.tex"), "--pdf")
    assert status == 2 and "apt-get install texlive-latex-base" in err


EXAMPLES = Path(__file__).parents[1] / "examples" / "networks"


@pytest.mark.parametrize(
    ("name", "lambda_max", "flattest"),
    # docs/claims/linear.md, Reference values: H4 examples 48 and 84 (flattest 48), the
    # unbalanced 8 vs flattest 2, Marion et al.'s non-whitened example, flattest 6 (attained).
    [
        ("scalar_48.json", "48.0", "48.0"),
        ("scalar_84.json", "84.0", "48.0"),
        ("unbalanced_8.json", "8.0", "2.0"),
        ("marion_non_whitened.json", "6.0", "6.0"),
    ],
)
def test_sharpness_of_the_theory_examples(capsys, name, lambda_max, flattest):
    status, out, _ = run(capsys, "sharpness", str(EXAMPLES / name), "--json")
    assert status == 0
    result = json.loads(out)
    assert (result["lambda_max"], result["flattest"]) == (lambda_max, flattest)
    assert result["is_global_minimum"] is True and result["digits"] >= 40
    keys = {"trace", "residual", "flatness_ratio", "layer_norms", "balance", "coupling"}
    assert keys <= result.keys()


def test_sharpness_away_from_a_minimum_says_so(capsys, tmp_path):
    path = tmp_path / "net.json"
    path.write_text('{"weights": [[[1, 2]], [[1], [3]]], "target": [[1, 0], [0, 1]]}')
    status, out, _ = run(capsys, "sharpness", str(path))
    assert status == 0
    assert "not a global minimum" in out and "20.889296197725490146" in out


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"weights": [[[1, 2], [3]]]}', "ragged"),
        ('{"weights": [[[1, 2]], [[1, 2]]]}', "not conformable"),
        ('{"weights": [[["x"]]]}', "not a number"),
        ('{"weights": [[[1, 2]]], "sigma_x": [[1, 2], [3, 1]]}', "not symmetric"),
        ('{"weights": [[[1, 2]]], "sigma_x": [[1, 1], [1, 1]]}', "not positive definite"),
        ('{"weights": [[[1, 2]]], "target": [[1]]}', "target must be 1×2"),
        ("{weights: 1}", "not valid JSON"),
        ('{"weights": []}', "non-empty list"),
        (  # a typo for sigma_x: silently ignored, it gave λ_max 3 instead of 6
            '{"weights": [[[1, 0], [0, 1]], [[1, 0], [0, 1]]], "sigma": [[2, 0], [0, 1]]}',
            'unknown key "sigma" (the keys are weights, sigma_x, target)',
        ),
        ('{"weights": [[[1]]], "Target": [[1]]}', 'unknown key "Target"'),
    ],
)
def test_sharpness_input_errors_are_one_line(capsys, tmp_path, text, message):
    path = tmp_path / "bad.json"
    path.write_text(text)
    status, _, err = run(capsys, "sharpness", str(path))
    assert status == 2 and message in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_plot_dynamics_writes_figures_and_reports_divergence(capsys, tmp_path):
    status, _, _ = run(capsys, "plot", "dynamics", "-o", str(tmp_path), "--steps", "300")
    assert status == 0
    assert {p.name for p in tmp_path.iterdir()} >= {
        "dynamics_phases.png",
        "dynamics_phases.svg",
        "dynamics_paths.svg",
    }
    status, out, _ = run(capsys, "plot", "dynamics", "-o", str(tmp_path), "--eta", "2")
    assert status == 0 and "GD: diverged at step" in out


@pytest.mark.parametrize(
    ("option", "message"),
    [("--eta=-0.1", "step size η must be positive"), ("--batch=7", "batch size must be")],
)
def test_plot_dynamics_bad_parameters_are_one_line_errors(capsys, tmp_path, option, message):
    status, _, err = run(capsys, "plot", "dynamics", "-o", str(tmp_path), option)
    assert status == 2 and message in err and len(err.strip().splitlines()) == 1
