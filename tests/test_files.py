"""Files the command line writes are whole or absent: written to a temporary file and renamed,
never created empty before a run."""

import json
import os
import stat

import pytest

import verify.runner
from verify.cli import main
from verify.report.files import write_whole
from verify.report.json import write_json


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    path = tmp_path / "r.json"
    write_whole(path, "old\n")
    with pytest.raises(TypeError):
        write_json({"claims": [object()]}, path)  # not JSON: fails while writing
    assert path.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]
    write_whole(path, "new\n")
    assert path.read_text() == "new\n"


def test_a_written_file_has_the_permissions_of_a_plain_write(tmp_path):
    # A new file: 0666 less the umask (as open() gives), not the temporary file's 0600; a
    # replaced file keeps its own mode.
    old = os.umask(0o022)
    try:
        write_whole(tmp_path / "new.json", "{}")
        (tmp_path / "kept.json").write_text("")
        (tmp_path / "kept.json").chmod(0o640)
        write_whole(tmp_path / "kept.json", "{}")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.json").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "kept.json").stat().st_mode) == 0o640


def test_an_interrupted_run_leaves_no_results_file(tmp_path, monkeypatch, capsys):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(verify.runner, "run_claim", interrupted)
    absent, present = tmp_path / "new.json", tmp_path / "old.json"
    present.write_text('{"claims": []}\n')
    assert main(["verify", "H4", "--json", str(absent)]) == 130
    assert main(["verify", "H4", "--json", str(present)]) == 130
    assert "interrupted" in capsys.readouterr().err
    assert not absent.exists()  # was created empty before the run
    assert json.loads(present.read_text()) == {"claims": []}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.json"]


def test_a_folder_is_not_a_results_file(tmp_path, capsys):
    assert main(["verify", "H4", "--json", str(tmp_path)]) == 2
    assert f"cannot write {tmp_path}: it is a folder" in capsys.readouterr().err


def test_a_figure_that_fails_to_save_leaves_the_old_files_and_no_temporary(tmp_path):
    from verify.report.figure_files import plt, save

    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    old = save(fig, tmp_path, "fig")
    before = {p.name: p.read_bytes() for p in old}
    broken, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    broken.savefig = lambda *a, **k: (_ for _ in ()).throw(KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        save(broken, tmp_path, "fig")
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def _without_timings(path) -> str:
    document = json.loads(path.read_text())
    for record in document["claims"]:
        record.pop("seconds")
    return json.dumps(document, indent=2, ensure_ascii=False)


def test_the_same_seed_gives_the_same_json_apart_from_timings(tmp_path, capsys):
    """One run in a fresh interpreter (no caches), one in this process: a deductive claim, a
    statistical one and a refuted one give identical records but for `seconds`."""
    import subprocess
    import sys

    ids = ["H4", "P4", "F7"]
    fresh, here = tmp_path / "fresh.json", tmp_path / "here.json"
    command = [sys.executable, "-m", "verify.cli", "verify", *ids, "--seed", "3", "--workers", "1"]
    subprocess.run([*command, "--json", str(fresh)], check=True, capture_output=True)
    assert main(["verify", *ids, "--seed", "3", "--workers", "1", "--json", str(here)]) == 0
    capsys.readouterr()
    assert _without_timings(fresh) == _without_timings(here)


def test_a_seed_draws_the_same_cases_whatever_modules_are_loaded(tmp_path, monkeypatch):
    """Hypothesis mixes numeric constants of loaded local modules into its draws; a
    conjecture file full of constants, imported between two draws, changes nothing."""
    import importlib

    from verify.catalogue import catalogue
    from verify.runner import _draw

    claim = catalogue()["P4"]
    before = _draw(claim, "quick", 3, 8)
    numbers = ", ".join(str(n) for n in range(700, 1300, 7))
    (tmp_path / "conj_many_constants.py").write_text(f"CONSTANTS = ({numbers}, 3/10, 5/11)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.import_module("conj_many_constants")
    assert _draw(claim, "quick", 3, 8) == before
