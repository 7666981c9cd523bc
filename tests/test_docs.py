"""README.md and docs/ carry the catalogue's text from one source (`make docs`, verify/docs.py)."""

from pathlib import Path

import pytest

from verify import docs
from verify.catalogue import catalogue

ROOT = Path(__file__).parents[1]


@pytest.mark.parametrize("path", list(docs.generated(ROOT)), ids=lambda p: p.name)
def test_generated_blocks_are_current(path):
    assert path.read_text(encoding="utf-8") == docs.generated(ROOT)[path], (
        f"{path.relative_to(ROOT)} drifted from the catalogue: run `make docs`"
    )


def test_the_quick_results_are_of_this_catalogue():
    """docs/results/quick.json (the README's verdicts) was made by the catalogue as it is:
    same claims, order, statements, statuses and families (`make docs-results` reruns it)."""
    records = docs.load_results(ROOT)["claims"]
    shown = [(r["id"], r["statement"], r["status"], r["family"]) for r in records]
    now = [(c.id, c.statement, c.status.value, c.family.value) for c in catalogue().values()]
    assert shown == now, "docs/results/quick.json is stale: run `make docs-results`"
    assert docs.load_results(ROOT)["profile"] == "quick"


def test_a_page_without_its_markers_is_an_error():
    with pytest.raises(docs.DocsError, match="no block 'claims'"):
        docs.replace_block("# a page\n", "claims", "| table |")


def test_blocks_are_replaced_whole():
    begin, end = docs._markers("claims")
    page = f"# t\n{begin}\nold\nlines\n{end}\nafter\n"
    assert docs.replace_block(page, "claims", "new") == f"# t\n{begin}\nnew\n{end}\nafter\n"
