import re

import pytest

pytest_plugins = ["pytester"]

OVERFULL_POINTS = 5.0  # an overfull box up to this wide is invisible; wider ones are reported


def latex_layout_problems(log: str) -> list[str]:
    """What a LaTeX log says is wrong with the pages: every overfull box wider than
    OVERFULL_POINTS and every missing character (a glyph the font lacks)."""
    overfull = [
        line
        for line, points in re.findall(
            r"^(Overfull \\[hv]box \((\d+\.?\d*)pt too \w+\).*)$", log, re.M
        )
        if float(points) > OVERFULL_POINTS
    ]
    return overfull + re.findall(r"^Missing character.*$", log, re.M)


@pytest.fixture
def layout_problems():
    """`latex_layout_problems`, for tests that compile a document."""
    return latex_layout_problems
