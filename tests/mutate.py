"""`make mutate`: mutation testing (mutmut) of the code that decides verdicts.

    python tests/mutate.py run      # mutmut over the sample (cached: only unchecked mutants)
    python tests/mutate.py run all  # every mutant (hours: see docs/reliability.md)
    python tests/mutate.py report   # kill rate per package → docs/reliability.md

The packages mutated, the tests run per mutant and the timeouts are `[tool.mutmut]` in
pyproject.toml. mutmut runs, for each mutant, only the tests that reach the mutated function
(fastest first, stopping at the first failure), so a mutant of `verify/scalar.py` is checked by
tests/test_scalar.py and the scalar claims, not by the whole suite.

One operator is narrowed: a string literal is mutated only when it is an identifier-like token
(`"true"`, `"F"`, `"lambda_max"`: a relation kind, a norm, a key), never when it is prose (a
message, a statement, a LaTeX line), which can change the wording of a verdict but not the
verdict. Everything else is mutmut's full operator set.

The tests per mutant: of the tests that reach the mutated function, the fastest ones whose
recorded durations add up to TEST_BUDGET seconds (at least one), so that a mutant the fast
tests miss costs seconds, not the whole catalogue; a mutant they all pass is a survivor even if
a slower test would have caught it (the rates below are lower bounds).

The sample: a mutant is in it when the first 8 hex digits of sha256(name) / 16⁸ < SAMPLE, a
fixed fraction that does not move when other code changes; each package's kill rate is then a
binomial estimate, shown with its Wilson 95% interval.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RELIABILITY = ROOT / "docs" / "reliability.md"
SURVIVORS = ROOT / "tests" / "mutation_survivors.json"
BEGIN, END = "<!-- mutation: begin -->", "<!-- mutation: end -->"
TOKEN = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")
SAMPLE = 0.1
TEST_BUDGET = 15.0  # seconds of recorded test time per mutant
KILLED = {"killed", "timeout", "caught by type check", "segfault"}


def _identifier_strings_only() -> None:
    """Narrow mutmut's string operator to identifier-like literals (see the module doc)."""
    import libcst as cst
    from mutmut.mutation import mutators

    def operator_token_string(node: cst.BaseString):
        if isinstance(node, cst.SimpleString) and TOKEN.fullmatch(node.evaluated_value or ""):
            yield from mutators.operator_string(node)

    table = mutators.mutation_operators
    table[:] = [
        (kind, operator_token_string if op is mutators.operator_string else op)
        for kind, op in table
    ]


def in_sample(mutant: str) -> bool:
    """sha256(name) read as a fraction of 16⁸ is below SAMPLE."""
    return int(hashlib.sha256(mutant.encode()).hexdigest()[:8], 16) < SAMPLE * 16**8


def _generate() -> None:
    """mutmut's own first step (copy the sources into mutants/, write every mutant)."""
    import mutmut.__main__ as mutmut_cli
    from mutmut.mutation.trampoline import set_mutant_under_test

    set_mutant_under_test("mutant_generation")
    mutmut_cli.copy_src_dir()
    mutmut_cli.create_mutants(2)


def _fastest_tests_only() -> None:
    """Once mutmut has its test → function map, keep per function the fastest tests within
    TEST_BUDGET seconds (see the module doc)."""
    import mutmut.__main__ as mutmut_cli
    from mutmut.state import state

    check = mutmut_cli._check_test_to_mutant_associations

    def trimmed(*args, **kwargs):
        durations = state().duration_by_test
        for tests in state().tests_by_mangled_function_name.values():
            kept, spent = set(), 0.0
            for test in sorted(tests, key=lambda t: (durations.get(t, 0.0), t)):
                if kept and spent + durations.get(test, 0.0) > TEST_BUDGET:
                    break
                kept.add(test)
                spent += durations.get(test, 0.0)
            tests.intersection_update(kept)
        return check(*args, **kwargs)

    mutmut_cli._check_test_to_mutant_associations = trimmed


def run(every: bool) -> int:
    """mutmut run over the sample's unchecked mutants (or every unchecked one)."""
    import mutmut.__main__ as mutmut_cli

    _identifier_strings_only()
    _fastest_tests_only()
    _generate()
    todo = [m for m, code in _exit_codes().items() if code is None and (every or in_sample(m))]
    if not todo:
        print("every mutant of the sample has a result (rm -rf mutants to start again)")
        return 0
    return mutmut_cli.cli.main(["run", "--max-children", "2", *todo], standalone_mode=False) or 0


def _exit_codes() -> dict[str, int | None]:
    """Every generated mutant and its recorded test exit code (None: not checked yet)."""
    codes = {}
    for meta in sorted((ROOT / "mutants").rglob("*.py.meta")):
        codes |= json.loads(meta.read_text())["exit_code_by_key"]
    return codes


def package(mutant: str) -> str:
    """`verify.linear.curvature.x_f__mutmut_3` → `verify/linear`; a top module is its own."""
    parts = mutant.split(".x")[0].split(".")
    return "/".join(parts[:2]) if len(parts) > 2 else "/".join(parts) + ".py"


def _status(code: int | None) -> str:
    from mutmut.stats import status_by_exit_code

    status = status_by_exit_code[code]
    return "killed" if status in KILLED else status


def outcomes(codes: dict[str, int | None]) -> dict[str, Counter]:
    """Per package, the sampled mutants by outcome: killed, survived, no tests, not checked."""
    counts: dict[str, Counter] = {}
    for mutant, code in codes.items():
        if in_sample(mutant):
            counts.setdefault(package(mutant), Counter())[_status(code)] += 1
    return counts


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion k/n."""
    centre, half = (k + z * z / 2) / (n + z * z), z * (k * (n - k) / n + z * z / 4) ** 0.5
    return centre - half / (n + z * z), centre + half / (n + z * z)


def _row(name: str, c: Counter, explained: int) -> str:
    checked = c["killed"] + c["survived"] + c["no tests"]
    if checked:
        low, high = wilson(c["killed"] + explained, checked)
        rate = f"{(c['killed'] + explained) / checked:.1%} [{low:.1%}, {high:.1%}]"
    else:
        rate = "-"
    return (
        f"| {name} | {sum(c.values())} | {c['killed']} | {c['survived'] + c['no tests']} |"
        f" {explained} | {c['not checked']} | {rate} |"
    )


def table(codes: dict[str, int | None], explained: dict[str, str]) -> str:
    """Kill rate per package over the sample: (killed + explained) / checked."""
    lines = [
        "| package | sampled | killed | survived | of them explained | not run | kill rate [95%] |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    total, total_explained = Counter(), 0
    for name, c in sorted(outcomes(codes).items()):
        known = sum(package(m) == name and _status(codes.get(m)) != "killed" for m in explained)
        total, total_explained = total + c, total_explained + known
        lines.append(_row(name, c, known))
    lines.append(_row("**all**", total, total_explained))
    return "\n".join(lines)


def survivors(codes: dict[str, int | None], explained: dict[str, str]) -> str:
    """The sampled survivors: each with its explanation, or `unexplained`."""
    rows = ["| mutant | why it survives |", "| --- | --- |"]
    for mutant, code in sorted(codes.items()):
        if in_sample(mutant) and _status(code) in ("survived", "no tests"):
            rows.append(f"| `{mutant}` | {explained.get(mutant, '**unexplained**')} |")
    return "\n".join(rows)


def report() -> None:
    codes = _exit_codes()
    explained = json.loads(SURVIVORS.read_text(encoding="utf-8")) if SURVIVORS.exists() else {}
    block = f"{table(codes, explained)}\n\n{survivors(codes, explained)}"
    text = RELIABILITY.read_text(encoding="utf-8")
    head, rest = text.split(BEGIN)
    _, tail = rest.split(END)
    RELIABILITY.write_text(f"{head}{BEGIN}\n{block}\n{END}{tail}", encoding="utf-8")


if __name__ == "__main__":
    command, *rest = sys.argv[1:] or ["run"]
    if command == "run":
        sys.exit(run(every=rest == ["all"]))
    report()
