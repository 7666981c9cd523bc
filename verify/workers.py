"""The Dask side of `flatminima verify --workers N` / `--scheduler ADDRESS`: the cluster, the
workers' checks, and the task of a claim run whole on a worker.

The driver either starts a `distributed.LocalCluster` of N worker processes on 127.0.0.1 (one
thread each, no dashboard; `local_client`) or connects to the scheduler of an existing
cluster (`connect`: it checks first that every worker can import flatminima and see the
conjecture files). verify/casework.py sends the claims' cases there in batches; a claim whose
search must be run whole (a failing case to shrink, a case that cannot be sent) and the
pytest plugin's conjectures (`submit_claims`) go as one `claim_task` each, which looks the
claim up on the worker (loading the conjecture files itself, once per process), runs
`runner.run_claim` exactly as the serial path does and sends back the claim's JSON record
(`report.json.verdict_record`). A task whose worker dies is run again (Dask reschedules it;
`retries` covers a task that raised); one that still fails is the claim's ERROR verdict
(`failed_record`). See docs/scaling.md.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from verify.errors import FlatminimaError

if TYPE_CHECKING:
    from distributed import Client

RETRIES = 2  # a task that raised (not a claim's check: that is its verdict) is run again
TIMINGS = Path(__file__).resolve().parents[1] / "docs" / "results" / "quick.json"
SECONDS_PER_CASE = 0.02  # the guess for a claim without a previous timing, per unit of cost
CONNECT_TIMEOUT = 5.0  # seconds to reach a scheduler, and for its first worker to be there
# what a worker runs to show it can import flatminima: given as text to `eval`, because a
# function of flatminima's own could not even be unpickled on a worker that cannot import it
IMPORT_PROBE = "__import__('verify.runner').__file__"


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity where the system has one, else
    every core): the default of `--workers`."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


class ClusterError(FlatminimaError):
    """The Dask cluster could not be started (reported as one line, exit status 2)."""


@functools.cache
def previous_timings(path: Path = TIMINGS) -> dict[str, float]:
    """Seconds per claim ID of the last quick run (docs/results/quick.json), {} if absent."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        return {r["id"]: float(r["seconds"]) for r in document["claims"]}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def expected_seconds(claim, profile: str) -> float:
    """How long a claim is expected to take: its previous quick timing scaled by the
    profile's cases, else a guess from its cost and number of cases (only the order matters:
    the longest claims are started first, so a few long ones do not end the sweep alone)."""
    from verify.profiles import profile_settings

    cases = profile_settings(profile, claim.cost).max_examples
    quick = profile_settings("quick", claim.cost).max_examples
    known = previous_timings().get(claim.id)
    if known is not None:
        return known * cases / max(quick, 1)
    return SECONDS_PER_CASE * cases * claim.cost


@functools.cache
def _conjectures(paths: tuple[str, ...]) -> tuple:
    """The conjectures of `paths`, loaded once per worker process (errors are the driver's
    to report)."""
    if not paths:
        return ()
    from verify import conjectures
    from verify.catalogue import catalogue

    return tuple(conjectures.load([Path(p) for p in paths], taken=set(catalogue())).claims)


def worker_claim(claim_id: str, paths: tuple[str, ...]):
    """The claim `claim_id` of the catalogue or of the conjecture files `paths`, looked up
    on a worker."""
    from verify.catalogue import select

    return select([claim_id], _conjectures(tuple(paths)))[0]


def claim_task(
    claim_id: str, paths: tuple[str, ...], profile, dps, seed, budget, known: bytes = b""
) -> dict:
    """Run on a worker: one claim, as `flatminima verify` runs it, as its JSON record;
    `known`: packed results of its first cases, evaluated already (verify/casework.py)."""
    _quiet_hypothesis()
    from verify import runner
    from verify.report.json import verdict_record
    from verify.transport import unpack

    claim = worker_claim(claim_id, paths)
    done = unpack(known) if known else ()
    verdict = runner.run_claim(claim, profile, tuple(dps), seed, budget=budget, known=done)
    return verdict_record(verdict)


@functools.cache
def _quiet_hypothesis() -> None:
    """Hypothesis warns when the global `random` state changes while it draws a case; on a
    worker, Dask's own threads (heartbeats, connection jitter) draw from it meanwhile. No
    strategy or check here uses the global state (they use their own `random.Random(seed)`
    or numpy generators), so the warning, which a serial run never gives, is noise."""
    import warnings

    from hypothesis.errors import HypothesisDeprecationWarning

    warnings.filterwarnings(
        "ignore", "Do not use the `random` module inside strategies", HypothesisDeprecationWarning
    )


def failed_record(claim, dps, exc: BaseException) -> dict:
    """The ERROR record of a claim whose task failed on every try (its worker kept dying)."""
    from verify.report.json import verdict_record
    from verify.runner import Verdict, VerdictKind

    message = f"the worker running it failed: {type(exc).__name__}: {exc}"
    return verdict_record(
        Verdict(claim, VerdictKind.ERROR, None, 0, None, 0.0, dps, message=message)
    )


def start_cluster(workers: int):
    """An embedded LocalCluster of `workers` processes on 127.0.0.1, or ClusterError."""
    try:
        from distributed import LocalCluster
    except ImportError as exc:
        raise ClusterError(f"--workers needs dask[distributed] ({exc})") from None
    try:
        return LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            # no dashboard; the scheduler's own HTTP routes (health) on a free local port,
            # not 8787, so two runs at once start without a warning
            scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
            silence_logs=logging.CRITICAL,
        )
    except Exception as exc:
        raise ClusterError(
            f"cannot start {workers} Dask workers on 127.0.0.1: {type(exc).__name__}: {exc}"
        ) from None


def local_client(workers: int) -> Client:
    """A client of a new LocalCluster of `workers` processes (`close` shuts both down)."""
    from distributed import Client

    cluster = start_cluster(workers)
    try:
        return Client(cluster, set_as_default=False)
    except BaseException:
        cluster.close()
        raise


def scheduler_address(address: str, given: str = "--scheduler") -> str:
    """`address` if it names a Dask scheduler (`tcp://HOST:PORT`, `HOST:PORT`, another
    scheme's `SCHEME://...`), else ClusterError naming where it was `given`: checked here, as
    Dask takes some bad ones (a port above 65535) for a connection to retry until long past
    any timeout."""
    from distributed.comm.addressing import parse_address, parse_host_port

    try:
        scheme, location = parse_address(address)
        if scheme in ("tcp", "tls"):
            _, port = parse_host_port(location)
            if not 0 < port < 65536:
                raise ValueError(f"port {port} is not in 1..65535")
    except ValueError as exc:
        raise ClusterError(
            f"{given} {address!r} is not a Dask scheduler address (tcp://HOST:PORT): {exc}"
        ) from None
    return address


def connect(address: str, paths: Sequence[Path] = ()) -> Client:
    """A client of the existing Dask scheduler at `address` whose workers can all import
    flatminima and read the conjecture files `paths`, or ClusterError, within about
    2 × CONNECT_TIMEOUT seconds. `close` closes only the client, never that cluster."""
    from distributed import Client

    scheduler_address(address)
    try:
        client = Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except Exception as exc:
        raise ClusterError(
            f"cannot connect to the Dask scheduler at {address}: {type(exc).__name__}: {exc}"
        ) from None
    try:
        try:
            client.wait_for_workers(1, timeout=CONNECT_TIMEOUT)
        except TimeoutError:
            raise ClusterError(
                f"the Dask scheduler at {address} has no workers "
                f"(none joined within {CONNECT_TIMEOUT:g} s)"
            ) from None
        check_workers(client, paths)
    except BaseException:
        client.close()
        raise
    return client


def check_workers(client: Client, paths: Sequence[Path]) -> None:
    """ClusterError naming the first worker that cannot import flatminima (with the import's
    error), or cannot see a conjecture file (relative paths are its working directory's)."""
    names = {a: info.get("name", a) for a, info in client.scheduler_info()["workers"].items()}

    def problem(found: dict, what: Callable[[object], str | None]) -> None:
        order = sorted(found, key=lambda address: str(names.get(address, address)))
        bad = [(a, what(found[a])) for a in order if what(found[a])]
        if bad:
            address, why = bad[0]
            name = names.get(address, address)
            shown = f"{name} ({address})" if name != address else address
            more = f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""
            raise ClusterError(f"Dask worker {shown} {why}{more}")

    imported = client.run(eval, IMPORT_PROBE, on_error="return")
    problem(imported, _import_problem)
    if paths:
        shown = [os.fspath(p) for p in paths]
        problem(client.run(missing_files, shown, on_error="return"), _missing_problem)


def _import_problem(result: object) -> str | None:
    if isinstance(result, BaseException):
        return f"cannot import flatminima: {type(result).__name__}: {result}"
    return None


def _missing_problem(result: object) -> str | None:
    if isinstance(result, BaseException):
        return f"cannot check the conjecture files: {type(result).__name__}: {result}"
    folder, missing = result
    if missing:
        return f"cannot see the conjecture file {missing[0]} (in its folder {folder})"
    return None


def missing_files(paths: Sequence[str]) -> tuple[str, list[str]]:
    """Run on a worker: its working directory, and which of `paths` it cannot see."""
    return os.getcwd(), [p for p in paths if not os.path.exists(p)]


def close(client: Client) -> None:
    """Close `client`, and the LocalCluster it was started with (`local_client`); the cluster
    of a scheduler it connected to (`connect`) is left running."""
    cluster = client.cluster
    try:
        client.close()
    finally:
        if cluster is not None:
            cluster.close()


def submit_claims(client, claims: Sequence, paths: Sequence[Path], profile, dps, seed, budget):
    """One task per claim on `client`'s workers, the longest expected first: {future: index
    of its claim in `claims`}. The keys are this call's own (a cluster may be shared: two
    runs' claim H1, of other seeds, must not be taken for one task)."""
    shown = tuple(os.fspath(p) for p in paths)
    order = sorted(range(len(claims)), key=lambda i: -expected_seconds(claims[i], profile))
    run = uuid.uuid4().hex[:12]
    futures = {}
    for i in order:
        claim = claims[i]
        future = client.submit(
            claim_task,
            claim.id,
            shown,
            profile,
            list(dps),
            seed,
            budget,
            key=f"claim-{i}-{claim.id}-{run}",
            pure=False,
            retries=RETRIES,
        )
        futures[future] = i
    return futures


def task_record(future, claim, dps) -> dict:
    """The record a claim's task gave back (waiting for it), or its ERROR record if the task
    failed on every try."""
    try:
        return future.result()
    except Exception as exc:
        return failed_record(claim, dps, exc)
