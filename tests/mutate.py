"""`make mutate`: mutation testing (mutmut) of the code that decides verdicts.

    python tests/mutate.py run            # the sample (cached: only unchecked mutants)
    python tests/mutate.py run all        # every mutant (hours: see docs/reliability.md)
    python tests/mutate.py run survivors  # the sample's survivors again (and unchecked ones)
    python tests/mutate.py run --shard 1/2  # one machine's half of the sample (any of the above)
    python tests/mutate.py merge OTHER/mutants  # take another machine's results
    python tests/mutate.py report         # kill rate per package → docs/reliability.md

The packages mutated, the tests run per mutant and the timeouts are `[tool.mutmut]` in
pyproject.toml. mutmut runs, for each mutant, only the tests that reach the mutated function
(fastest first, stopping at the first failure), so a mutant of `verify/scalar.py` is checked by
tests/test_scalar.py and the scalar claims, not by the whole suite.

One operator is narrowed: a string literal is mutated only when it is an identifier-like token
(`"true"`, `"F"`, `"lambda_max"`: a relation kind, a norm, a key), never when it is prose (a
message, a statement, a LaTeX line), which can change the wording of a verdict but not the
verdict. Everything else is mutmut's full operator set.

The tests per mutant: of the tests that reach the mutated function, the fastest ones whose
recorded durations add up to TEST_SHARE of the whole pool's recorded time (at least one), so
that a mutant the fast tests miss costs seconds, not the whole catalogue; a mutant they all
pass is a survivor even if a slower test would have caught it (the rates below are lower
bounds). The budget is a share, not seconds, so that a recording run on a loaded machine (every
duration longer) selects the same tests as one on an idle machine.

The sample: a mutant is in it when the first 8 hex digits of sha256(name) / 16⁸ < SAMPLE, a
fixed fraction that does not move when other code changes; each package's kill rate is then a
binomial estimate, shown with its Wilson 95% interval.

Shards: `--shard k/n` keeps the mutants whose sha256 digits 9–16 are k − 1 modulo n, so n
machines (each with its own clone and mutants/) run one n-th each; `merge` then copies into
this mutants/ the results another machine recorded for functions whose code is the same here
(mutmut's hash of the function), never for changed ones.

Timing: a run is limited to timeout_multiplier × (its tests' time + timeout_constant) seconds
of wall time and twice that of CPU (mutmut's rule); BLAS and OpenMP are held to one thread. A
clean run of the selected tests repeats what the recording run just did when that recording
ran every test, and is skipped then (it still runs on an incremental run).
"""

from __future__ import annotations

import hashlib
import json
import os
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
TEST_SHARE = 0.02  # of the pool's recorded test time, per mutant (15 s of 795 s)
KILLED = {"killed", "caught by type check", "segfault"}


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


def in_shard(mutant: str, shard: tuple[int, int]) -> bool:
    """Shard k of n: sha256(name)'s digits 9–16 are k − 1 modulo n."""
    k, n = shard
    return int(hashlib.sha256(mutant.encode()).hexdigest()[8:16], 16) % n == k - 1


def _generate() -> None:
    """mutmut's own first step (copy the sources into mutants/, write every mutant)."""
    import mutmut.__main__ as mutmut_cli
    from mutmut.mutation.trampoline import set_mutant_under_test

    set_mutant_under_test("mutant_generation")
    mutmut_cli.copy_src_dir()
    mutmut_cli.create_mutants(2)


def fastest_within_share(tests: set[str], durations: dict[str, float]) -> set[str]:
    """The fastest of `tests` (ties by name) whose durations add up to at most TEST_SHARE ×
    Σ durations (the whole pool's), and at least one."""
    budget = TEST_SHARE * sum(durations.values())
    kept, spent = set(), 0.0
    for test in sorted(tests, key=lambda t: (durations.get(t, 0.0), t)):
        if kept and spent + durations.get(test, 0.0) > budget:
            break
        kept.add(test)
        spent += durations.get(test, 0.0)
    return kept


def _fastest_tests_only() -> None:
    """Once mutmut has its test → function map, keep per function fastest_within_share."""
    import mutmut.__main__ as mutmut_cli
    from mutmut.state import state

    check = mutmut_cli._check_test_to_mutant_associations

    def trimmed(*args, **kwargs):
        durations = state().duration_by_test
        for tests in state().tests_by_mangled_function_name.values():
            tests.intersection_update(fastest_within_share(tests, durations))
        return check(*args, **kwargs)

    mutmut_cli._check_test_to_mutant_associations = trimmed


def _no_second_clean_run() -> None:
    """Skip mutmut's clean run when the recording run of this invocation ran every test of the
    pool unmutated (mutmut stops if any failed); keep it after an incremental recording."""
    import mutmut.__main__ as mutmut_cli

    record, make_runner = mutmut_cli.run_stats_collection, mutmut_cli.get_mutant_runner
    recorded_all = []

    def recording(runner, tests=None):
        recorded_all.append(not tests)
        return record(runner, tests)

    def runner_without_repeat(*args, **kwargs):
        runner = make_runner(*args, **kwargs)
        clean = runner.run_clean_tests
        runner.run_clean_tests = lambda **kw: 0 if any(recorded_all) else clean(**kw)
        return runner

    mutmut_cli.run_stats_collection = recording
    mutmut_cli.get_mutant_runner = runner_without_repeat


def run(which: str = "sample", shard: tuple[int, int] = (1, 1)) -> int:
    """mutmut run over the sample's unchecked mutants, every unchecked one (`all`), or the
    sample's survivors and unchecked ones (`survivors`); only those of `shard` (k, n)."""
    import mutmut.__main__ as mutmut_cli

    _identifier_strings_only()
    _fastest_tests_only()
    _no_second_clean_run()
    _generate()
    again = {"survived", "not checked"} if which == "survivors" else {"not checked"}
    todo = [
        m
        for m, code in _exit_codes().items()
        if _status(code) in again and (which == "all" or in_sample(m)) and in_shard(m, shard)
    ]
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


def merge(other: Path, mine: Path = ROOT / "mutants") -> int:
    """Copy another machine's recorded exit codes into `mine` for the mutants not run here,
    function by function, only where the function's hash is the same on both; returns the
    number taken."""
    from verify.report.files import write_whole

    taken = 0
    for theirs_path in sorted(other.rglob("*.py.meta")):
        ours_path = mine / theirs_path.relative_to(other)
        if not ours_path.exists():
            continue
        ours, theirs = (json.loads(p.read_text()) for p in (ours_path, theirs_path))
        same = {
            f
            for f, h in theirs["hash_by_function_name"].items()
            if ours["hash_by_function_name"].get(f) == h
        }
        codes = ours["exit_code_by_key"]
        new = {
            key: code
            for key, code in theirs["exit_code_by_key"].items()
            if code is not None
            and codes.get(key, 0) is None
            and key.rsplit(".", 1)[-1].split("__mutmut_")[0] in same
        }
        if new:
            codes.update(new)
            write_whole(ours_path, json.dumps(ours, indent=4))  # a cache file, never half
            taken += len(new)
    return taken


def package(mutant: str) -> str:
    """`verify.linear.curvature.x_f__mutmut_3` → `verify/linear`, `verify.runner.x_…` →
    `verify/runner.py`, `theory.linear.x_…` → `theory`."""
    module = re.split(r"\.xǁ|\.x_", mutant)[0].split(".")
    if module[0] == "theory":
        return "theory"
    return "/".join(module[:2]) if len(module) > 2 else "/".join(module) + ".py"


def _status(code: int | None) -> str:
    from mutmut.stats import status_by_exit_code

    status = status_by_exit_code[code]
    return {"no tests": "survived"}.get(status, "killed" if status in KILLED else status)


def _diff(mutant: str) -> list[str]:
    """The mutant's changed lines, `-old` then `+new`."""
    import mutmut.__main__ as mutmut_cli

    diff = mutmut_cli.get_diff_for_mutant(mutant, path=mutmut_cli.find_mutant(mutant).path)
    return [
        line.strip()
        for line in diff.splitlines()
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


def explanation(mutant: str, diff: list[str], explained: dict[str, str]) -> str | None:
    """Why a survivor cannot change a verdict: a rule of EQUIVALENT, or its entry in
    tests/mutation_survivors.json; None when unexplained."""
    text = "\n".join(diff)
    for pattern, reason in EQUIVALENT:
        if re.search(pattern, f"{mutant}\n{text}"):
            return reason
    return explained.get(mutant)


EQUIVALENT = [
    (
        r"strict=True\).*\n\+.*(strict=None|strict=False|, \))",
        "equivalent: zip(..., strict=True) only guards lengths that agree by construction",
    ),
    (r'float\("INF"\)', 'equivalent: float("INF") == float("inf")'),
    (r"dtype=np\.int64\).*\n\+.*dtype=None", "equivalent: numpy's default integer is int64"),
    (
        r"^verify\.linear\.found\.",
        "figure data only (gradient-descent minima drawn in docs/claims/linear.md); no "
        "verdict reads verify/linear/found.py, and the figure tests are not in the pool",
    ),
]


def _row(name: str, c: Counter) -> str:
    """(killed + timeout) / (run − explained), and killed alone over the same: an explained
    survivor cannot change a verdict; a timeout is detected only by its time."""
    from verify.stats import wilson

    decisive = c["killed"] + c["survived"] + c["timeout"] - c["explained"]

    def rate(detected: int) -> str:
        if decisive <= 0:
            return "-"
        low, high = wilson(detected, decisive, z=1.96)  # 95%
        return f"{detected / decisive:.1%} [{low:.1%}, {high:.1%}]"

    return (
        f"| {name} | {c['sampled']} | {c['killed']} | {c['timeout']} | {c['explained']} |"
        f" {c['survived'] - c['explained']} | {c['not checked']} |"
        f" {rate(c['killed'] + c['timeout'])} | {rate(c['killed'])} |"
    )


def summary(codes: dict[str, int | None], explained: dict[str, str]) -> tuple[str, str]:
    """The kill-rate table per package and the table of sampled survivors."""
    counts: dict[str, Counter] = {}
    survivors = ["| mutant | change | why it survives |", "| --- | --- | --- |"]
    for mutant, code in sorted(codes.items()):
        if not in_sample(mutant):
            continue
        c = counts.setdefault(package(mutant), Counter())
        status = _status(code)
        c["sampled"] += 1
        c[status] += 1
        if status == "survived":
            diff = _diff(mutant)
            why = explanation(mutant, diff, explained)
            c["explained"] += why is not None
            change = " → ".join(f"`{line[1:].strip()}`" for line in diff[:2]).replace("|", "\\|")
            survivors.append(f"| `{mutant}` | {change} | {why or '**unexplained**'} |")
    rows = [
        "| package | sampled | killed | timeout | explained | unexplained | not run | rate [95%] "
        "| timeouts not counted [95%] |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    total = Counter()
    for name, c in sorted(counts.items()):
        total += c
        rows.append(_row(name, c))
    rows.append(_row("**all**", total))
    return "\n".join(rows), "\n".join(survivors)


def report() -> None:
    """Rewrite docs/reliability.md's mutation block from mutants/ and the explanations."""
    explained = json.loads(SURVIVORS.read_text(encoding="utf-8")) if SURVIVORS.exists() else {}
    rates, survivors = summary(_exit_codes(), explained)
    text = RELIABILITY.read_text(encoding="utf-8")
    head, rest = text.split(BEGIN)
    _, tail = rest.split(END)
    block = f"{BEGIN}\n{rates}\n\nSurvivors of the sample:\n\n{survivors}\n{END}"
    RELIABILITY.write_text(f"{head}{block}{tail}", encoding="utf-8")


USAGE = "usage: python tests/mutate.py run [all | survivors] [--shard K/N] | merge DIR | report"


def _shard(text: str) -> tuple[int, int]:
    """`K/N` with 1 ≤ K ≤ N."""
    k, _, n = text.partition("/")
    if not (k.isdigit() and n.isdigit() and 1 <= int(k) <= int(n)):
        sys.exit(f"--shard {text}: expected K/N with 1 <= K <= N, e.g. 1/2\n{USAGE}")
    return int(k), int(n)


def main(args: list[str]) -> int:
    """The command line (see the module doc)."""
    for threads in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[threads] = "1"  # before numpy loads: CPU-time limits mean wall time
    shard = (1, 1)
    if "--shard" in args:
        at = args.index("--shard")
        shard = _shard(args[at + 1] if at + 1 < len(args) else "")
        args = args[:at] + args[at + 2 :]
    if args == ["report"]:
        report()
        return 0
    if args[:1] == ["merge"] and len(args) == 2 and Path(args[1]).is_dir():
        print(f"took {merge(Path(args[1]))} results from {args[1]}")
        return 0
    if args[:1] == ["run"] and args[1:] in ([], ["all"], ["survivors"]):
        return run(*(args[1:] or ["sample"]), shard=shard)
    sys.exit(USAGE)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["run"]))
