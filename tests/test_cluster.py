"""`verify --scheduler` and `pytest --claims-scheduler` on a real Dask cluster on loopback:
`dask scheduler` and `dask worker` processes on 127.0.0.1 (free ports, bounded waits, killed
at the end). The JSON is the serial run's apart from "seconds", a worker killed mid-sweep
costs only time, and a scheduler that cannot be reached, has no workers, or has a worker that
cannot import flatminima is one line, exit 2, within seconds."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from verify import workers as parallel
from verify.budget import DEFAULT_CASE_BUDGET
from verify.catalogue import select
from verify.cli import main
from verify.precision import DEFAULT_DPS

DASK = [sys.executable, "-m", "dask"]
STARTUP = 60  # seconds a scheduler or worker may take to start on a loaded machine
QUICK = Path(__file__).parents[1] / "docs" / "results" / "quick.json"
WHERE = """
import os, pathlib
from verify import cases, conjecture


@conjecture("X_WHERE", "notes the process it runs in", cases=cases.scalar_minima(target=1))
def where(m):
    pathlib.Path({folder!r}, f"pid-{{os.getpid()}}").touch()
    return True
"""
FAR = """
import os
from verify import cases, conjecture


@conjecture("X_FAR", "runs outside the pytest process", cases=cases.scalar_minima(target=1))
def far(m):
    return os.getpid() != {driver}


@conjecture("X_EQ", "every scalar minimum has λ_max = N", cases=cases.scalar_minima(target=1))
def balanced(m):
    return m.sharpness() - m.depth
"""


class Loopback:
    """A Dask scheduler on 127.0.0.1 (a free port) and the workers added to it, each started
    in a process group of its own, all killed by `close`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.groups: list[subprocess.Popen] = []
        file = folder / "scheduler.json"
        self._start("scheduler", "--host", "127.0.0.1", "--port", "0", "--scheduler-file", file)
        deadline = time.monotonic() + STARTUP
        while not file.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert file.exists(), "the Dask scheduler did not start"
        time.sleep(0.1)  # written whole by now
        self.address = json.loads(file.read_text())["address"]

    def _start(self, *argv) -> None:
        with (self.folder / f"{argv[0]}-{len(self.groups)}.log").open("w") as log:
            command = [*DASK, *map(str, argv), "--no-dashboard"]
            self.groups.append(
                subprocess.Popen(
                    command, cwd=self.folder, stdout=log, stderr=log, start_new_session=True
                )
            )

    def add_worker(self, name: str, *options) -> None:
        scratch = self.folder / name
        self._start("worker", self.address, "--name", name, "--nthreads", "1", *options,
                    "--local-directory", scratch)  # fmt: skip

    def wait_for(self, count: int) -> None:
        """Until `count` workers have joined (a bounded wait)."""
        with self.client() as client:
            client.wait_for_workers(count, timeout=STARTUP)

    def client(self):
        from distributed import Client

        return Client(self.address, timeout=STARTUP, set_as_default=False)

    def worker(self, name: str) -> str:
        """The address of the worker called `name`."""
        with self.client() as client:
            workers = client.scheduler_info()["workers"].items()
            return next(address for address, info in workers if info["name"] == name)

    def close(self) -> None:
        for group in self.groups:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group.pid, signal.SIGKILL)
            group.wait(timeout=STARTUP)


@contextlib.contextmanager
def loopback(folder: Path, workers: int = 0) -> Iterator[Loopback]:
    """A running `Loopback` with `workers` workers, killed at the end."""
    cluster = None
    try:
        cluster = Loopback(folder)
        for number in range(workers):
            cluster.add_worker(f"w{number}")
        if workers:
            cluster.wait_for(workers)
        yield cluster
    finally:
        if cluster is not None:
            cluster.close()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Iterator[Loopback]:
    """A scheduler and two workers on loopback, for this module's tests."""
    with loopback(tmp_path_factory.mktemp("cluster"), workers=2) as running:
        yield running


def _untimed(path: Path) -> dict:
    document = json.loads(path.read_text(encoding="utf-8"))
    for record in document["claims"]:
        record.pop("seconds")
    return document


def test_a_cluster_run_gives_the_serial_json(cluster, tmp_path, monkeypatch, capsys):
    """DASK_SCHEDULER_ADDRESS (no --workers) sends the claims to the cluster: its workers
    ran them (X_WHERE notes the process), and the JSON is the serial one."""
    monkeypatch.chdir(tmp_path)
    notes = tmp_path / "notes"
    notes.mkdir()
    conjecture = tmp_path / "conj_where.py"
    conjecture.write_text(WHERE.format(folder=str(notes)), encoding="utf-8")
    argv = ["verify", "H4", "G2", "F5", "X_WHERE", "--conjectures", str(conjecture), "--json"]
    assert main([*argv, "serial.json", "--workers", "1"]) == 0
    assert {p.name for p in notes.iterdir()} == {f"pid-{os.getpid()}"}
    monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", cluster.address)
    assert main([*argv, "cluster.json"]) == 0
    assert _untimed(tmp_path / "cluster.json") == _untimed(tmp_path / "serial.json")
    assert len(list(notes.iterdir())) > 1, "X_WHERE did not run on a worker"
    assert "Traceback" not in capsys.readouterr().err


@pytest.fixture(params=["local", "loopback"])
def client(request):
    """A client of a LocalCluster of two workers (`verify --workers 2`), or of the loopback
    cluster (`verify --scheduler`)."""
    if request.param == "local":
        client = parallel.local_client(2)
    else:
        client = parallel.connect(request.getfixturevalue("cluster").address)
    try:
        yield client
    finally:
        parallel.close(client)
    if request.param == "loopback":
        request.getfixturevalue("cluster").wait_for(2)  # the nanny restarted the killed one


def test_a_worker_killed_mid_sweep_costs_only_time(client):
    """SIGKILL, at the sweep's first finished task, to a worker with tasks in hand: the
    scheduler runs them again (on the other worker or the one its nanny restarts); the
    records are the quick run's."""
    from verify.casework import Sweep

    claims = select(["G6", "H4", "F5", "G2", "F6"])
    # the serial records: docs/results/quick.json's (tests/test_docs.py keeps it current)
    quick = json.loads(QUICK.read_text(encoding="utf-8"))["claims"]
    serial = [next(r for r in quick if r["id"] == c.id) for c in claims]
    killed = []

    def kill_a_busy_worker() -> None:
        if killed:
            return
        busy = [w for w, keys in client.processing().items() if keys]
        if busy:
            killed.append(client.processing()[busy[0]])
            pid = client.run(os.getpid, workers=busy[:1])[busy[0]]
            os.kill(pid, signal.SIGKILL)

    sweep = Sweep(
        client, claims, (), "quick", DEFAULT_DPS, 0, DEFAULT_CASE_BUDGET, tick=kill_a_busy_worker
    )
    records = sweep.run()
    for record in (*serial, *records):
        record.pop("seconds")
    assert killed and killed[0], "no worker had a task in hand when one finished"
    assert records == serial


def test_a_conjecture_file_the_workers_cannot_see_is_one_line(
    cluster, tmp_path, monkeypatch, capsys
):
    monkeypatch.chdir(tmp_path)  # the workers run in another folder: conj_here.py is not there
    Path("conj_here.py").write_text(WHERE.format(folder=str(tmp_path)), encoding="utf-8")
    argv = ["verify", "--conjectures", "conj_here.py", "--scheduler", cluster.address]
    assert _one_line(argv, capsys) == (
        f"Dask worker w0 ({cluster.worker('w0')}) cannot see the conjecture file "
        f"conj_here.py (in its folder {cluster.folder}) (and 1 more)"
    )


def _one_line(argv: list[str], capsys, bound: float = 10) -> str:
    """The one error line of `flatminima ARGV` (exit 2), which must come within `bound` s."""
    start = time.monotonic()
    assert main(argv) == 2
    assert time.monotonic() - start < bound
    out, err = capsys.readouterr()
    (line,) = err.splitlines()
    assert out == "" and line.startswith("flatminima: error: "), err
    return line.removeprefix("flatminima: error: ")


def test_no_workers_or_a_worker_without_flatminima_is_one_line(tmp_path, monkeypatch, capsys):
    """A scheduler without workers, then with one whose `import verify` fails (a preload
    script hides it): each is one line naming the problem, not a hang."""
    monkeypatch.setattr(parallel, "CONNECT_TIMEOUT", 2.0)
    (tmp_path / "hide_verify.py").write_text('import sys\nsys.modules["verify"] = None\n')
    with loopback(tmp_path) as lonely:
        argv = ["verify", "H4", "--scheduler", lonely.address]
        assert _one_line(argv, capsys) == (
            f"the Dask scheduler at {lonely.address} has no workers (none joined within 2 s)"
        )
        lonely.add_worker("broken", "--preload", tmp_path / "hide_verify.py")
        lonely.wait_for(1)
        assert _one_line(argv, capsys) == (
            f"Dask worker broken ({lonely.worker('broken')}) cannot import flatminima: "
            "ModuleNotFoundError: No module named 'verify.runner'; 'verify' is not a package"
        )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_an_unreachable_scheduler_is_one_line_within_the_connect_timeout(capsys, monkeypatch):
    monkeypatch.setattr(parallel, "CONNECT_TIMEOUT", 1.0)  # 5 s in use
    address = f"tcp://127.0.0.1:{_free_port()}"
    line = _one_line(["verify", "H4", "--scheduler", address], capsys, parallel.CONNECT_TIMEOUT + 2)
    assert line == (
        f"cannot connect to the Dask scheduler at {address}: OSError: Timed out trying to "
        f"connect to {address} after {parallel.CONNECT_TIMEOUT:g} s"
    )


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--scheduler", "nonsense"], "--scheduler 'nonsense' is not a Dask scheduler address"),
        (["--scheduler", "tcp://127.0.0.1:99999"], "port 99999 is not in 1..65535"),
        (["--scheduler", "tcp://127.0.0.1:1", "--workers", "2"], "exclude each other"),
    ],
)
def test_a_bad_scheduler_option_is_one_line_at_once(argv, message, capsys):
    start = time.monotonic()
    assert main(["verify", "H4", *argv]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("flatminima: error: ") and message in line
    assert time.monotonic() - start < 1


def test_workers_given_win_over_the_environment(monkeypatch, capsys):
    """`--workers 1` stays the serial run when DASK_SCHEDULER_ADDRESS is set (here to an
    address no scheduler answers at, which would be an error after the connect timeout)."""
    monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", f"tcp://127.0.0.1:{_free_port()}")
    assert main(["verify", "H4", "--workers", "1"]) == 0
    assert "verified" in capsys.readouterr().out


def test_pytest_runs_the_conjectures_on_the_cluster(cluster, pytester):
    """X_FAR holds only outside the pytest process; X_EQ fails with its counterexample."""
    pytester.makepyfile(conj_far=FAR.format(driver=os.getpid()))
    result = pytester.runpytest("-p", "no:cacheprovider", "--claims-scheduler", cluster.address)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*X_EQ (open) came out refuted*", "*counterexample: weights=*"])


def test_pytest_with_an_unreachable_scheduler_is_a_usage_error(pytester, monkeypatch):
    monkeypatch.setattr(parallel, "CONNECT_TIMEOUT", 1.0)
    pytester.makepyfile(conj_far=FAR.format(driver=os.getpid()))
    address = f"tcp://127.0.0.1:{_free_port()}"
    result = pytester.runpytest("-p", "no:cacheprovider", "--claims-scheduler", address)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"ERROR: --claims-scheduler: cannot connect to *{address}*"])
