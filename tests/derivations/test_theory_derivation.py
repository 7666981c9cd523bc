"""The Derivation machinery on small hand-made derivations."""

import pytest
import sympy
from sympy import Derivative, Matrix, MatrixSymbol, Rational, Symbol, ZeroMatrix

import theory
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
        ({"why": None}, "needs its justification"),
        ({"why": "  "}, "needs its justification"),
    ],
)
def test_malformed_steps_are_rejected(fields, message):
    with pytest.raises(ValueError, match=message):
        Step(**{"lhs": x, "rhs": x, "why": "?", **fields})


def test_the_shown_size_must_be_checked():
    with pytest.raises(ValueError, match="shown size 7"):
        derivation(Step(x, x, "trivial"), shown=7)


def test_a_derivation_states_the_sizes_it_covers():
    scope = {d.claim: d.scope for d in theory.derivations()}
    assert scope["G1"] == "N = 2…6"
    assert scope["H2"] == "d_1 = 1…3"
    for claim in ("P1", "H4", "G2", "G1b", "G2b"):  # one instance, valid for every size
        assert scope[claim] == "all sizes"
    # only part derived for all sizes: the scope says which part
    assert scope["H1"] == "trace: all sizes; spectrum: N = 2…3"
    assert scope["G6"] == "λ_max = Σ 1/w_i²: all sizes; λ_max ≥ N: N = 2…6"


n_ = Symbol("n", integer=True, positive=True)
a_ = MatrixSymbol("A", n_, n_)
b_ = MatrixSymbol("B", n_, n_)


def test_general_steps_are_checked_once_and_displayed_first():
    general = [Step((a_ + b_) * (a_ - b_), a_**2 - a_ * b_ + b_ * a_ - b_**2, "noncommutative")]
    d = derivation(
        Step(x * 2, x + x, "sized"), general=lambda: general, covers=("part", "rest"), sizes=(2, 3)
    )
    assert [s.why for s in d.steps] == ["noncommutative", "sized"]
    assert len(d.instance(3)) == 1
    assert d.check().ok and d.scope == "part: all sizes; rest: N = 2…3"
    wrong = [Step((a_ + b_) * (a_ - b_), a_**2 - b_**2, "commuting")]  # AB ≠ BA
    bad = derivation(Step(x, x, "sized"), general=lambda: wrong, covers=("part", "rest"))
    assert bad.check().failures == [
        "T1 general step 1 (commuting): lhs − rhs does not simplify to 0"
    ]
    late = derivation(Step(x, x + 1, "wrong"), general=lambda: general, covers=("a", "b"))
    assert late.check().failures[0].startswith("T1 N=2 step 2 (wrong)")  # numbered as shown


def test_matrix_expressions_of_symbolic_shape_must_expand_to_zero():
    assert Step(a_ * (b_ + a_), a_ * b_ + a_ * a_, "distributive").problem() is None
    assert Step(a_ * b_, b_ * a_, "commute").problem() is not None
    assert Step(a_ - a_.T, ZeroMatrix(n_, n_), "symmetric?").problem() is not None
    assert Step(a_ * b_, MatrixSymbol("C", n_, n_), "C = AB").problem() is not None


@pytest.mark.parametrize(
    "fields",
    [
        {"covers": ("part", "rest")},  # covers without general steps
        {"general": list, "covers": ("part", "")},  # a part unnamed
        {"general": list, "covers": ("part", "rest"), "size_name": ""},  # no sized part
    ],
)
def test_general_steps_and_their_parts_go_together(fields):
    with pytest.raises(ValueError, match="general steps"):
        derivation(Step(x, x, "trivial"), **fields)
