"""Counterexamples as pasteable Python: `case_source` round trips, and `verify` saves ID.py."""

import dataclasses
import json
import math
import sys
import types
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from verify.catalogue import select
from verify.cli import main
from verify.conjectures import load
from verify.precision import workcontext
from verify.report.serialize import NotExpressible, case_source, number_shown, number_text
from verify.runner import Outcome, evaluate
from verify.scalar import ScalarNetwork

FEW = settings(
    max_examples=5, database=None, deadline=None, suppress_health_check=list(HealthCheck)
)


def rebuild(source: str) -> object:
    """Run the emitted source (its imports included) and return its EXAMPLE."""
    namespace: dict = {}
    exec(source, namespace)
    return namespace["EXAMPLE"]


def test_a_scalar_network_is_a_constructor_call_with_its_imports():
    case = ScalarNetwork(weights=(Fraction(1, 2), Fraction(2)), target=Fraction(1))
    assert case_source(case) == (
        "from fractions import Fraction\n"
        "from verify.scalar import ScalarNetwork\n"
        "\n"
        "EXAMPLE = ScalarNetwork(weights=(Fraction(1, 2), Fraction(2, 1)), target=Fraction(1, 1))\n"
    )
    assert rebuild(case_source(case)) == case


# One claim per kind of case: scalar and linear networks, training runs and step sweeps,
# SGD experiments with data, perceptron experiments, ReLU networks, practice experiments.
KINDS = ["H4", "H1", "F4", "F9b", "G1", "G3", "G5", "G7", "P3", "P5", "N1", "N2"]


@pytest.mark.parametrize("claim_id", KINDS)
def test_cases_drawn_from_the_claims_strategies_round_trip(claim_id):
    (claim,) = select([claim_id])

    @FEW
    @given(claim.cases)
    def round_trip(case):
        assert rebuild(case_source(case)) == case

    round_trip()
    for case in claim.examples:  # registered counterexamples, e.g. N2's
        assert rebuild(case_source(case)) == case


def test_plain_values_numpy_and_special_floats():
    case = {
        "one": (1,),
        "set": {3, 1},
        "empty": frozenset(),
        "flags": [True, None, "s"],
        "scalar": np.float64(0.25),
        "count": np.int64(7),
        "inf": -math.inf,
    }
    source = case_source(case)
    assert "numpy" not in source  # numpy scalars are written as the Python numbers
    assert rebuild(source) == case
    array = np.arange(6, dtype=np.float32).reshape(2, 3)
    again = rebuild(case_source(array))
    assert again.dtype == array.dtype and np.array_equal(again, array)
    assert math.isnan(rebuild(case_source(math.nan)))


def test_two_classes_of_one_name_are_imported_by_module(monkeypatch):
    module = types.ModuleType("other_cases")
    module.ScalarNetwork = dataclasses.make_dataclass("ScalarNetwork", ["depth"], frozen=True)
    module.ScalarNetwork.__module__ = "other_cases"
    monkeypatch.setitem(sys.modules, "other_cases", module)
    case = (ScalarNetwork(weights=(Fraction(1),)), module.ScalarNetwork(depth=2))
    source = case_source(case)
    assert "import other_cases\nimport verify.scalar\n" in source
    assert rebuild(source) == case


def test_values_without_a_python_form_are_named_not_written():
    with pytest.raises(NotExpressible, match=r"^EXAMPLE\[1\] has no Python form: a types\."):
        case_source((1, types.SimpleNamespace(), 2))
    odd = ScalarNetwork(weights=(Fraction(1), object()))
    with pytest.raises(NotExpressible, match=r"^EXAMPLE\.weights\[1\] has no Python form"):
        case_source(odd)

    @dataclasses.dataclass
    class Local:  # not importable: defined inside a function
        x: int

    with pytest.raises(NotExpressible, match=r"does not provide .*<locals>\.Local$"):
        case_source([Local(1)])


FALSE_RUN_CONJECTURE = """
from verify import cases, conjecture


@conjecture("X7", "every GD run has step size 0", cases=cases.scalar_runs(), status="false")
def no_step(case, ctx):
    return ctx.mpf(case.step.numerator) / case.step.denominator
"""


def test_verify_saves_the_refuted_case_as_python_that_still_fails(tmp_path, monkeypatch, capsys):
    """A refuted claim whose case is a nested dataclass (a ScalarRun holding a ScalarNetwork
    and rationals) is written as Python, read back, and still fails."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "conj_run.py").write_text(FALSE_RUN_CONJECTURE)
    args = ["verify", "X7", "--conjectures", "conj_run.py", "--json", "results.json"]
    assert main(args) == 0
    out = capsys.readouterr().out
    saved = tmp_path / ".flatminima" / "counterexamples" / "X7.py"
    assert saved.is_file() and "X7.py" in out
    (record,) = json.loads((tmp_path / "results.json").read_text())["claims"]
    assert record["verdict"] == "refuted"
    assert saved.read_text().endswith(record["counterexample_python"])
    (claim,) = load([tmp_path / "conj_run.py"]).claims
    case = rebuild(saved.read_text())
    assert type(case).__name__ == "ScalarRun"
    result = evaluate(claim, case, (50, 80))
    assert result.outcome is Outcome.FAILED, result.message


@pytest.mark.parametrize(
    ("text", "digits", "shown"),
    [
        ("1.8554268380085720874853490330235233453569532032969e-79", 6, "1.85543e-79"),
        ("-6.7470066836675348635830873928128121649343752847158e-80", 4, "-6.747e-80"),
        ("1e+40", 6, "1.0e+40"),
        ("2.5e-400", 3, "2.5e-400"),  # beyond float64's range
        ("-3.4142135623730950488", 3, "-3.41"),
        ("3/7", 2, "3/7"),  # exact rationals and integers stay exact
        ("-120000000000000000000001", 3, "-120000000000000000000001"),
        ("[0.97467943448089639068, -1.2e-90]", 4, "[0.9747, -1.2e-90]"),
        ("True", 3, "True"),
        ("1.855e-79", None, "1.855e-79"),
    ],
)
def test_every_printer_shows_sign_and_exponent(text, digits, shown):
    assert number_shown(text, digits) == shown


def test_lists_of_numbers_are_written_as_numbers():
    ctx = workcontext(30)
    text = number_text(ctx, [ctx.mpf(1) / 3, ctx.mpf("-2e-50")], 5)
    assert text == "[0.33333, -2.0e-50]"
