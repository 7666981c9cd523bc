"""`flatminima verify --workers N` (verify/workers.py): the same JSON as the serial run apart
from "seconds", a check that raises is the same ERROR verdict, a cluster that cannot start is
one line, Ctrl-C and the end of a run leave no worker process, and the default is the cores
(a worker killed mid-sweep, on this cluster and on a `dask scheduler`'s: tests/test_cluster.py)."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from verify import workers as parallel
from verify.catalogue import select
from verify.cli import main

FAST = ["H4", "G2", "F5", "H2"]  # about 2 s serially
RAISING = """
from verify import cases, conjecture


@conjecture("X_RAISE", "a check that raises", cases=cases.scalar_minima(target=1))
def broken(m):
    raise ValueError("this check always raises")
"""


def _untimed(document: dict) -> dict:
    """A `verify --json` document without what depends on timing."""
    for record in document["claims"]:
        record.pop("seconds")
    return document


def _descendants() -> set[int]:
    """This process's children, but multiprocessing's resource tracker (started with the first
    spawned process, it lives as long as this process)."""
    found = set()
    for child in psutil.Process().children(recursive=True):
        try:
            if "resource_tracker" not in " ".join(child.cmdline()):
                found.add(child.pid)
        except psutil.NoSuchProcess:
            pass
    return found


def test_workers_give_the_serial_json_and_leave_no_process(tmp_path, monkeypatch, capsys):
    from rich.console import Console

    from verify.report import terminal

    monkeypatch.chdir(tmp_path)
    shown = []

    def fake_progress(n):  # a (fake) terminal's progress, to count the claims done
        console = Console(file=io.StringIO(), force_terminal=True)
        shown.append(terminal.RunProgress(console, n, shown=True))
        return shown[-1]

    monkeypatch.setattr(terminal, "progress", fake_progress)
    Path("conj_x.py").write_text(RAISING, encoding="utf-8")
    argv = ["verify", *FAST, "X_RAISE", "--conjectures", "conj_x.py", "--json"]
    before = _descendants()
    assert main([*argv, "serial.json", "--workers", "1"]) == 1  # X_RAISE is an error
    assert main([*argv, "parallel.json", "--workers", "2"]) == 1
    progress = shown[-1]
    assert progress.finished == progress.n == len(FAST) + 1
    assert progress.text().startswith(f"claim {progress.n} of {progress.n} · ")
    serial, workers = (json.loads(Path(f).read_text()) for f in ("serial.json", "parallel.json"))
    assert _untimed(workers) == _untimed(serial)
    raised = workers["claims"][-1]
    assert raised["verdict"] == "error" and "this check always raises" in raised["message"]
    assert "conj_x.py:" in raised["message"]
    deadline = time.monotonic() + 10
    while _descendants() - before and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _descendants() - before, "a Dask worker process outlived the run"
    assert "Traceback" not in capsys.readouterr().err


def test_a_cluster_that_cannot_start_is_one_line(monkeypatch, capsys):
    import distributed

    def refuse(**options):
        raise OSError(98, "Address already in use")

    monkeypatch.setattr(distributed, "LocalCluster", refuse)
    assert main(["verify", "H4", "H3", "--workers", "2"]) == 2
    err = capsys.readouterr().err
    assert err.splitlines() == [
        "flatminima: error: cannot start 2 Dask workers on 127.0.0.1: "
        "OSError: [Errno 98] Address already in use"
    ]


def test_longest_expected_claims_are_submitted_first():
    claims = select(["H4", "P5", "F1", "F9c"])
    order = sorted(claims, key=lambda c: -parallel.expected_seconds(c, "quick"))
    assert [c.id for c in order[:2]] == ["P5", "F9c"]


def test_ctrl_c_shuts_the_cluster_down(tmp_path):
    command = [sys.executable, "-c", "import sys; from verify.entry import main; sys.exit(main())"]
    command += ["verify", "P5", "F9c", "--workers", "2"]
    process = subprocess.Popen(
        command,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # SIGINT to its process group, as a terminal's Ctrl-C
    )
    try:
        deadline = time.monotonic() + 30
        parent = psutil.Process(process.pid)
        while len(parent.children(recursive=True)) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(3)  # the workers import the catalogue and start their claims
        spawned = parent.children(recursive=True)
        assert len(spawned) >= 2, "no worker process started"
        os.killpg(process.pid, signal.SIGINT)
        _, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
    assert process.returncode == 130, err
    assert "flatminima: interrupted" in err and "Traceback" not in err, err
    _, alive = psutil.wait_procs(spawned, timeout=10)
    assert not alive, f"worker processes outlived Ctrl-C: {alive}"


def test_the_default_is_the_cores_and_one_claim_runs_serially(monkeypatch, capsys):
    """Without --workers, several claims go to as many workers as this process has cores
    (no more than there are claims); a single claim never starts a cluster."""
    from verify import cli

    used = []

    def local_client(workers):
        used.append(workers)
        raise _Stopped

    def serial(*args):
        used.append("serial")
        raise _Stopped

    monkeypatch.setattr(parallel, "local_client", local_client)
    monkeypatch.setattr(cli, "_verify_serial", serial)
    for argv in (["H4", "G2", "F5"], ["H4", "--workers", "2"], ["H4", "G2", "--workers", "1"]):
        with pytest.raises(_Stopped):
            main(["verify", *argv])
    cores = parallel.available_cores()
    assert used == [min(cores, 3) if cores > 1 else "serial", "serial", "serial"]
    assert main(["verify", "--help"]) == 0
    assert f"[default: {cores}; x>=1]" in " ".join(capsys.readouterr().out.split())


class _Stopped(BaseException):
    """Raised where the run would start (past the CLI's one-line error handling): the path
    it took is all that is tested."""


@pytest.mark.parametrize("workers", ["0", "-1", "two"])
def test_workers_must_be_a_positive_number(workers, capsys):
    assert main(["verify", "H4", "--workers", workers]) == 2
    assert "--workers" in capsys.readouterr().err
