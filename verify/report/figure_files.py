"""Figure files: matplotlib without a display (the Agg backend), `save` as PNG and SVG, and
the text of verify/report/captions.py put on a figure (`titled`, `label`) with its legends
outside the data (`legend_right`, `legend_below`)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from verify.report.captions import FigureText, Panel, figure_text, fill
from verify.report.files import write_with

__all__ = ["label", "legend_below", "legend_right", "plt", "save", "titled"]

LEGEND_SIZE = 8


def titled(fig, name: str, **fields: object) -> FigureText:
    """Give `fig` the title of the figure `name` (its fields filled); return its text."""
    text = figure_text(name)
    fig.suptitle(fill(text.title, **fields))
    return text


def label(ax, panel: Panel, **fields: object) -> None:
    """Put a panel's title and axis labels (fields filled) on `ax`."""
    ax.set_title(fill(panel.title, **fields), fontsize=10)
    ax.set_xlabel(fill(panel.xlabel, **fields))
    ax.set_ylabel(fill(panel.ylabel, **fields))


def legend_right(ax) -> None:
    """The axes' legend beside it, right of the data (a constrained layout makes room)."""
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1), borderaxespad=0, fontsize=LEGEND_SIZE)


def legend_below(fig, ncols: int) -> None:
    """One legend of every labelled entry of the figure's axes (each label once), under the
    panels (the figure needs layout="constrained")."""
    entries: dict[str, object] = {}
    for ax in fig.axes:
        for handle, text in zip(*ax.get_legend_handles_labels(), strict=True):
            entries.setdefault(text, handle)
    fig.legend(
        list(entries.values()),
        list(entries),
        loc="outside lower center",
        ncols=ncols,
        fontsize=LEGEND_SIZE,
    )


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
