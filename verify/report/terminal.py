"""Where `flatminima verify` prints to: a terminal (live progress, an overall "claim k of n"
line with the time left) or a file or pipe (no progress, no hard wrapping, and a last
`summary: key=value ...` line a script can parse)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

from rich.console import Console, Group
from rich.live import Live
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

PIPED_WIDTH = 100_000  # a line printed to a file or pipe is never cut at a column
SUMMARY_KEYS = ("verified", "refuted", "inconclusive", "error", "unexpected")


def is_terminal(stream=None) -> bool:
    """Whether `stream` (stdout by default) is an interactive terminal."""
    stream = sys.stdout if stream is None else stream
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or closed
        return False


def output_console() -> Console:
    """The console of the results: rich's own on a terminal; to a file or pipe, one so wide
    that no line (table row, value, message) is ever broken, and without colour codes."""
    if is_terminal():
        return Console()
    return Console(width=PIPED_WIDTH, color_system=None, soft_wrap=False, legacy_windows=False)


def summary_record(summary: dict[str, int], load_errors: int = 0) -> str:
    """The machine-friendly last line: `summary: verified=30 refuted=6 inconclusive=2
    error=0 unexpected=0 load_errors=0`, always these keys in this order."""
    parts = [f"{key}={summary.get(key, 0)}" for key in SUMMARY_KEYS]
    return "summary: " + " ".join([*parts, f"load_errors={load_errors}"])


def parse_summary(line: str) -> dict[str, int]:
    """The counts of a `summary_record` line (its inverse)."""
    head, _, rest = line.partition(": ")
    if head != "summary":
        raise ValueError(f"not a summary line: {line!r}")
    return {key: int(value) for key, value in (item.split("=") for item in rest.split())}


def clock(seconds: float) -> str:
    """Seconds as h:mm:ss (m:ss under an hour)."""
    whole = max(0, round(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def claim_line(k: int, n: int, elapsed: float, remaining: float | None) -> str:
    """The overall progress line: `claim 3 of 38 · 1:12 elapsed · about 4:10 left`
    (`estimating time left` before anything is done)."""
    left = "estimating time left" if remaining is None else f"about {clock(remaining)} left"
    return f"claim {k} of {n} · {clock(elapsed)} elapsed · {left}"


def remaining_estimate(elapsed: float, done: float, n: int) -> float | None:
    """Seconds left when `done` of `n` claims (a fraction for the current one's cases) took
    `elapsed`: the mean rate so far times the claims left; None before any progress."""
    if done <= 0:
        return None
    return elapsed / done * max(0.0, n - done)


class RunProgress:
    """The live display of a verify run, used as a rich `Progress` (`with`, `add_task`,
    `advance`, `update`): an overall "claim k of n" line, rendered afresh at each refresh
    (the elapsed time runs on during a long case), above the bar of each running claim's
    cases; a claim's bar goes when it completes. `shown=False` displays nothing."""

    def __init__(
        self,
        console: Console,
        n: int,
        shown: bool = True,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
        self.progress = Progress(*columns, TimeElapsedColumn(), console=console)
        self.live = Live(Group(self, self.progress), console=console, transient=True)
        self.n, self.shown, self.now = n, shown, now
        self.start = now()
        self.started = self.finished = 0

    def __enter__(self) -> RunProgress:
        self.start = self.now()
        if self.shown:
            self.live.start()
        return self

    def __exit__(self, *exc) -> None:
        if self.shown:
            self.live.stop()

    def add_task(self, description: str, total: float) -> TaskID:
        """A claim starts; its bar of `total` cases."""
        self.started += 1
        task = self.progress.add_task(description, total=total)
        if self.shown:
            self.live.refresh()  # "claim k of n" at once, not at the next tick
        return task

    def advance(self, task: TaskID, steps: float = 1) -> None:
        self.progress.advance(task, steps)

    def update(self, task: TaskID, completed: float) -> None:
        """Set the cases done; a claim with all done is finished and its bar removed."""
        self.progress.update(task, completed=completed)
        total = self._total(task)
        if total is not None and completed >= total:
            self.progress.remove_task(task)
            self.finished += 1

    def finish(self, task: TaskID) -> None:
        """The claim is decided: its bar complete, then removed."""
        self.update(task, completed=self._total(task))

    def _total(self, task: TaskID) -> float | None:
        return next(t.total for t in self.progress.tasks if t.id == task)

    def text(self) -> str:
        """The overall line now."""
        elapsed = self.now() - self.start
        running = sum(min(1.0, t.completed / t.total) for t in self.progress.tasks if t.total)
        remaining = remaining_estimate(elapsed, self.finished + running, self.n)
        return claim_line(max(1, self.started), self.n, elapsed, remaining)

    def __rich__(self) -> Text:
        return Text(self.text())


def progress(n: int) -> RunProgress:
    """The progress display of a run of `n` claims: on stderr, shown only when both stdout
    and stderr are terminals (nothing in a file, a pipe or a log)."""
    shown = is_terminal(sys.stdout) and is_terminal(sys.stderr)
    return RunProgress(Console(stderr=True), n, shown=shown)
