"""The Derivation machinery on small hand-made derivations."""

import pytest
import sympy
from sympy import Derivative, Matrix, Rational, Symbol

from theory.derivation import AT_LEAST, Derivation, Step

x = Symbol("x", real=True, nonzero=True)
y = Symbol("y", real=True)


def derivation(*steps: Step, build=None, **fields) -> Derivation:
    return Derivation(
        "T1", "test", "a test statement", "standard", build or (lambda n: steps), **fields
    )


def test_equal_steps_hold_after_evaluation_and_substitution():
    result = derivation(
        Step(Derivative(x**3, x), 3 * x**2, "power rule"),
        Step(
            Matrix([x * y, (x + 1) ** 2]),
            Matrix([1, x**2 + 2 * x + 1]),
            "y = 1/x",
            where={y: 1 / x},
        ),
        Step(sympy.sqrt((x**2 + 1) ** 2), x**2 + 1, "a square root of a square"),
    ).check()
    assert result.ok and result.complete and result.failures == [] and result.cited == []


def test_a_false_equal_step_is_named():
    result = derivation(
        Step(x + x, 2 * x, "doubling"),
        Step(Matrix([x * y, 0]), Matrix([1, 0]), "forgot the condition"),
    ).check()
    assert not result.ok
    assert result.failures == [
        f"T1 N={n} step 2 (forgot the condition): lhs − rhs does not simplify to 0"
        for n in range(2, 7)
    ]


def test_an_inequality_with_a_witness_is_machine_checked():
    result = derivation(Step(x**2 + 1, 2 * x, "AM–GM", AT_LEAST, witness=(x - 1) ** 2)).check()
    assert result.ok and result.complete


@pytest.mark.parametrize(
    ("witness", "problem"),
    [
        ((x + 1) ** 2, "lhs − rhs − witness does not simplify to 0"),
        (x**2 - 2 * x + 1, "the witness is not manifestly nonnegative"),
    ],
)
def test_a_bad_witness_fails(witness, problem):
    result = derivation(Step(x**2 + 1, 2 * x, "sos", AT_LEAST, witness=witness), sizes=(3,)).check()
    assert result.failures == [f"T1 N=3 step 1 (sos): {problem}"]


def test_an_inequality_without_witness_is_cited_not_checked():
    result = derivation(Step(x**2, x**3, "cited, and false", AT_LEAST), sizes=(2, 3)).check()
    assert result.ok and not result.complete
    assert result.cited == ["T1 N=2 step 1 (cited, and false)", "T1 N=3 step 1 (cited, and false)"]


def test_every_size_is_built_and_checked_but_only_the_shown_one_displayed():
    built = []

    def build(n):
        built.append(n)
        wrong = Rational(1) if n == 5 else Rational(0)  # only the size-5 instance is false
        return [Step(x * n, x * n + wrong, f"times {n}")]

    d = derivation(build=build, sizes=(2, 3, 5), shown=2)
    assert d.steps[0].why == "times 2" and d.steps is d.steps
    assert d.check().failures == ["T1 N=5 step 1 (times 5): lhs − rhs does not simplify to 0"]
    assert sorted(built) == [2, 3, 5]  # the shown instance is built once and reused


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"relation": "<"}, "relation must be"),
        ({"witness": x**2}, "only a '≥' step takes a witness"),
        ({"lhs": Matrix([x]), "relation": AT_LEAST}, "compares scalars"),
    ],
)
def test_malformed_steps_are_rejected(fields, message):
    with pytest.raises(ValueError, match=message):
        Step(**{"lhs": x, "rhs": x, "why": "?", **fields})


def test_the_shown_size_must_be_checked():
    with pytest.raises(ValueError, match="shown size 7"):
        derivation(Step(x, x, "trivial"), shown=7)


def test_a_derivation_states_the_sizes_it_covers():
    import theory

    assert theory.derivation("H4").scope == "N = 2…6"
    assert theory.derivation("H2").scope == "d_1 = 1…3"
    assert theory.derivation("P1").scope == "all sizes"  # no size parameter: one general case
