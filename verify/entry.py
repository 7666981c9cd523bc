"""The `flatminima` command ([project.scripts]). It imports nothing heavy itself: the CLI, and
with it click, rich, SymPy, mpmath, Hypothesis and matplotlib, is imported inside `main`, so
Ctrl-C at any moment of start-up gives the same one line and exit status as an interrupted run
(`interrupted`), not a traceback."""

from __future__ import annotations

import sys

INTERRUPTED = 130  # 128 + SIGINT, what a shell reports for a process stopped by Ctrl-C


def interrupted() -> int:
    """Report Ctrl-C as one line on stderr; the exit status to return."""
    print("flatminima: interrupted", file=sys.stderr, flush=True)
    return INTERRUPTED


def main(argv: list[str] | None = None) -> int:
    """Run the CLI (`verify.cli.main`); Ctrl-C while it is being imported, or anywhere it lets
    KeyboardInterrupt through, is `interrupted()`."""
    try:
        from verify.cli import main as cli_main

        return cli_main(argv)
    except KeyboardInterrupt:
        print(file=sys.stderr)  # as click does: the terminal's ^C ends its own line
        return interrupted()


if __name__ == "__main__":
    sys.exit(main())
