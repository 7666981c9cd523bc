"""The Unicode-math → HTML writer (theory/mathhtml.py) on every text the documents print
(tests/document_texts.py), and the HTML report that prints them as mathematics."""

import json
import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
from document_texts import TEXTS

from theory.mathhtml import math_html
from verify.report.pages import html_page

ROOT = Path(__file__).parents[1]
VOID = {"meta", "img", "br"}  # elements without an end tag


class _Tags(HTMLParser):
    """The tags of an HTML text: problems (an end tag that closes nothing open, an element
    left open), the tag names used, and the text outside <code>."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.open, self.problems, self.names, self.prose = [], [], set(), []
        self.feed(text)
        self.close()
        self.problems += [f"<{tag}> not closed" for tag in self.open]

    def handle_starttag(self, tag, attrs):
        self.names.add(tag)
        if tag not in VOID:
            self.open.append(tag)

    def handle_endtag(self, tag):
        if not self.open or self.open.pop() != tag:
            self.problems.append(f"</{tag}> closes nothing open")

    def handle_data(self, data):
        if "code" not in self.open:
            self.prose.append(data)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("σ1^{2−2/N}", "σ<sub>1</sub><sup>2−2/<i>N</i></sup>"),
        ("‖W_k⋯W_1‖₂", "‖<i>W</i><sub><i>k</i></sub>⋯<i>W</i><sub>1</sub>‖<sub>2</sub>"),
        ("v_{k−1}", "<i>v</i><sub><i>k</i>−1</sub>"),
        ("Σ_i 1/w_i²", "Σ<sub><i>i</i></sub> 1/<i>w</i><sub><i>i</i></sub><sup>2</sup>"),
        ("e^{±O(√ε)}", "<i>e</i><sup>±<i>O</i>(√ε)</sup>"),
        ("√(D² + 4)", "√(<i>D</i><sup>2</sup> + 4)"),
        ("ẇ = −∇L", "<i>w\u0307</i> = −∇<i>L</i>"),
        ("Δλ/λ ≤ 1e-3", "Δλ/λ ≤ 10<sup>−3</sup>"),
        ("λ_max = ‖W_1‖_2²", "λ<sub>max</sub> = ‖<i>W</i><sub>1</sub>‖<sub>2</sub><sup>2</sup>"),
        ("E #{w ∈ {±1}^N}", "<i>E</i> #{<i>w</i> ∈ {±1}<sup><i>N</i></sup>}"),
    ],
)
def test_mathematics_is_written_with_scripts(text, shown):
    assert math_html(text) == f'<span class="math">{shown}</span>'


def test_prose_and_code_stay_text():
    assert math_html("excess: lambda_max ≤ 2/η") == (
        'excess: <code>lambda_max</code> <span class="math">≤ 2/η</span>'
    )
    assert math_html("ρ̄ > 0.1 (Krauth & Mézard)") == (
        '<span class="math">ρ\u0304 &gt; 0.1</span> (Krauth &amp; Mézard)'
    )
    assert math_html("M of H1 with Σx = I") == (
        '<span class="math"><i>M</i></span> of H1 with '
        '<span class="math">Σ<sub><i>x</i></sub> = <i>I</i></span>'
    )


def test_no_markup_is_left_in_any_text():
    """Every statement, message, tier, value name of the documents: tags balance, only the
    writer's tags, and no _ or ^ outside <code> (σ1^{2−2/N}, v_{k−1}, λ_max are scripts)."""
    problems = []
    for text in TEXTS:
        tags = _Tags(math_html(text))
        outside = "".join(tags.prose)
        if tags.problems or not tags.names <= {"span", "sub", "sup", "i", "code"}:
            problems.append((text, tags.problems, tags.names))
        if re.search(r"[_^]", outside):
            problems.append((text, outside))
    assert problems == []


def test_the_html_report_prints_mathematics():
    document = json.loads((ROOT / "docs" / "results" / "quick.json").read_text())
    page = html_page(document, [], date(2025, 1, 1))
    assert _Tags(page).problems == []
    f1 = page[page.index('<h3 id="F1">') : page.index('<h3 id="F2">')]
    assert "= <i>N</i> σ<sub>1</sub><sup>2−2/<i>N</i></sup></span>, attained" in f1  # statement
    assert "<pre>numeric tier: certified" in f1 and "case 8: <span class" in f1  # reason
    assert 'spectrum: <span class="math"><i>N</i> = 2…3</span>) + exact</td>' in page  # tier
    assert "σ1^" not in page and "_{" not in page and "^{" not in page
