import pytest

from verify.evidence import Evidence, Relation, as_evidence, at_most, equal, evidence
from verify.precision import workcontext

CTX = workcontext(50)


def test_equality_holds_to_working_precision_and_no_further():
    one = CTX.mpf(1)
    assert equal(one + CTX.mpf(10) ** -45, one).holds(CTX)
    assert not equal(one + CTX.mpf(10) ** -35, one).holds(CTX)


def test_equality_is_relative_to_the_declared_size():
    tiny = CTX.mpf(10) ** -35
    assert not equal(tiny, 0).holds(CTX)
    assert equal(tiny, 0, size=CTX.mpf(10) ** 10).holds(CTX)


def test_at_most_allows_rounding_above_and_nothing_more():
    assert at_most(CTX.mpf(2) + CTX.mpf(10) ** -45, 2).holds(CTX)
    assert not at_most(CTX.mpf(3), 2).holds(CTX)
    assert at_most(CTX.mpf(3), 2).margin(CTX) == 1


def test_evidence_holds_only_when_every_relation_holds():
    ev = evidence(equal(CTX.mpf(1), 1, "a"), at_most(CTX.mpf(5), 4, "b"), x=CTX.mpf(1))
    assert not ev.holds(CTX)
    assert ev.failing(CTX) == ["b"]
    assert ev.values == {"x": 1}


@pytest.mark.parametrize(
    ("result", "kind"),
    [(CTX.mpf(0), "equal"), (True, "true"), (at_most(1, 2), "at_most"), (0.0, "equal")],
)
def test_check_results_are_normalised(result, kind):
    ev = as_evidence(result)
    assert isinstance(ev, Evidence)
    assert ev.relations[0].kind == kind


def test_unsupported_check_results_are_named():
    with pytest.raises(TypeError, match="not str"):
        as_evidence("yes")


def test_boolean_relation():
    assert Relation("ok", "true", True).holds(CTX)
    assert not Relation("ok", "true", False).holds(CTX)


def test_a_boolean_relation_has_unit_scale_and_a_zero_or_unit_margin():
    held, failed = Relation("ok", "true", True), Relation("ok", "true", False)
    assert held.scale(CTX) == failed.scale(CTX) == 1
    assert held.margin(CTX) == 0 and failed.margin(CTX) == 1
    assert held.label == "holds"


def test_an_infinite_residual_never_holds_however_large_the_size():
    # inf ≤ tol · inf would be true: an equality with an infinite gap must fail; a finite
    # at_most whose size is infinite keeps its slack.
    assert not equal(CTX.inf, 0, size=CTX.inf).holds(CTX)
    assert at_most(CTX.mpf(3), 2, size=CTX.inf).holds(CTX)


def test_at_most_slack_is_relative_to_the_declared_size():
    assert not at_most(CTX.mpf(2) + CTX.mpf(10) ** -35, 2).holds(CTX)
    assert at_most(CTX.mpf(2) + CTX.mpf(10) ** -35, 2, size=CTX.mpf(10) ** 10).holds(CTX)
