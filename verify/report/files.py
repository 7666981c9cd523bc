"""Files written whole or not at all: text goes to a temporary file beside the target, which
then replaces it in one rename (`os.replace`), so an error or Ctrl-C leaves the old file or
none, never half of one."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_whole(path: Path, text: str) -> None:
    """Write `text` (UTF-8) to `path` atomically: a temporary file in the same folder, renamed
    over `path` once complete; the temporary file is removed if anything fails."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
