"""The cases of each claim evaluated in batches on Dask workers, decided on the driver.

For every claim the driver draws the cases the serial search would evaluate, in its order
(`runner.drawn_cases`; a statistical claim's candidates, `runner.candidates`), and sends
them to the workers in batches of about `batch_seconds` of expected compute (`batch_size`),
each task packed by verify/transport.py. A worker evaluates its batch at both precisions
exactly as the serial path does (`runner.evaluate`, and a held case's certificate,
`runner.case_tier`); a deductive claim's derivation is checked by a task of its own. The
driver then decides from the results in case order with the serial path's code:

- a deductive claim whose cases all pass (held, vacuous, degenerate, disagree):
  `runner.deductive_verdict`, the same verdict as the serial search's;
- one whose first stopping case ran out of its budget: the same, the search ending there;
- one whose first stopping case failed or raised: its search is run again on one worker
  by `runner.run_claim`, which shrinks that case with Hypothesis as the serial path does,
  the cases evaluated already replayed (`known`), not evaluated again;
- a statistical claim: its candidates in waves, each as many as the population still
  needs, until `runner.population_full`; then `runner.population_verdict`.

A claim whose cases or results cannot be packed runs whole on one worker instead
(`workers.claim_task`). Every task carries its claim's expected seconds as its Dask
priority, so the longest claims start first. See docs/scaling.md.
"""

from __future__ import annotations

import math
import os
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from verify import runner
from verify.claim import Claim
from verify.profiles import population_size, profile_settings
from verify.report.json import verdict_record
from verify.transport import PackError, pack, unpack
from verify.workers import RETRIES, claim_task, expected_seconds, failed_record, worker_claim

BATCH_SECONDS = 0.25  # expected compute per task: Dask's ~4 ms per task is then under 2%
SHARES = 2  # a batch is at most 1/(SHARES × workers) of the run's expected compute, and less


def batch_seconds(claims: Sequence[Claim], profile: str, workers: int) -> float:
    """The expected compute of one batch: max(BATCH_SECONDS, total / (SHARES × workers)).
    Batches as large as the balance of the workers allows: each process that takes a claim's
    cases pays that claim's warm-up again (caches, first calls: the quick catalogue cost 401 s
    of compute on two workers in 0.25 s batches, 376 s in batches of this size)."""
    total = sum(expected_seconds(claim, profile) for claim in claims)
    return max(BATCH_SECONDS, total / (SHARES * max(workers, 1)))


def planned_cases(claim: Claim, profile: str) -> int:
    """How many cases a claim evaluates when none stops it: its population, or its examples
    and the profile's draws."""
    if claim.rule is not None:
        return population_size(profile, claim.cost, claim.rule.experiments)
    return profile_settings(profile, claim.cost).max_examples + len(claim.examples)


def batch_size(claim: Claim, profile: str, seconds: float = BATCH_SECONDS) -> int:
    """Cases per task: as many as take about `seconds` by the claim's expected time."""
    cases = max(planned_cases(claim, profile), 1)
    per_case = expected_seconds(claim, profile) / cases
    return max(1, math.floor(seconds / per_case)) if per_case > 0 else cases


def first_tasks(claim: Claim, profile: str) -> int:
    """How many batches of cases a claim starts with (at most: before its cases are drawn)."""
    return math.ceil(planned_cases(claim, profile) / batch_size(claim, profile))


def evaluate_task(claim_id: str, paths: tuple[str, ...], cases: bytes, dps, budget) -> tuple:
    """Run on a worker: the packed cases evaluated as the serial search evaluates them (a
    held one's certificate too), as (packed results or None if they cannot be packed,
    seconds of compute)."""
    claim = worker_claim(claim_id, paths)
    start = time.perf_counter()
    results = []
    for case in unpack(cases):
        result = runner.evaluate(claim, case, tuple(dps), budget)
        if result.outcome is runner.Outcome.HELD:
            result.numeric = runner.case_tier(claim, result, dps[0])
        results.append(result)
    seconds = time.perf_counter() - start
    try:
        return pack(results), seconds
    except PackError:
        return None, seconds


def derivation_task(claim_id: str, paths: tuple[str, ...]) -> tuple:
    """Run on a worker: the check of a claim's derivation (`runner.symbolic_check`), seconds."""
    start = time.perf_counter()
    found = runner.symbolic_check(worker_claim(claim_id, paths))
    return found, time.perf_counter() - start


@dataclass
class Job:
    """One claim on its way through the workers."""

    index: int  # of the claim in the run
    claim: Claim
    cases: list  # drawn, in the search's order
    wanted: int | None  # a statistical claim's population size; None: deductive
    batch: int
    priority: float
    results: dict[int, runner.CaseResult] = field(default_factory=dict)
    sent: int = 0  # the cases [0, sent) are submitted
    seconds: float = 0.0  # compute so far: drawing, tasks
    symbolic: tuple | None = None  # (the derivation task's answer,), once it came
    record: dict | None = None
    bar: object = None  # its progress bar, once shown

    def prefix(self) -> list[runner.CaseResult]:
        """The results of the cases in order, up to the first not evaluated yet."""
        found = []
        while len(found) in self.results:
            found.append(self.results[len(found)])
        return found


class Sweep:
    """The claims of one run on `client`'s workers: `run()` gives their JSON records in the
    order of the claims. `progress` is a verify/report/terminal.py RunProgress (bars fed by
    the batches that finish); `tick` is called at each finished task (Ctrl-C is checked
    there)."""

    def __init__(
        self,
        client,
        claims: Sequence[Claim],
        paths: Sequence[Path],
        profile: str,
        dps,
        seed: int,
        budget,
        progress=None,
        tick: Callable[[], None] = lambda: None,
    ) -> None:
        self.client, self.claims, self.profile, self.dps = client, claims, profile, tuple(dps)
        self.paths = tuple(os.fspath(p) for p in paths)
        self.seed, self.budget, self.progress, self.tick = seed, budget, progress, tick
        self.run_key = uuid.uuid4().hex[:12]
        self.futures: dict = {}  # future: (job, kind, first case, cases)
        self.count = 0

    def run(self) -> list[dict]:
        from distributed import as_completed

        workers = sum(self.client.nthreads().values())
        self.batch_seconds = batch_seconds(self.claims, self.profile, workers)
        jobs = [self._plan(i, claim) for i, claim in enumerate(self.claims)]
        waiting = as_completed(loop=self.client.loop)
        try:
            for job in sorted(jobs, key=lambda j: -j.priority):
                waiting.update(self._start(job))
            for future in waiting:
                entry = self.futures.pop(future, None)
                if entry is None:  # cancelled: its claim was decided without it
                    continue
                job, kind, first, count = entry
                self.tick()
                if job.record is None:
                    waiting.update(self._finished(job, future, kind, first, count))
                if job.record is not None:
                    self._cancel(job)
        finally:
            for future in self.futures:
                future.cancel()
        return [job.record for job in jobs]

    def _plan(self, index: int, claim: Claim) -> Job:
        """The claim's cases drawn here (a search that raises is its ERROR record now)."""
        start = time.perf_counter()
        wanted = None
        try:
            if claim.rule is not None:
                cases, wanted = runner.candidates(claim, self.profile, self.seed)
            else:
                cases = runner.drawn_cases(claim, self.profile, self.seed)
        except Exception as exc:  # named from where the search raised, as the serial run does
            job = Job(index, claim, [], None, 1, 0.0)
            exc = exc.with_traceback(exc.__traceback__.tb_next)  # without this frame
            job.record = verdict_record(runner.search_error(claim, self.dps, start, exc))
            return job
        priority = expected_seconds(claim, self.profile)
        batch = batch_size(claim, self.profile, self.batch_seconds)
        job = Job(index, claim, cases, wanted, batch, priority)
        job.seconds = time.perf_counter() - start
        return job

    def _submit(self, job: Job, kind: str, function, *args, first=0, count=0):
        self.count += 1
        key = f"{kind}-{job.index}-{job.claim.id}-{self.count}-{self.run_key}"
        future = self.client.submit(
            function, *args, key=key, pure=False, retries=RETRIES, priority=job.priority
        )
        self.futures[future] = (job, kind, first, count)
        return future

    def _start(self, job: Job) -> list:
        """The claim's first tasks: its derivation's check, and its cases (a statistical
        claim's first wave: as many as its population holds)."""
        if job.record is not None:
            self._done(job)
            return []
        futures = []
        if job.wanted is None and job.claim.derivation:
            args = (job.claim.id, self.paths)
            futures.append(self._submit(job, "derivation", derivation_task, *args))
        sent = self._send(job, len(job.cases) if job.wanted is None else job.wanted)
        if sent is None:
            return [self._whole(job)]
        return futures + sent + ([] if sent else self._next(job))

    def _send(self, job: Job, count: int) -> list | None:
        """The next `count` cases in batches (None: they cannot be packed)."""
        futures = []
        end = min(job.sent + count, len(job.cases))
        for first in range(job.sent, end, job.batch):
            chunk = job.cases[first : min(first + job.batch, end)]
            try:
                packed = pack(chunk)
            except PackError:
                return None
            args = (job.claim.id, self.paths, packed, list(self.dps), self.budget)
            futures.append(
                self._submit(job, "cases", evaluate_task, *args, first=first, count=len(chunk))
            )
        job.sent = end
        return futures

    def _whole(self, job: Job, known: Sequence[runner.CaseResult] = ()):
        """The claim run whole on one worker (its search as the serial path runs it)."""
        self._cancel(job)
        args = (job.claim.id, self.paths, self.profile, list(self.dps), self.seed, self.budget)
        return self._submit(job, "claim", claim_task, *args, pack(list(known)) if known else b"")

    def _cancel(self, job: Job) -> None:
        for future, (other, *_) in list(self.futures.items()):
            if other is job:
                future.cancel()
                del self.futures[future]

    def _finished(self, job: Job, future, kind: str, first: int, count: int) -> list:
        """What a finished task of `job` leads to: the tasks it submits next."""
        try:
            answer = future.result()
        except Exception as exc:  # its worker kept dying, or the task itself raised
            job.record = failed_record(job.claim, self.dps, exc)
            self._done(job)
            return []
        if kind == "claim":
            job.record = answer
            self._done(job)
            return []
        if kind == "derivation":
            found, seconds = answer
            job.symbolic = (found,)
            job.seconds += seconds
        else:
            packed, seconds = answer
            job.seconds += seconds
            if packed is None:
                return [self._whole(job)]
            for k, result in enumerate(unpack(packed)):
                job.results[first + k] = result
            self._advance(job, count)
        return self._next(job)

    def _next(self, job: Job) -> list:
        """Decide the claim if its results allow, else the tasks it needs next."""
        if job.wanted is not None:
            return self._next_population(job)
        done = job.prefix()
        stop = next((k for k, r in enumerate(done) if r.stops), None)
        if stop is not None and not done[stop].over_budget:
            return [self._whole(job, done[: stop + 1])]
        if stop is not None:
            self._decide(job, done[: stop + 1])
        elif len(done) == len(job.cases) and (job.symbolic is not None or not job.claim.derivation):
            self._decide(job, done)
        return []

    def _next_population(self, job: Job) -> list:
        """Decide on the shortest full prefix of the experiments (all, if none is full), else
        send as many more candidates as the population still lacks."""
        done = job.prefix()
        for k in range(len(done) + 1):
            if runner.population_full(done[:k], job.wanted) or k == len(job.cases):
                self._decide_population(job, done[:k])
                return []
        if job.sent > len(done):
            return []  # the next results are on their way
        missing = job.wanted - sum(r.outcome is not runner.Outcome.VACUOUS for r in done)
        sent = self._send(job, missing)
        return [self._whole(job)] if sent is None else sent

    def _decide(self, job: Job, results: list) -> None:
        stopped = results[-1] if results and results[-1].stops else None
        symbolic = job.symbolic[0] if job.symbolic is not None else None
        verdict = runner.deductive_verdict(
            job.claim,
            self.dps,
            results,
            stopped,
            len(results),
            time.perf_counter() - job.seconds,
            self.budget,
            lambda: symbolic,
        )
        job.record = verdict_record(verdict)
        self._done(job)

    def _decide_population(self, job: Job, results: list) -> None:
        start = time.perf_counter() - job.seconds
        try:
            verdict = runner.population_verdict(job.claim, self.dps, results, start)
        except Exception as exc:
            verdict = runner.search_error(job.claim, self.dps, start, exc)
        job.record = verdict_record(verdict)
        self._done(job)

    def _advance(self, job: Job, count: int) -> None:
        """The claim's bar (shown at its first finished batch) moves on by `count` cases."""
        if self.progress is None:
            return
        self._show(job, job.wanted if job.wanted is not None else len(job.cases))
        self.progress.advance(job.bar, count)

    def _done(self, job: Job) -> None:
        """The claim's record is in: its bar is complete (and goes)."""
        if self.progress is None:
            return
        self._show(job, 1)
        self.progress.finish(job.bar)

    def _show(self, job: Job, total: int) -> None:
        """The claim's bar of `total` cases, added the first time."""
        if job.bar is None:
            job.bar = self.progress.add_task(f"{job.claim.id:>4} cases", total=max(total, 1))
