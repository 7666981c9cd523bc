"""Files written whole or not at all: text goes to a temporary file beside the target, which
then replaces it in one rename (`os.replace`), so an error or Ctrl-C leaves the old file or
none, never half of one."""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path


def write_whole(path: Path, text: str) -> None:
    """Write `text` (UTF-8) to `path` atomically: a temporary file in the same folder, renamed
    over `path` once complete; the temporary file is removed if anything fails."""
    write_with(path, lambda out: out.write_text(text, encoding="utf-8"))


def _mode(path: Path) -> int:
    """The replaced file's permissions, or those of a new file: 0666 less the umask."""
    if path.exists():
        return stat.S_IMODE(path.stat().st_mode)
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_with(path: Path, write: Callable[[Path], object]) -> None:
    """Let `write(temporary)` fill a temporary file beside `path` (e.g. matplotlib's savefig),
    then rename it over `path`; the temporary file is removed if anything fails. A symbolic
    link is followed (its target is replaced), and a path that exists but is no regular file
    (a device such as /dev/full or /dev/stdout, a pipe) is written in place, never replaced."""
    path = Path(os.path.realpath(path))
    if path.exists() and not path.is_file():
        write(path)
        return
    handle, temporary = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.stem}.", suffix=f".tmp{path.suffix}"
    )
    os.close(handle)
    try:
        os.chmod(temporary, _mode(path))  # mkstemp's 0600 would hide results from others
        write(Path(temporary))
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
