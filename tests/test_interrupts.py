"""Ctrl-C handling (verify/entry.py): recorded even where it is swallowed, silent where Python
would only report it, and one line with exit status 130 from the first line of the command.
The real thing, SIGINT sent to `flatminima` at several moments, is in tests/test_bad_input.py."""

from __future__ import annotations

import contextlib
import signal
import sys
import types

import pytest

from verify import entry
from verify.entry import Interrupts


def _ctrl_c(interrupts: Interrupts) -> None:
    """As if Ctrl-C landed here: what the installed SIGINT handler does."""
    interrupts._handler(signal.SIGINT, None)


def _swallowed_ctrl_c(interrupts: Interrupts = entry.INTERRUPTS) -> None:
    """Ctrl-C landing in a library's bare `except:` (as while it is imported)."""
    with contextlib.suppress(KeyboardInterrupt):
        _ctrl_c(interrupts)


def test_ctrl_c_where_python_only_reports_it_is_silent_and_still_stops(monkeypatch):
    reported = []
    monkeypatch.setattr(sys, "unraisablehook", reported.append)
    before = signal.getsignal(signal.SIGINT)
    interrupts = Interrupts()

    class CtrlC:
        def __del__(self) -> None:  # like a gc callback: its exception is unraisable
            _ctrl_c(interrupts)

    class Broken:
        def __del__(self) -> None:
            raise ValueError("not an interrupt")

    with interrupts:
        assert signal.getsignal(signal.SIGINT) == interrupts._handler
        CtrlC()
        Broken()
        assert [r.exc_type for r in reported] == [ValueError]  # only the interrupt is dropped
        with pytest.raises(KeyboardInterrupt):
            interrupts.check()
    assert sys.unraisablehook == reported.append
    assert signal.getsignal(signal.SIGINT) == before


def test_a_swallowed_ctrl_c_reaches_the_inner_with():
    interrupts = Interrupts()
    with interrupts:
        _swallowed_ctrl_c(interrupts)
        with interrupts:  # the verify command's own: keeps the record, same handler
            assert signal.getsignal(signal.SIGINT) == interrupts._handler
            with pytest.raises(KeyboardInterrupt):
                interrupts.check()
        assert signal.getsignal(signal.SIGINT) == interrupts._handler
    with interrupts:  # a new command starts afresh
        interrupts.check()


def test_a_deferred_ctrl_c_waits_for_the_next_check():
    """Inside `deferred()` (while a Dask cluster starts) Ctrl-C does not raise; the next
    `check()` does, and after the block Ctrl-C raises at once again."""
    interrupts = Interrupts()
    with interrupts:
        with interrupts.deferred():
            _ctrl_c(interrupts)
            finished = True
        assert finished
        with pytest.raises(KeyboardInterrupt):
            interrupts.check()
        with pytest.raises(KeyboardInterrupt):
            _ctrl_c(interrupts)


class _Importing(types.ModuleType):
    """A stand-in for verify.cli whose import (`from verify.cli import main`) runs `during`."""

    def __init__(self, during) -> None:
        super().__init__("verify.cli")
        self.during = during

    def __getattr__(self, name: str):
        self.during()
        return lambda argv: 0


def _raise() -> None:
    raise KeyboardInterrupt


@pytest.mark.parametrize("during", [_swallowed_ctrl_c, _raise], ids=["swallowed", "raised"])
def test_ctrl_c_while_the_cli_is_imported_is_one_line_and_130(monkeypatch, capsys, during):
    monkeypatch.setitem(sys.modules, "verify.cli", _Importing(during))
    assert entry.main([]) == 130
    out, err = capsys.readouterr()
    assert (out, err.strip()) == ("", "flatminima: interrupted")
