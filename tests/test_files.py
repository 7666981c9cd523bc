"""Files the command line writes are whole or absent: written to a temporary file and renamed,
never created empty before a run."""

import json

import pytest

import verify.cli
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


def test_an_interrupted_run_leaves_no_results_file(tmp_path, monkeypatch, capsys):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(verify.cli, "run_claim", interrupted)
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
