"""The HTML report of docs/results/quick.json in a real browser (headless Chromium, a Debian
package in CI): nothing is wider than the page, every figure has its caption and is shown as
wide as the page allows. Skipped only when no Chromium is installed."""

import html
import json
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from verify.report.captions import figure_captions
from verify.report.pages import html_page

ROOT = Path(__file__).parents[1]
BROWSERS = ("chromium", "chromium-browser", "google-chrome")
CHROMIUM = next(filter(None, map(shutil.which, BROWSERS)), None)

# Run once the page and its images have loaded: the page's width, what sticks out of it, and
# each figure's caption and widths, written into the page for --dump-dom to return.
MEASURE = """<script>
addEventListener("load", () => {
  const page = document.documentElement.clientWidth;
  const wide = [...document.body.querySelectorAll("*")]
    .filter((e) => e.getBoundingClientRect().right > page + 0.5)
    .map((e) => (e.closest("table") ? "in a table: " : "") + e.tagName + ": "
      + e.textContent.slice(0, 60));
  const figures = [...document.querySelectorAll("figure")].map((f) => ({
    caption: f.querySelector("figcaption")?.textContent ?? "",
    natural: f.querySelector("img").naturalWidth,
    shown: f.querySelector("img").getBoundingClientRect().width,
    room: f.clientWidth,
  }));
  const out = document.createElement("pre");
  out.id = "measured";
  out.textContent = JSON.stringify({
    page, scroll: document.documentElement.scrollWidth, wide, figures,
  });
  document.body.append(out);
});
</script>"""


def _measured(page: Path, width: int, profile: Path) -> dict:
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",  # CI runs as root
        "--disable-gpu",
        f"--user-data-dir={profile}",
        f"--window-size={width},800",
        "--virtual-time-budget=10000",
        "--dump-dom",
        page.as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    found = re.search(r'<pre id="measured">(.*?)</pre>', done.stdout, re.S)
    assert found, f"no measurement from {CHROMIUM} (exit {done.returncode}): {done.stderr[-500:]}"
    return json.loads(html.unescape(found[1]))


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> tuple[Path, list[Path]]:
    """The quick run's report page with the committed figures, the measuring script added."""
    if CHROMIUM is None:
        pytest.skip(f"no Chromium on PATH (any of {', '.join(BROWSERS)}); CI installs it")
    document = json.loads((ROOT / "docs" / "results" / "quick.json").read_text(encoding="utf-8"))
    figures = sorted((ROOT / "docs" / "claims" / "img").glob("*.png"))
    text = html_page(document, figures, date(2025, 1, 1)).replace("</body>", MEASURE + "</body>")
    path = tmp_path_factory.mktemp("html") / "report.html"
    path.write_text(text, encoding="utf-8")
    return path, figures


@pytest.fixture(scope="module")
def wide_window(report, tmp_path_factory) -> dict:
    """The measurements of the page in a 1024-pixel window."""
    return _measured(report[0], 1024, tmp_path_factory.mktemp("profile"))


def test_nothing_in_the_html_report_is_wider_than_the_page(wide_window):
    assert 1000 <= wide_window["page"] <= 1024  # the window, less a scrollbar
    assert wide_window["scroll"] <= wide_window["page"] and wide_window["wide"] == []


def test_on_a_narrow_screen_only_the_tables_scroll(report, tmp_path):
    """At 540 pixels the verdict table is wider than the page: it scrolls in its own box, the
    page does not. What sticks out is the table or inside it (a cell, its mathematics)."""
    found = _measured(report[0], 540, tmp_path)
    assert found["scroll"] <= found["page"] <= 540
    assert any(e.startswith("in a table: TABLE:") for e in found["wide"])
    assert all(e.startswith("in a table: ") for e in found["wide"]), found["wide"]


def test_every_figure_of_the_html_report_is_captioned_and_page_wide(report, wide_window):
    captions = figure_captions()
    shown = sorted(f["caption"] for f in wide_window["figures"])
    assert shown == sorted(captions[f.stem] for f in report[1])
    for figure in wide_window["figures"]:
        assert figure["natural"] > 0, "an image did not load"
        assert abs(figure["shown"] - min(figure["natural"], figure["room"])) <= 1, figure


def test_in_ci_a_missing_browser_or_latex_fails_instead_of_skipping(pytester, monkeypatch):
    """CI installs LaTeX and Chromium (.ci/run): there a skip for want of them is a failure."""
    pytester.makeconftest((ROOT / "tests" / "conftest.py").read_text(encoding="utf-8"))
    pytester.makepyfile(
        "import pytest\n"
        "def test_browser():\n    pytest.skip('no Chromium on PATH (chromium); CI installs it')\n"
        "def test_other():\n    pytest.skip('not today')\n"
    )
    monkeypatch.setenv("CI", "true")
    pytester.runpytest_inprocess().assert_outcomes(failed=1, skipped=1)
    monkeypatch.setenv("CI", "false")
    pytester.runpytest_inprocess().assert_outcomes(skipped=2)
