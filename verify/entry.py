"""The `flatminima` command ([project.scripts]). It imports nothing heavy itself: the CLI, and
with it click, rich, SymPy, mpmath and Hypothesis, is imported inside `main` once Ctrl-C is
handled, so Ctrl-C at any moment of start-up gives the same one line and exit status as an
interrupted run (`interrupted`), not a traceback."""

from __future__ import annotations

import contextlib
import signal
import sys
from collections.abc import Iterator

INTERRUPTED = 130  # 128 + SIGINT, what a shell reports for a process stopped by Ctrl-C


class Interrupts:
    """Ctrl-C, recorded: the SIGINT handler notes it before raising KeyboardInterrupt, so an
    interrupt that lands in code which swallows exceptions (a library's bare `except:` while
    it is imported; a gc callback, where Python would print "Exception ignored" and a
    traceback, a report dropped here) still stops the command at the next `check()`.
    Re-entrant: only the outermost `with` installs (and later restores) the handler."""

    def __init__(self) -> None:
        self.seen = False
        self.holding = False  # inside `deferred()`: Ctrl-C is only noted
        self.depth = 0
        self.previous = None
        self.previous_hook = sys.unraisablehook

    def _handler(self, signum: int, frame: object) -> None:
        self.seen = True
        if not self.holding:
            raise KeyboardInterrupt

    def _unraisable(self, unraisable: object) -> None:  # sys.UnraisableHookArgs
        if not issubclass(unraisable.exc_type, KeyboardInterrupt):
            self.previous_hook(unraisable)

    def check(self) -> None:
        """Raise KeyboardInterrupt if Ctrl-C was pressed, even if something swallowed it."""
        if self.seen:
            raise KeyboardInterrupt

    @contextlib.contextmanager
    def deferred(self) -> Iterator[None]:
        """Inside a `with` of this object: Ctrl-C is only noted, for the next `check()`, so
        that work which must not be cut in the middle is not (starting a Dask cluster, which
        a KeyboardInterrupt leaves half made, for Dask's exit hook to trip over)."""
        self.holding = True
        try:
            yield
        finally:
            self.holding = False

    def __enter__(self) -> Interrupts:
        if self.depth == 0:
            try:
                self.previous = signal.signal(signal.SIGINT, self._handler)
            except ValueError:  # not the main thread: leave the default handling alone
                self.previous = None
            else:
                self.seen = False
                self.previous_hook, sys.unraisablehook = sys.unraisablehook, self._unraisable
        self.depth += 1
        return self

    def __exit__(self, *exc: object) -> None:
        self.depth -= 1
        if self.depth == 0 and self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)
            sys.unraisablehook = self.previous_hook
            self.previous = None


INTERRUPTS = Interrupts()


def interrupted() -> int:
    """Report Ctrl-C as one line on stderr; the exit status to return."""
    print("flatminima: interrupted", file=sys.stderr, flush=True)
    return INTERRUPTED


def main(argv: list[str] | None = None) -> int:
    """Run the CLI (`verify.cli.main`); Ctrl-C while it is being imported (even if a library
    swallowed it), or anywhere it lets KeyboardInterrupt through, is `interrupted()`."""
    try:
        with INTERRUPTS:
            from verify.cli import main as cli_main

            INTERRUPTS.check()
            return cli_main(argv)
    except KeyboardInterrupt:
        print(file=sys.stderr)  # as click does: the terminal's ^C ends its own line
        return interrupted()


if __name__ == "__main__":
    sys.exit(main())
