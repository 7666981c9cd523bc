"""A wall-clock budget per case evaluation, so that no check can hang a run.

`case_budget(seconds, dps)` arms a real-time timer (SIGALRM via `signal.setitimer`) around one
evaluation at `dps` digits; when it fires, the check is interrupted by `BudgetExceeded`
("case exceeded its budget of 300 s at 50 digits"), which the runner reports as an `error`
outcome with that reason instead of waiting. The previous SIGALRM handler and any outer timer
are restored. Off the main thread (where signals cannot be delivered) and on platforms without
`setitimer` the budget is not enforced.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

# Seconds per case and precision. The slowest cases of the catalogue take ~12 s at 50 and 80
# digits together (F3, P2, P5 in docs/results/quick.json), so this is ~25× the slowest.
DEFAULT_CASE_BUDGET = 300.0


class BudgetExceeded(BaseException):
    """A case evaluation ran past its time budget and was stopped. Not an `Exception`, so a
    check's own `except Exception` (or a conjecture's error wrapper) cannot swallow it."""


def _enforceable() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def case_budget(seconds: float | None, dps: int) -> Iterator[None]:
    """Raise BudgetExceeded in the body after `seconds` of wall time (None or 0: no budget)."""
    if not seconds or not _enforceable():
        yield
        return

    def stop(_signum, _frame):
        raise BudgetExceeded(
            f"case exceeded its budget of {seconds:g} s at {dps} digits "
            "(flatminima verify --case-budget SECONDS changes it)"
        )

    start = time.monotonic()
    previous = signal.signal(signal.SIGALRM, stop)
    outer, _ = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer:  # an enclosing timer keeps what is left of its time (at least 1 ms)
            left = outer - (time.monotonic() - start)
            signal.setitimer(signal.ITIMER_REAL, max(left, 0.001))
