"""The command line: tables, JSON schema, exit codes and one-line errors."""

import json
import shutil

import pytest

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
    status, out, _ = run(capsys, "verify", "H4", "g6", "--json", str(path), "--seed", "3")
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
        (["verify", "--json", "/nonexistent/dir/r.json"], "cannot write"),
        (["latex", "-o", "/nonexistent/dir/d.tex"], "cannot write"),
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
    path = tmp_path / "d.tex"
    status, out, _ = run(capsys, "latex", "-o", str(path))
    assert status == 0 and "4 derivations" in out
    text = path.read_text()
    assert text.startswith("\\documentclass") and text.rstrip().endswith("\\end{document}")
    for claim in ("H4", "G1", "G2", "G6"):
        assert f"\\label{{claim:{claim}}}" in text


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex not on PATH (CI has it)")
def test_latex_pdf_compiles(capsys, tmp_path):
    path = tmp_path / "d.tex"
    status, _, err = run(capsys, "latex", "-o", str(path), "--pdf")
    assert status == 0, err
    assert path.with_suffix(".pdf").read_bytes().startswith(b"%PDF")


def test_latex_pdf_without_pdflatex_says_how_to_install(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda _: None)
    status, _, err = run(capsys, "latex", "-o", str(tmp_path / "d.tex"), "--pdf")
    assert status == 2 and "apt-get install texlive-latex-base" in err
