"""The README's conjecture example runs as written and is decided."""

import re
from pathlib import Path

from verify import VerdictKind, run_claim

README = Path(__file__).parents[1] / "README.md"


def test_readme_conjecture_example_is_verified():
    (block,) = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
    namespace: dict = {}
    exec(block, namespace)
    verdict = run_claim(namespace["flat_enough"].claim)
    assert verdict.verdict is VerdictKind.VERIFIED
    assert verdict.digits > 40
