"""Verdicts as JSON: the single source for tables, reports, LaTeX evidence and test messages.

Schema: {"flatminima", "profile", "seed", "dps", "environment", "summary",
         "claims": [{"id", "statement", "source", "status", "family", "derivation",
                     "origin" (file:line of a user conjecture, else ""), "where" (file:line
                     of the check, built-in claims too), "verdict", "tier" (the
                     strongest reached), "scope" (of a symbolic tier: the sizes its
                     derivation covers), "numeric_tier" (of a verified deductive claim:
                     "exact" > "certified" > "mpmath", the lowest over its cases),
                     "numeric_tier_reason" (tiers reached per case, and why the weakest
                     case went no higher),
                     "cases" (evaluated), "shrink_steps", "digits", "seconds",
                     "counterexample", "counterexample_python",
                     "values", "message", "outcomes", "as_expected", "kind"
                     ("deductive" | "statistical"), "support"}]}
`values` are named numbers the check computed (decimal strings, as many significant digits
as the lower working precision), including each relation's residual or excess;
`counterexample_python` is Python source rebuilding the case (`EXAMPLE = ...`, for
`examples=[...]`), or a comment saying why it cannot be written, None without a case.
A statistical claim has "digits": null, "tier": null, no counterexample, values of its first
experiment, and "support": {"rule": {"effect", "supports", "threshold", "experiments",
"majority"}, "experiments", "supporting", "contradicting", "ties", "vacuous", "fraction",
"interval" (Wilson 95%), "effect": {name: {"mean", "interval" (90% bootstrap)}},
"exceptions": [{"case", "mechanism"}]}; a deductive claim has "support": null.
"""

from __future__ import annotations

import json
import platform
from importlib import metadata
from pathlib import Path

from verify.conjectures import origin
from verify.report.files import write_whole
from verify.report.serialize import NotExpressible, case_data, case_source, number_text
from verify.runner import Verdict, VerdictKind

_PACKAGES = ("flatminima", "sympy", "mpmath", "gmpy2", "python-flint", "hypothesis", "numpy")


def verdict_values(verdict: Verdict) -> dict[str, str]:
    """Named numbers of the shown case, plus every relation's residual/excess/holds."""
    ev, ctx = verdict.evidence, verdict.ctx
    if ev is None or ctx is None:
        return {}
    digits = verdict.dps[0]
    values = {name: number_text(ctx, v, digits) for name, v in ev.values.items()}
    for relation in ev.relations:
        margin = relation.margin(ctx) if relation.kind != "true" else bool(relation.lhs)
        values[f"{relation.label}: {relation.name}"] = number_text(ctx, margin, digits)
    return values


def support_record(verdict: Verdict) -> dict | None:
    """The "support" object of a statistical claim (None for a deductive one)."""
    found = verdict.support
    rule = verdict.claim.rule
    if found is None or rule is None:
        return None
    return {
        "rule": {
            "effect": rule.effect,
            "supports": rule.supports,
            "threshold": rule.threshold,
            "experiments": rule.experiments,
            "majority": rule.majority,
        },
        "experiments": found.experiments,
        "supporting": found.supporting,
        "contradicting": found.contradicting,
        "ties": found.ties,
        "vacuous": found.vacuous,
        "fraction": round(found.fraction, 4),
        "interval": [round(x, 4) for x in found.interval],
        "effect": {
            name: {"mean": mean, "interval": [low, high]}
            for name, (mean, low, high) in found.effect.items()
        },
        "exceptions": [
            {"case": case_data(case), "mechanism": why} for case, why in found.exceptions
        ],
    }


def counterexample_python(case: object | None) -> str | None:
    """`case_source(case)`, or a comment saying which value has no Python form."""
    if case is None:
        return None
    try:
        return case_source(case)
    except NotExpressible as exc:
        return f"# This counterexample cannot be written as Python: {exc}\n"


def verdict_record(verdict: Verdict) -> dict:
    """One claim's entry of the JSON schema."""
    claim = verdict.claim
    return {
        "id": claim.id,
        "statement": claim.statement,
        "source": claim.source,
        "status": claim.status.value,
        "family": claim.family.value,
        "derivation": claim.derivation,
        "origin": origin(claim),
        "where": claim.where,
        "verdict": verdict.verdict.value,
        "tier": verdict.tier.label if verdict.tier is not None else None,
        "scope": verdict.scope,
        "numeric_tier": verdict.numeric_tier.label if verdict.numeric_tier is not None else None,
        "numeric_tier_reason": verdict.numeric_reason,
        "cases": verdict.cases,
        "shrink_steps": verdict.shrink_steps,
        "digits": None if verdict.digits is None else round(verdict.digits, 1),
        "seconds": round(verdict.seconds, 3),
        "dps": list(verdict.dps),
        "counterexample": case_data(verdict.counterexample),
        "counterexample_python": counterexample_python(verdict.counterexample),
        "values": verdict_values(verdict),
        "message": verdict.message,
        "outcomes": verdict.outcomes,
        "as_expected": verdict.as_expected,
        "kind": claim.kind.value,
        "support": support_record(verdict),
    }


def environment() -> dict[str, str]:
    """Versions needed to reproduce a run."""
    versions = {"python": platform.python_version()}
    for package in _PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return versions


def summary(records: list[dict]) -> dict[str, int]:
    """How many claims (`verdict_record`s) got each verdict, and how many are not as their
    status demands."""
    counts = {kind.value: sum(r["verdict"] == kind.value for r in records) for kind in VerdictKind}
    counts["unexpected"] = sum(not r["as_expected"] for r in records)
    return counts


def results_document(verdicts: list[Verdict], profile: str, seed: int) -> dict:
    """The whole JSON document of one run."""
    return records_document([verdict_record(v) for v in verdicts], profile, seed)


def records_document(records: list[dict], profile: str, seed: int) -> dict:
    """The whole JSON document of one run from its claims' records (`verdict_record`), as
    `verify --workers N` gets them back from its workers."""
    return {
        "flatminima": environment()["flatminima"],
        "profile": profile,
        "seed": seed,
        "dps": list(records[0]["dps"]) if records else None,
        "environment": environment(),
        "summary": summary(records),
        "claims": records,
    }


def write_json(document: dict, path: Path) -> None:
    write_whole(path, json.dumps(document, indent=2, ensure_ascii=False) + "\n")


def save_counterexample(record: dict, directory: Path) -> Path:
    """Write a refuted claim's record (counterexample, values) to DIRECTORY/ID.json and the
    case as Python (`EXAMPLE = ...`) to DIRECTORY/ID.py beside it; returns the JSON path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{record['id']}.json"
    write_json(record, path)
    source = record.get("counterexample_python") or "# This verdict has no counterexample.\n"
    header = f"# {record['id']} counterexample, for `examples=[EXAMPLE]` (flatminima verify)\n"
    write_whole(path.with_suffix(".py"), header + source)
    return path
