"""Every text the documents print, for the converters' tests (tests/test_mathtext.py,
tests/test_mathhtml.py): each claim's statement (catalogue and example conjectures), each
derivation's title, statement, scope and step justifications, and each record's message, tier,
value names, effects and exceptions in docs/results/quick.json."""

import json
from pathlib import Path

import theory
from verify import conjectures
from verify.catalogue import catalogue
from verify.report.serialize import tier_text

ROOT = Path(__file__).parents[1]


def document_texts() -> list[str]:
    texts = [claim.statement for claim in catalogue().values()]
    loaded = conjectures.load([ROOT / "examples" / "conjectures"], taken=set(catalogue()))
    texts += [claim.statement for claim in loaded.claims]
    for d in theory.derivations():
        texts += [d.title, d.statement, d.scope, *d.covers, *(step.why for step in d.steps)]
    for record in json.loads((ROOT / "docs/results/quick.json").read_text())["claims"]:
        texts += [record["message"], tier_text(record), *record["values"]]
        found = record["support"] or {"effect": {}, "exceptions": []}
        texts += [*found["effect"], *(x["mechanism"] for x in found["exceptions"])]
    return sorted({t for t in texts if t})


TEXTS = document_texts()
