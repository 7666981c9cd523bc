"""Benchmark 8 (issue 17): `flatminima verify` of the whole quick catalogue with --workers 1
and --workers 2, each a whole process (target: ≥ 1.7× on 2 cores, the JSON identical apart
from "seconds"), and the overhead of the cluster path on a small claim: the wall time of
many one-claim tasks on one warm worker against their summed compute (each record's
"seconds", `run_claim`'s own time on the worker).

`make bench` runs it on the whole catalogue (about 9 minutes on 2 idle cores);
`python benchmarks/workers.py H4 G2 F5` on a few claims, to check it works. See
docs/scaling.md.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sharpness import FLATMINIMA  # benchmarks/ is on sys.path as a script

from verify.budget import DEFAULT_CASE_BUDGET
from verify.catalogue import select
from verify.precision import DEFAULT_DPS

TARGET = 1.7  # the speed-up wanted of --workers 2 on 2 cores
SMALL = "H4"  # a claim of about 0.1 s: the overhead's share is largest on such
TASKS = 20


def sweep(ids: list[str], workers: int, path: Path) -> float:
    """Wall seconds of `flatminima verify IDS --workers N --json PATH` as a whole process
    (in PATH's folder: counterexample files go there)."""
    command = [str(FLATMINIMA), "verify", *ids, "--workers", str(workers), "--json", str(path)]
    start = time.perf_counter()
    done = subprocess.run(
        command, cwd=path.parent, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1):  # 1: a claim not as expected, still a whole run
        sys.exit(f"{' '.join(command)} failed ({done.returncode}): {done.stderr.strip()}")
    return seconds


def untimed(document: dict) -> dict:
    """A `verify --json` document without its claims' "seconds"."""
    claims = [{k: v for k, v in r.items() if k != "seconds"} for r in document["claims"]]
    return {**document, "claims": claims}


def catalogue_benchmark(ids: list[str]) -> None:
    """--workers 1 against --workers 2 on `ids` (all claims when empty)."""
    with tempfile.TemporaryDirectory() as folder:
        paths = [Path(folder) / "serial.json", Path(folder) / "workers.json"]
        serial, parallel = (sweep(ids, n, path) for n, path in zip((1, 2), paths, strict=True))
        one, two = (json.loads(path.read_text(encoding="utf-8")) for path in paths)
    same = untimed(one) == untimed(two)
    summed = [sum(r["seconds"] for r in d["claims"]) for d in (one, two)]
    shown = " ".join(ids) if ids else "the whole quick catalogue"
    print(
        f"verify {shown} ({len(one['claims'])} claims): --workers 1 {serial:.1f}s (claims "
        f"{summed[0]:.1f}s), --workers 2 {parallel:.1f}s (claims {summed[1]:.1f}s), speed-up "
        f"x{serial / parallel:.2f} (target x{TARGET} on 2 cores); the JSON "
        f"{'is identical' if same else 'DIFFERS'} apart from seconds",
        flush=True,
    )


def overhead_benchmark(claim_id: str = SMALL, tasks: int = TASKS) -> None:
    """The claim `tasks` times over on the case path (verify/casework.py: cases drawn here,
    sent in batches, decided here) on a LocalCluster of one worker, warmed by one run first
    (its imports): wall time / summed claim compute (each record's "seconds": drawing, the
    batches' evaluation on the worker, deciding), and the overhead per claim."""
    from verify import workers as parallel
    from verify.casework import Sweep

    claims = select([claim_id]) * tasks
    client = parallel.local_client(1)
    try:
        settings = ((), "quick", DEFAULT_DPS, 0, DEFAULT_CASE_BUDGET)  # paths, profile, ...
        Sweep(client, claims[:1], *settings).run()
        start = time.perf_counter()
        records = Sweep(client, claims, *settings).run()
        wall = time.perf_counter() - start
    finally:
        parallel.close(client)
    compute = sum(r["seconds"] for r in records)
    print(
        f"case path, {claim_id} {tasks} times on one warm worker: wall {wall:.2f}s, "
        f"summed claim compute {compute:.2f}s, ratio x{wall / compute:.2f}; overhead "
        f"{1000 * (wall - compute) / tasks:.0f} ms per claim, {(wall - compute) / compute:.0%} "
        "of the compute",
        flush=True,
    )


def workers_benchmark(ids: list[str] = ()) -> None:
    catalogue_benchmark(list(ids))
    overhead_benchmark()


if __name__ == "__main__":
    workers_benchmark(sys.argv[1:])
