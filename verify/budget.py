"""A wall-clock budget per case evaluation, so that no check can hang a run.

`case_budget(seconds, dps)` arms a real-time timer (SIGALRM via `signal.setitimer`) around one
evaluation at `dps` digits; when it fires, the check is interrupted by `BudgetExceeded`
("case exceeded its budget of 300 s at 50 digits"), which the runner reports as an `error`
outcome with that reason instead of waiting. The previous SIGALRM handler and any outer timer
are restored. Off the main thread (a Dask worker runs its tasks in a thread pool), where no
signal is delivered, a timer thread raises BudgetExceeded in the evaluating thread instead
(`PyThreadState_SetAsyncExc`: at its next Python instruction, so a single long call into C
finishes first); so too where `setitimer` is missing.
"""

from __future__ import annotations

import ctypes
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


def _by_signal() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


def _exceeded(seconds: float, dps: int) -> BudgetExceeded:
    return BudgetExceeded(
        f"case exceeded its budget of {seconds:g} s at {dps} digits "
        "(flatminima verify --case-budget SECONDS changes it)"
    )


@contextmanager
def case_budget(seconds: float | None, dps: int) -> Iterator[None]:
    """Raise BudgetExceeded in the body after `seconds` of wall time (None or 0: no budget)."""
    if not seconds:
        yield
        return
    if not _by_signal():
        with _thread_budget(seconds, dps):
            yield
        return

    def stop(_signum, _frame):
        raise _exceeded(seconds, dps)

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


def _raise_in(thread_id: int, exc: type[BaseException]) -> None:
    """Have `thread_id` raise `exc` at its next Python instruction. (Never called to cancel:
    clearing with NULL would leave CPython's eval-breaker flag set, slowing every thread.)"""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), ctypes.py_object(exc))


class _ThreadBudgetExceeded(BudgetExceeded):
    """What the timer thread raises (a class: an asynchronous exception has no arguments);
    `_thread_budget` turns it into BudgetExceeded with the reason."""


ABSORB_SECONDS = 0.1  # how long a body that has ended waits for a raise already on its way


@contextmanager
def _thread_budget(seconds: float, dps: int) -> Iterator[None]:
    """The budget off the main thread: a timer thread raises in this one when time is up,
    only while the body runs (the lock); a raise that was on its way as the body ended is
    caught here, never in the caller."""
    lock, target = threading.Lock(), threading.get_ident()
    state = {"active": True, "fired": False, "caught": False}

    def stop() -> None:
        with lock:
            if state["active"]:
                state["fired"] = True
                _raise_in(target, _ThreadBudgetExceeded)

    timer = threading.Timer(seconds, stop)
    timer.daemon = True
    try:
        timer.start()
        yield
    except _ThreadBudgetExceeded:
        state["caught"] = True
        raise _exceeded(seconds, dps) from None
    finally:
        try:
            with lock:
                state["active"] = False
            if state["fired"] and not state["caught"]:  # delivered at the next instruction
                deadline = time.monotonic() + ABSORB_SECONDS
                while time.monotonic() < deadline:
                    time.sleep(0.001)
        except _ThreadBudgetExceeded:
            pass
        timer.cancel()
