"""Figure files: matplotlib without a display (the Agg backend) and `save` as PNG and SVG."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from verify.report.files import write_with

__all__ = ["plt", "save"]


def save(fig, directory: Path, name: str) -> list[Path]:
    """Write `fig` as directory/name.png and .svg (the folder is created; each file whole or
    not at all), then close it."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = [directory / f"{name}.{ext}" for ext in ("png", "svg")]
    for path in paths:
        write_with(
            path,
            lambda out, ext=path.suffix[1:]: fig.savefig(
                out, dpi=110, bbox_inches="tight", format=ext
            ),
        )
    plt.close(fig)
    return paths
