"""User conjectures: the decorator, loading with file:line errors, the CLI and the pytest plugin."""

from pathlib import Path

from verify import VerdictKind, run_claim
from verify.catalogue import catalogue
from verify.cli import main
from verify.conjectures import load

EXAMPLES = Path(__file__).parents[1] / "examples" / "conjectures"

TRUE = """
from verify import at_most, cases, conjecture

@conjecture("Y1", "λ_max ≥ N on the scalar minimum set", cases=cases.scalar_minima(target=1))
def flat(m):
    return at_most(m.depth, m.sharpness())
"""


def test_the_four_examples_are_decided():
    loaded = load([EXAMPLES])
    assert loaded.errors == []
    verdicts = {c.id: run_claim(c).verdict for c in loaded.claims}
    assert verdicts == {
        "X1": VerdictKind.VERIFIED,
        "X2": VerdictKind.REFUTED,
        "X3": VerdictKind.VERIFIED,
        "X4": VerdictKind.VERIFIED,  # statistical: a population of GD runs
    }


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text)
    return path


def test_problems_name_file_and_line_and_the_rest_still_loads(tmp_path):
    _write(tmp_path, "conj_good.py", TRUE)
    bad = _write(tmp_path, "conj_syntax.py", "x = 1\ndef broken(:\n")
    raising = _write(tmp_path, "conj_raises.py", "import math\n\nx = 1 / 0\n")
    dup = _write(tmp_path, "conj_dup.py", TRUE.replace('"Y1"', '"F1"'))
    loaded = load([tmp_path], taken=set(catalogue()))
    assert [c.id for c in loaded.claims] == ["Y1"]
    messages = sorted(str(e) for e in loaded.errors)
    assert any(m.startswith(f"{bad}:2: syntax error") for m in messages)
    assert any(m.startswith(f"{raising}:3: ZeroDivisionError") for m in messages)
    assert any(m.startswith(f"{dup}:4: duplicate claim ID F1") for m in messages)


def test_a_check_that_raises_or_returns_the_wrong_type_is_an_error_with_file_and_line(tmp_path):
    path = _write(
        tmp_path,
        "conj_bad_checks.py",
        TRUE.replace("return at_most(m.depth, m.sharpness())", "return {}[m.depth]")
        + TRUE.replace('"Y1"', '"Y2"')
        .replace("def flat", "def wrong_type")
        .replace("return at_most(m.depth, m.sharpness())", 'return "yes"'),
    )
    raises, wrong = load([path]).claims
    verdict = run_claim(raises)
    assert verdict.verdict is VerdictKind.ERROR and f"{path}:6: KeyError" in verdict.message
    assert verdict.message.startswith(f"ConjectureError: {path}:6:")  # no second file:line
    verdict = run_claim(wrong)
    assert verdict.verdict is VerdictKind.ERROR
    assert f"{path}:" in verdict.message and "must return" in verdict.message


NOT_A_STRATEGY = """
from verify import conjecture

@conjecture("Y9", "n is small", cases=[1, 2])
def small(n, ctx):
    return n < 3
"""


def test_cases_that_are_not_a_strategy_are_a_conjecture_error_with_file_and_line(capsys, tmp_path):
    _write(tmp_path, "conj_good.py", TRUE)
    bad = _write(tmp_path, "conj_list.py", NOT_A_STRATEGY)
    loaded = load([bad])
    assert loaded.claims == []
    expected = (
        f"{bad}:4: claim Y9: cases must be a Hypothesis strategy "
        "(from verify.cases or hypothesis.strategies), not list"
    )
    assert [str(e) for e in loaded.errors] == [expected]
    status = main(["verify", "--conjectures", str(tmp_path)])
    out, err = capsys.readouterr()
    assert status == 1  # as for every file that does not load; the other conjectures run
    assert f"flatminima: conjecture error: {expected}" in err
    assert "internal error" not in err
    assert "Y1" in out and "verified" in out


def test_conjectures_that_load_nothing_are_an_error_not_the_whole_catalogue(capsys, tmp_path):
    bad = _write(tmp_path, "conj_syntax.py", "def broken(:\n")
    assert main(["verify", "--conjectures", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:1: syntax error" in err
    assert f"flatminima: error: no conjecture loaded from {bad}: nothing to verify" in err
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["verify", "--conjectures", str(empty)]) == 2
    assert "nothing to verify" in capsys.readouterr().err


def test_cli_runs_the_good_conjectures_and_reports_the_broken_file(capsys, tmp_path):
    _write(tmp_path, "conj_good.py", TRUE)
    bad = _write(tmp_path, "conj_syntax.py", "def broken(:\n")
    status = main(["verify", "--conjectures", str(tmp_path)])
    out, err = capsys.readouterr()
    assert status == 1
    assert f"flatminima: conjecture error: {bad}:1: syntax error" in err
    assert "Y1" in out and "verified" in out
    assert main(["list", "--conjectures", str(tmp_path / "conj_good.py")]) == 0
    assert "Y1" in capsys.readouterr().out


def test_pytest_collects_conjecture_files_and_shows_the_counterexample(pytester):
    pytester.makepyfile(
        conj_mine=TRUE
        + """
@conjecture("Y2", "every scalar minimum has λ_max = N", cases=cases.scalar_minima(target=1))
def balanced(m):
    return m.sharpness() - m.depth
"""
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*Y2 (open) came out refuted*", "*counterexample: weights=*"])


def test_pytest_conjectures_option_collects_a_folder_outside_the_tests(pytester):
    folder = pytester.mkdir("mine")
    _write(folder, "anything.py", TRUE)
    result = pytester.runpytest(
        "-p", "no:cacheprovider", "--conjectures", str(folder / "anything.py")
    )
    result.assert_outcomes(passed=1)


def test_a_conjecture_can_register_examples_every_profile_checks(tmp_path):
    text = """
from hypothesis import strategies as st
from verify import conjecture

@conjecture("Y2", "n < 1000", cases=st.integers(0, 999), examples=[5, 10**6])
def small(n, ctx):
    return n < 1000
"""
    loaded = load([_write(tmp_path, "conj_examples.py", text)])
    verdict = run_claim(loaded.claims[0])
    assert verdict.verdict is VerdictKind.REFUTED
    assert verdict.counterexample == 10**6
    assert verdict.cases == 2  # both examples, in order, before the search


VACUOUS = """
from verify import Vacuous, at_most, cases, conjecture

@conjecture("Y3", "λ_max ≥ N, on minima with w_1 > 0", cases=cases.scalar_minima(target=1))
def flat(m):
    if m.weights[0] < 0:
        raise Vacuous("w_1 < 0")
    return at_most(m.depth, m.sharpness())
"""


def test_a_conjecture_may_raise_vacuous(tmp_path):
    (claim,) = load([_write(tmp_path, "conj_vacuous.py", VACUOUS)]).claims
    verdict = run_claim(claim)
    assert verdict.verdict is VerdictKind.VERIFIED, verdict.message
    assert verdict.outcomes["vacuous"] > 0
