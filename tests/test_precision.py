import math

import pytest

from verify.precision import (
    DEFAULT_DPS,
    PrecisionError,
    Tier,
    agreement_digits,
    check_dps,
    confirm_dps,
    tolerance,
    workcontext,
)


def test_contexts_are_independent_of_the_global_precision():
    import mpmath

    before = mpmath.mp.dps
    low, high = workcontext(50), workcontext(80)
    assert (low.dps, high.dps, mpmath.mp.dps) == (50, 80, before)
    assert abs(high.mpf(1) / 3 - high.mpf("0." + "3" * 85)) < high.mpf(10) ** -79


@pytest.mark.parametrize("pair", [(10, 80), (50, 5000), (80, 50), (50, 50)])
def test_bad_precision_pairs_are_refused(pair):
    with pytest.raises(PrecisionError):
        check_dps(pair)


def test_default_pair_and_confirmation_precision():
    assert check_dps(DEFAULT_DPS) == (50, 80)
    assert confirm_dps(DEFAULT_DPS) == 160


def test_tolerance_follows_the_working_precision():
    ctx = workcontext(50)
    assert tolerance(ctx, 10) == ctx.mpf(10) ** -40


def test_agreement_digits_of_one_third():
    low, high = workcontext(50), workcontext(80)
    digits = agreement_digits(high, low.mpf(1) / 3, high.mpf(1) / 3)
    assert 49 < digits < 52
    assert math.isinf(agreement_digits(high, high.mpf(2), high.mpf(2)))


def test_tiers_are_ordered_weakest_first():
    assert Tier.FLOAT64 < Tier.MPMATH < Tier.CERTIFIED < Tier.EXACT < Tier.SYMBOLIC
    assert Tier.SYMBOLIC.label == "symbolic"
