"""The claim families' figures: verify/report/ draws only what verify/figures.py computes with
the numeric packages; file names carry the family; every image the docs show exists."""

import re
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from verify.claim import Family
from verify.dynamics.trajectories import Schedule, Trajectory
from verify.figures import FIGURES, family_figures
from verify.linear.found import FoundMinimum
from verify.nonlinear.practice import Minimum, Outcome, PracticeExperiment
from verify.perceptron.scaling import Extrapolation
from verify.perceptron.survey import CountsByLoad, Crossovers, LocalEntropyByClass, SizeCurve
from verify.report.captions import FIGURE_TEXT, figure_captions, fill

ROOT = Path(__file__).parents[1]
IMAGES = ROOT / "docs" / "claims" / "img"


def test_the_command_line_starts_without_matplotlib():
    code = "import sys, verify.cli; assert 'matplotlib' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def _shown(page: Path) -> list[str]:
    return re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", page.read_text(encoding="utf-8"))


def test_each_family_with_figures_has_a_page_that_shows_them():
    assert FIGURES and all(isinstance(family, Family) for family in FIGURES)
    for family in FIGURES:
        page = ROOT / family.docs
        assert page.exists(), f"{family.value}: no {family.docs}"
        assert any(Path(ref).name.startswith(f"{family.value}_") for ref in _shown(page))


def test_every_image_the_docs_show_exists():
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    for page in pages:
        for ref in _shown(page):
            if not ref.startswith(("http://", "https://")):
                image = (page.parent / ref).resolve()
                assert image.parent == IMAGES and image.exists(), f"{page.name}: {ref}"


def test_families_without_figures_draw_nothing(tmp_path):
    assert family_figures(["scalar", Family.USER, "a family of a newer version"], tmp_path) == []
    assert not list(tmp_path.iterdir())


def _linear(directory: Path) -> list[Path]:
    from verify.report.linear_plots import plot_linear

    found = [
        FoundMinimum(0.1, "small", 4.0, (1.0, 1.0, 1.0, 1.0)),
        FoundMinimum(0.2, "large", 6.0, (1.0, 1.5, 0.8, 1.0)),
    ]
    return plot_linear(directory, found, 3.8)


def _dynamics(directory: Path) -> list[Path]:
    from verify.report.dynamics_plots import plot_dynamics

    path = [(0.25, 1.5), (0.5, 1.4), (0.8, 1.2), (0.9, 1.1), (1.0, 1.0)]
    runs = [
        Trajectory("GD", [1.0, 0.5, 0.1, 0.01, 0.0], [2.2, 1.7, 0.8, 0.4, 0.0], path),
        Trajectory(
            "SGD", [1.0, 0.6, 0.3, 0.3, 0.2], [2.2, 1.7, 0.9, 0.5, 0.1], path, None, 0.2, True
        ),
    ]
    return plot_dynamics(directory, Schedule(steps=4), runs)


def _perceptron(directory: Path) -> list[Path]:
    from verify.report.perceptron_plots import plot_perceptron

    ds, loads = np.arange(1, 4), np.array([0.25, 0.5, 0.75, 1.0])
    fractions = tuple(np.array([0.5, 0.3, 0.2]) * (c + 1) / 4 for c in range(4))
    margins = tuple(np.array([0.1, 0.05, np.nan]) for _ in range(4))
    entropy = LocalEntropyByClass(6, 3, ds, fractions, margins, 2.0**-3)
    means = np.array([8.0, 4.0, 1.0, 0.2])
    counts = CountsByLoad(4, 3, loads, means, means - 1, means + 1, means, 2.0 ** (4 - loads * 4))
    grid = np.linspace(0, 1, 5)
    curve = SizeCurve(6, loads, np.array([1.0, 0.8, 0.3, 0.0]), loads * 0, loads * 0 + 1, 1 - grid)
    fit = Extrapolation(
        Fraction(1, 3), [6, 9, 12], [0.6, 0.65, 0.7], [0.01] * 3, 0.8, 0.02, -1.2, 1.0
    )
    crossovers = Crossovers(Fraction(1, 3), grid, (curve,), (fit,), (0.77, 0.78))
    return plot_perceptron(directory, entropy, counts, crossovers)


def _nonlinear(directory: Path) -> list[Path]:
    from verify.report.nonlinear_plots import plot_nonlinear

    exp = PracticeExperiment((3, 2, 1), (3, 4, 1), 4, 0, (0, 1), (0.1,))
    minima = tuple(
        Minimum(setting, 0, 0.1, (), sharpness, (0.9, 0.1, 0.1), (0.3, 0.5), 0.1)
        for setting, sharpness in (("gd", 2.0), ("sgd", 1.5), ("sharp", 8.0))
    )
    return plot_nonlinear(directory, [(exp, Outcome(minima, ()))])


DRAWN = {
    Family.LINEAR: _linear,
    Family.DYNAMICS: _dynamics,
    Family.PERCEPTRON: _perceptron,
    Family.NONLINEAR: _nonlinear,
}


@pytest.fixture(scope="module")
def plotted(tmp_path_factory) -> tuple[dict[Family, list[Path]], dict[str, object]]:
    """Each family's files drawn from given data, and every figure by file stem, kept open
    (`plt.close` is suspended) to be read."""
    from verify.report.figure_files import plt

    closed, written = [], {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(plt, "close", closed.append)
        for family, draw in DRAWN.items():
            written[family] = draw(tmp_path_factory.mktemp(family.value))
    stems = [p.stem for paths in written.values() for p in paths if p.suffix == ".png"]
    assert len(closed) == len(stems)
    return written, dict(zip(stems, closed, strict=True))


@pytest.fixture(scope="module")
def drawn(plotted) -> dict[str, object]:
    return plotted[1]


@pytest.mark.parametrize("family", list(FIGURES), ids=lambda f: f.value)
def test_each_plotter_draws_given_data_with_the_family_prefix(family, plotted):
    written = plotted[0][family]
    stems = {p.stem for p in written}
    assert {p.name for p in written} == {f"{s}.{e}" for s in stems for e in ("png", "svg")}
    assert all(s.startswith(f"{family.value}_") for s in stems)
    assert all(p.stat().st_size > 1000 for p in written)
    assert {f"{s}.png" for s in stems} <= {p.name for p in IMAGES.iterdir()}  # as committed


def _outside_math(text: str) -> str:
    return "".join(text.split("$")[::2])


def _texts(fig) -> list[str]:
    """Every title, axis label and legend entry of a figure."""
    texts = [fig.get_suptitle()]
    for ax in fig.axes:
        texts += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
    legends = [ax.get_legend() for ax in fig.axes] + fig.legends
    return texts + [t.get_text() for legend in legends if legend for t in legend.get_texts()]


def test_every_figure_drawn_has_its_declared_text(drawn):
    assert set(drawn) == set(FIGURE_TEXT) == set(figure_captions())
    for name, fig in drawn.items():
        assert fig.get_suptitle().strip(), f"{name}: no title"
        assert len(figure_captions()[name]) > 80, f"{name}: caption too short"


@pytest.mark.parametrize("name", sorted(FIGURE_TEXT))
def test_every_panel_has_both_axis_labels_or_shares_the_axis_with_one(drawn, name):
    for ax in drawn[name].axes:
        for axis, shared in (("x", ax.get_shared_x_axes()), ("y", ax.get_shared_y_axes())):
            labels = [getattr(a, f"get_{axis}label")() for a in shared.get_siblings(ax)]
            assert any(s.strip() for s in labels), f"{name}: a panel without a {axis} label"


@pytest.mark.parametrize("name", sorted(FIGURE_TEXT))
def test_math_is_mathtext_and_every_field_is_filled(drawn, name):
    """No plain σ1^(2−2/N) or W_k: exponents and subscripts only between $…$; no `{field}`
    left unfilled (math is parsed when the figure is saved: a bad formula fails there)."""
    for text in _texts(drawn[name]):
        plain = _outside_math(text)
        assert "^" not in plain and "_" not in plain, f"{name}: {text!r}"
        assert not re.search(r"\{\w+\}", plain), f"{name}: {text!r}"
        assert text.count("$") % 2 == 0, f"{name}: {text!r}"


@pytest.mark.parametrize("name", sorted(FIGURE_TEXT))
def test_legends_sit_outside_every_panel(drawn, name):
    fig = drawn[name]
    renderer = fig.canvas.get_renderer()
    fig.draw(renderer)
    legends = [ax.get_legend() for ax in fig.axes if ax.get_legend()] + fig.legends
    assert legends, f"{name}: no legend"
    for legend in legends:
        box = legend.get_window_extent(renderer)
        for ax in fig.axes:
            assert not box.overlaps(ax.get_window_extent(renderer)), f"{name}: legend over data"


def test_fill_leaves_math_alone_and_names_a_missing_field():
    assert fill(r"depth {depth}, $\sigma_1^{2-2/N}$ and $\mathrm{{x}}$", depth=3) == (
        r"depth 3, $\sigma_1^{2-2/N}$ and $\mathrm{{x}}$"
    )
    with pytest.raises(KeyError, match="depth"):
        fill("depth {depth}")
