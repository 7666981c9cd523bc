"""tests/mutate.py, the driver of `make mutate`: the sample, the shards, merging another
machine's results and the equivalence rules decide which mutants count, so they are tested."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

_SPEC = importlib.util.spec_from_file_location("mutate", Path(__file__).with_name("mutate.py"))
mutate = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(mutate)

NAMES = [f"verify.linear.curvature.x_f__mutmut_{i}" for i in range(1, 4001)]


def test_the_sample_is_a_tenth_and_does_not_depend_on_other_names() -> None:
    sampled = [m for m in NAMES if mutate.in_sample(m)]
    assert 0.08 < len(sampled) / len(NAMES) < 0.12
    assert [m for m in NAMES[:100] if mutate.in_sample(m)] == [
        m for m in sampled if m in NAMES[:100]
    ]


@pytest.mark.parametrize("n", [1, 2, 3])
def test_shards_split_the_mutants_into_n_parts_of_similar_size(n: int) -> None:
    parts = [[m for m in NAMES if mutate.in_shard(m, (k, n))] for k in range(1, n + 1)]
    assert sorted(m for part in parts for m in part) == sorted(NAMES)
    assert all(abs(len(part) - len(NAMES) / n) < 0.1 * len(NAMES) / n for part in parts)


def test_a_bad_shard_is_an_error_naming_it() -> None:
    with pytest.raises(SystemExit, match="--shard 3/2"):
        mutate.main(["run", "--shard", "3/2"])


def _meta(folder: Path, codes: dict, hashes: dict) -> Path:
    path = folder / "verify" / "scalar.py.meta"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"exit_code_by_key": codes, "hash_by_function_name": hashes}))
    return path


def test_merge_takes_results_only_for_unchanged_functions_not_run_here(tmp_path: Path) -> None:
    a, b, c = (f"verify.scalar.x_{f}__mutmut_1" for f in ("same", "changed", "ran"))
    mine = _meta(tmp_path / "mine", {a: None, b: None, c: 0}, {"x_same": "1", "x_changed": "2"})
    _meta(
        tmp_path / "theirs",
        {a: 1, b: 1, c: 1},
        {"x_same": "1", "x_changed": "9", "x_ran": "3"},
    )
    assert mutate.merge(tmp_path / "theirs", tmp_path / "mine") == 1
    assert json.loads(mine.read_text())["exit_code_by_key"] == {a: 1, b: None, c: 0}


@pytest.mark.parametrize(
    ("diff", "equivalent"),
    [
        (["-zip(a, b, strict=True)", "+zip(a, b, strict=False)"], True),
        (["-zip(a, b, strict=True)", "+zip(a, b, )"], True),
        (["-zip(a, b, strict=True)", "+zip(a, a, strict=True)"], False),
        (["-x = y < 1", "+x = y <= 1"], False),
    ],
)
def test_only_the_stated_equivalences_explain_a_survivor(diff: list[str], equivalent: bool) -> None:
    name = "verify.dynamics.runs.x_f__mutmut_1"
    assert (mutate.explanation(name, diff, {}) is not None) is equivalent


def test_package_names_follow_the_source_layout() -> None:
    assert mutate.package("verify.linear.curvature.x_f__mutmut_3") == "verify/linear"
    assert mutate.package("verify.runner.x_run__mutmut_1") == "verify/runner.py"
    assert mutate.package("theory.linear.xǁNamedǁdoit__mutmut_2") == "theory"


def test_a_mutant_gets_the_fastest_tests_within_a_share_of_the_pool() -> None:
    durations = {"a": 1.0, "b": 2.0, "c": 3.0, "d": 94.0}  # pool: 100 s, budget 2 s
    assert mutate.fastest_within_share({"a", "b", "c"}, durations) == {"a"}
    assert mutate.fastest_within_share({"c", "d"}, durations) == {"c"}  # at least one
    assert mutate.fastest_within_share({"a", "b"}, {**durations, "d": 194.0}) == {"a", "b"}


def test_the_selection_does_not_depend_on_how_loaded_the_recording_machine_was() -> None:
    idle = {f"t{i}": 0.1 * i for i in range(1, 200)}
    loaded = {t: 2.7 * s for t, s in idle.items()}  # every test 2.7 × slower
    tests = {f"t{i}" for i in range(1, 200, 3)}
    chosen = mutate.fastest_within_share(tests, idle)
    assert 1 < len(chosen) < len(tests)
    assert mutate.fastest_within_share(tests, loaded) == chosen
