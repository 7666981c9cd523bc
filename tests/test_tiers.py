"""The exact and certified tiers can fail: a certificate's proofs, the numeric tier over a
claim's cases, the runner's use of it, and every catalogue `certify` on a case that violates
its claim (a contradiction) and on the claim's own cases (none, and the tier it states)."""

from fractions import Fraction as F
from types import SimpleNamespace

import flint
import pytest
from flint import arb, fmpz_poly
from hypothesis import HealthCheck, find, given, settings
from hypothesis import strategies as st

import theory
import verify.runner
from verify import algebraic, cases
from verify.algebraic import power, rational
from verify.catalogue import catalogue
from verify.certificate import (
    Proof,
    certificate,
    decided_at_most,
    enclosed_at_most,
    enclosed_equal,
    exactly,
    exactly_at_most,
    exactly_equal,
    undecided,
)
from verify.claim import Claim, Status
from verify.claims import scalar as scalar_claims
from verify.claims.linear import curvature, flattest
from verify.dynamics import steps
from verify.evidence import at_most, equal, evidence
from verify.linear import balls
from verify.linear.network import LinearNetwork
from verify.linear.strategies import balanced_minima
from verify.precision import GUARD_DIGITS, Tier, workcontext
from verify.report.json import verdict_record
from verify.report.serialize import tier_text
from verify.runner import VerdictKind, run_claim
from verify.scalar import ScalarNetwork, ScalarRun
from verify.tiers import NOT_DECLARED, NumericTier, numeric_tier

DPS = 50
CTX = workcontext(80)  # the context of the mpmath evidence (the higher precision)
CATALOGUE = catalogue()
SQRT2 = algebraic.real_roots(fmpz_poly([-2, 0, 1]))[-1]


def never():
    raise AssertionError("the exact route was taken although the enclosures decided")


# --- verify/certificate.py ---------------------------------------------------------------


def test_enclosed_at_most_proves_disproves_or_leaves_a_straddling_slack_undecided():
    with balls.precision(DPS):
        above = enclosed_at_most("x ≤ y", arb(1), arb(2))
        below = enclosed_at_most("x ≤ y", arb(2), arb(1))
        straddles = enclosed_at_most("x ≤ y", arb(1, 1e-3), arb(1))
    assert (above.holds, above.tier, above.name) == (True, Tier.CERTIFIED, "x ≤ y")
    assert "> 0" in above.detail
    assert (below.holds, below.tier) == (False, Tier.CERTIFIED)
    assert "< 0" in below.detail
    assert (straddles.holds, straddles.tier) == (None, Tier.MPMATH)
    assert "enclosure" in straddles.detail and "contains 0" in straddles.detail


def test_enclosed_equal_exact_certified_undecided_or_disproved():
    with balls.precision(DPS):
        point = enclosed_equal("a = b", arb(3), arb(3), DPS)
        tight = enclosed_equal("a = b", arb(0, 1e-60), arb(0), DPS)
        wide = enclosed_equal("a = b", arb(0, 1e-30), arb(0), DPS)
        # a residual far below float64 that excludes 0 disproves the equality
        excluded = enclosed_equal("a = b", arb(1e-30, 1e-60), arb(0), DPS)
    assert (point.holds, point.tier) == (True, Tier.EXACT)
    assert "point 0" in point.detail
    assert (tight.holds, tight.tier) == (True, Tier.CERTIFIED)
    assert "certified to 50 digits" in tight.detail  # capped at dps
    assert (wide.holds, wide.tier) == (None, Tier.MPMATH)
    assert "1e-29" in wide.detail
    assert (excluded.holds, excluded.tier) == (False, Tier.CERTIFIED)


def test_the_detail_shows_the_slack_or_residual_enclosure_lower_end_first():
    above = enclosed_at_most("x ≤ y", arb(1), arb(3, 1))  # slack [2 ± 1]
    below = enclosed_at_most("x ≤ y", arb(3, 1), arb(1))
    straddles = enclosed_at_most("x ≤ y", arb(1, 1), arb(1))
    apart = enclosed_equal("x = y", arb(3, 1), arb(-1), DPS)
    assert above.detail == "slack enclosed in [1.0000, 3.0000] > 0"
    assert below.detail == "slack enclosed in [-3.0000, -1.0000] < 0"
    assert straddles.detail.startswith("the slack's enclosure [-1.0000, 1.0000] contains 0")
    assert apart.detail == "residual enclosed in [3.0000, 5.0000]"


def test_a_slack_is_not_rounded_below_the_precision_of_its_sides():
    # At python-flint's default 53 bits: y = 1 + r + 2⁻⁴⁵ lies 2⁻⁴⁵ above the ball 1 ± r
    # (r ≈ 1/2). The slack's midpoint r + 2⁻⁴⁵ needs 45 bits: rounded to fewer, the gap is lost
    # and neither x ≤ y is proved nor x = y disproved.
    with flint.ctx.workprec(53):
        ball = arb(1, 0.5)
        y = arb(1) + ball.rad() + arb(2) ** -45
        assert y.is_exact() and y - ball.upper() == arb(2) ** -45
        proved = enclosed_at_most("x ≤ y", ball, y)
        disproved = enclosed_equal("x = y", ball, y, DPS)
    assert (proved.holds, proved.tier) == (True, Tier.CERTIFIED)
    assert (disproved.holds, disproved.tier) == (False, Tier.CERTIFIED)


def test_enclosed_equal_needs_dps_minus_the_guard_digits_relative_to_the_sizes():
    assert DPS - GUARD_DIGITS == 40
    with balls.precision(DPS):
        just_enough = enclosed_equal("e", arb(0, 1e-41), arb(0), DPS)
        too_wide = enclosed_equal("e", arb(0, 1e-39), arb(0), DPS)
        # 1e-35 absolute is 1e-45 relative to a side of size 1e10, or to `size`
        large_side = enclosed_equal("e", arb(10**10, 1e-35), arb(10**10), DPS)
        large_size = enclosed_equal("e", arb(0, 1e-35), arb(0), DPS, size=arb(10**10))
        unscaled = enclosed_equal("e", arb(0, 1e-35), arb(0), DPS)
    assert just_enough.holds is True and "certified to 40 digits" in just_enough.detail
    assert too_wide.holds is None
    assert large_side.holds is True and large_size.holds is True
    assert unscaled.holds is None


def test_decided_at_most_takes_the_exact_route_only_when_the_enclosures_cannot_tell():
    with balls.precision(DPS):
        decided = decided_at_most("x ≤ y", lambda: (arb(1), arb(2)), never)
        root = arb(2).sqrt()
        lhs, rhs = root * root, arb(2)  # √2·√2 vs 2: the enclosures overlap
        assert enclosed_at_most("√2² ≤ 2", lhs, rhs).holds is None
        tie = decided_at_most("√2² ≤ 2", lambda: (lhs, rhs), lambda: (power(SQRT2, 2), rational(2)))
        greater = decided_at_most("√2² ≤ 2", lambda: (lhs, rhs), lambda: (rational(3), rational(2)))

        def too_large():
            raise algebraic.TooComplex("a sum has degree 81 > 64")

        gave_up = decided_at_most("√2² ≤ 2", lambda: (lhs, rhs), too_large)
    assert (decided.holds, decided.tier) == (True, Tier.CERTIFIED)
    assert (tie.holds, tie.tier) == (True, Tier.EXACT)
    assert tie.detail.startswith("equal exactly (the slack's enclosure")  # why it went exact
    assert (greater.holds, greater.tier) == (False, Tier.EXACT)
    assert (gave_up.holds, gave_up.tier) == (None, Tier.MPMATH)
    assert "contains 0" in gave_up.detail
    assert "the exact route: a sum has degree 81 > 64" in gave_up.detail


def test_exactly_equal_and_at_most_on_algebraic_numbers():
    equal_ = exactly_equal("√2² = 2", power(SQRT2, 2), rational(2))
    unequal = exactly_equal("√2 = 2", SQRT2, rational(2))
    assert (equal_.holds, equal_.tier, equal_.detail) == (True, Tier.EXACT, "equal exactly")
    assert (unequal.holds, unequal.detail) == (False, "not equal (exact comparison)")
    assert exactly_at_most("√2 ≤ 3/2", SQRT2, rational(F(3, 2))).detail == "strictly less, exactly"
    assert exactly_at_most("√2 ≤ 7/5", SQRT2, rational(F(7, 5))).holds is False


def test_certificate_tier_weakest_and_contradictions():
    exact = exactly("a", True)
    certified = Proof("b", True, Tier.CERTIFIED, "certified to 40 digits")
    open_ = undecided("c", "no enclosure")
    wrong = exactly("d", False)
    empty = certificate()
    assert (empty.tier, empty.weakest, empty.contradictions) == (Tier.MPMATH, None, [])
    assert certificate(exact, exact).tier is Tier.EXACT
    both = certificate(exact, certified, exact)
    assert (both.tier, both.weakest, both.contradictions) == (Tier.CERTIFIED, certified, [])
    pending = certificate(exact, certified, open_)
    assert (pending.tier, pending.weakest) == (Tier.MPMATH, open_)  # undecided beats lowest
    unproved = Proof("e", None, Tier.EXACT, "an undecided proof naming a tier")
    assert certificate(exact, unproved).tier is Tier.MPMATH
    failed = certificate(certified, wrong, open_)
    assert failed.tier is Tier.MPMATH
    assert failed.contradictions == [wrong]
    assert failed.weakest == wrong  # the first proof that is not proved


# --- verify/tiers.py ---------------------------------------------------------------------


def ev(tier=Tier.MPMATH):
    return evidence(equal(1, 1), tier=tier)


ONE_CASE = st.just(0)


def claim_with(certify=None, cases_=ONE_CASE, check=lambda case, ctx: True, **kw):
    return Claim("T1", "test claim", "tests", Status.OPEN, cases_, check, certify=certify, **kw)


def by_case(table):
    """A certify that looks its certificate up by case."""
    return lambda case, dps: table[case]


CERTIFIED = Proof("b", True, Tier.CERTIFIED, "certified to 45 digits")


def test_numeric_tier_is_the_lowest_over_the_cases_and_names_the_case_that_set_it():
    table = {
        0: certificate(exactly("a", True)),
        1: certificate(exactly("a", True), CERTIFIED),
        2: certificate(exactly("a", True)),
        3: certificate(Proof("c", True, Tier.CERTIFIED, "certified to 41 digits")),
    }
    found = numeric_tier(claim_with(by_case(table)), [(k, ev(), CTX) for k in range(3)], DPS)
    assert found == NumericTier(
        Tier.CERTIFIED, "exact 2, certified 1 of 3 cases; case 2: b: certified to 45 digits"
    )
    later = numeric_tier(
        claim_with(by_case(table)), [(0, ev(), CTX), (3, ev(), CTX), (1, ev(), CTX)], DPS
    )
    assert later.reason == "exact 1, certified 2 of 3 cases; case 2: c: certified to 41 digits"
    all_exact = numeric_tier(claim_with(by_case(table)), [(0, ev(), CTX), (2, ev(), CTX)], DPS)
    assert all_exact == NumericTier(Tier.EXACT, "exact 2 of 2 cases")


def test_an_undecided_case_keeps_its_evidence_tier_with_the_reason():
    table = {0: certificate(exactly("a", True)), 1: certificate(undecided("c", "no bound"))}
    claim = claim_with(by_case(table))
    found = numeric_tier(claim, [(0, ev(), CTX), (1, ev(Tier.FLOAT64), CTX)], DPS)
    assert found.tier is Tier.FLOAT64
    assert found.reason == "exact 1, float64 1 of 2 cases; case 2: c: no bound"
    assert numeric_tier(claim, [(1, ev(), CTX)], DPS).tier is Tier.MPMATH


def test_a_claim_without_certify_stays_at_its_evidence_tier():
    found = numeric_tier(claim_with(None), [(0, ev(), CTX), (1, ev(Tier.FLOAT64), CTX)], DPS)
    assert found == NumericTier(Tier.FLOAT64, NOT_DECLARED)
    assert numeric_tier(claim_with(None), [(0, ev(), CTX)], DPS).tier is Tier.MPMATH


def test_an_arithmetic_error_in_certify_leaves_the_case_undecided():
    def cannot_isolate(case, dps):
        raise balls.NotEnclosed("the clusters overlap")

    found = numeric_tier(claim_with(cannot_isolate), [(0, ev(), CTX)], DPS)
    assert found.tier is Tier.MPMATH and not found.contradiction
    assert found.reason == "mpmath 1 of 1 cases; case 1: certify: NotEnclosed: the clusters overlap"

    def broken(case, dps):
        raise KeyError("layer")

    with pytest.raises(KeyError):  # not arithmetic: the runner reports it as an error
        numeric_tier(claim_with(broken), [(0, ev(), CTX)], DPS)


def test_a_contradiction_is_returned_with_its_case():
    wrong = Proof("b", False, Tier.CERTIFIED, "residual enclosed in [1, 1]")
    table = {0: certificate(exactly("a", True)), 1: certificate(CERTIFIED, wrong)}
    found = numeric_tier(
        claim_with(by_case(table)), [(0, ev(), CTX), (1, ev(), CTX), (0, ev(), CTX)], DPS
    )
    assert found.contradiction == "case 2: b: residual enclosed in [1, 1]"
    assert found.tier is Tier.MPMATH and found.reason == ""
    assert not numeric_tier(claim_with(by_case(table)), [(0, ev(), CTX)], DPS).contradiction


# --- verify/runner.py, verify/report ----------------------------------------------------


def doubled(n, ctx):
    return evidence(equal(ctx.mpf(n) * 2, ctx.mpf(n) + n, "2n = n + n"))


def counting(make):
    """A certify that records (case, dps) of every call."""
    calls = []

    def certify(case, dps):
        calls.append((case, dps))
        return make(case)

    return certify, calls


def test_a_claim_proved_exactly_on_every_case_is_verified_at_the_exact_tier():
    certify, calls = counting(lambda n: certificate(exactly("2n = n + n", True)))
    verdict = run_claim(claim_with(certify, st.integers(1, 9), doubled), "quick")
    assert verdict.verdict is VerdictKind.VERIFIED
    assert (verdict.tier, verdict.numeric_tier) == (Tier.EXACT, Tier.EXACT)
    held = verdict.outcomes["held"]
    assert held >= 3 and len(calls) == held  # every held case, at the working precision
    assert {dps for _, dps in calls} == {verdict.dps[0]}
    assert verdict.numeric_reason == f"exact {held} of {held} cases"
    record = verdict_record(verdict)
    assert (record["tier"], record["numeric_tier"]) == ("exact", "exact")
    assert record["numeric_tier_reason"] == verdict.numeric_reason
    assert tier_text(record) == "exact"


def test_without_certify_or_undecided_the_tier_stays_mpmath():
    plain = run_claim(claim_with(None, st.integers(1, 9), doubled), "quick")
    assert plain.verdict is VerdictKind.VERIFIED
    assert (plain.tier, plain.numeric_tier) == (Tier.MPMATH, Tier.MPMATH)
    assert plain.numeric_reason == NOT_DECLARED
    assert verdict_record(plain)["numeric_tier"] == "mpmath"
    unsure = run_claim(
        claim_with(
            lambda n, dps: certificate(undecided("2n", "no bound")), st.integers(1, 9), doubled
        ),
        "quick",
    )
    assert (unsure.verdict, unsure.tier) == (VerdictKind.VERIFIED, Tier.MPMATH)
    assert unsure.numeric_reason.endswith("case 1: 2n: no bound")


def test_a_contradiction_on_one_case_makes_the_verdict_an_error():
    def certify(n, dps):
        return certificate(exactly("2n = n + n", n % 2 == 1, f"decided for n = {n}"))

    # the registered example 4 runs first: an even case is always checked
    claim = claim_with(certify, st.integers(1, 9), doubled, examples=(4,))
    verdict = run_claim(claim, "quick")
    assert verdict.verdict is VerdictKind.ERROR and not verdict.as_expected
    assert verdict.message.startswith("the exact/certified check contradicts the mpmath check")
    assert "2n = n + n: decided for n = " in verdict.message
    assert verdict.numeric_tier is None


def test_a_certify_that_raises_makes_the_verdict_an_error():
    def certify(n, dps):
        raise RuntimeError("no enclosure library")

    verdict = run_claim(claim_with(certify, st.integers(1, 9), doubled), "quick")
    assert verdict.verdict is VerdictKind.ERROR
    assert "the exact/certified check raised" in verdict.message
    assert "no enclosure library" in verdict.message


def test_a_symbolic_claim_keeps_its_tier_and_reports_the_numeric_one_beside_it(monkeypatch):
    complete = SimpleNamespace(ok=True, complete=True, failures=[])
    monkeypatch.setattr(verify.runner, "_derivation_check", lambda claim_id: complete)
    certify, _ = counting(lambda n: certificate(exactly("2n = n + n", True)))
    claim = claim_with(certify, st.integers(1, 9), doubled, derivation="H4")
    verdict = run_claim(claim, "quick")
    assert (verdict.tier, verdict.numeric_tier) == (Tier.SYMBOLIC, Tier.EXACT)
    scope = theory.derivation("H4").scope
    assert verdict.scope == scope
    assert tier_text(verdict_record(verdict)) == f"symbolic ({scope}) + exact"


def test_tier_text_names_a_different_numeric_tier_only():
    assert (
        tier_text({"tier": "symbolic", "scope": "all sizes", "numeric_tier": "exact"})
        == "symbolic (all sizes) + exact"
    )
    assert tier_text({"tier": "symbolic", "numeric_tier": "certified"}) == "symbolic + certified"
    assert tier_text({"tier": "exact", "scope": None, "numeric_tier": "exact"}) == "exact"
    assert tier_text({"tier": "mpmath", "numeric_tier": None}) == "mpmath"
    assert tier_text({"tier": None, "numeric_tier": "exact"}) == "-"


# --- the catalogue's certify functions: each one can fail ------------------------------


def names(cert):
    return {p.name for p in cert.contradictions}


def scalar(*weights, target=1):
    return ScalarNetwork(tuple(F(w) for w in weights), F(target))


def diagonal_net(*layers, sigma=None, target=None):
    def diag(d):
        return tuple(
            tuple(F(d[i]) if i == j else F(0) for j in range(len(d))) for i in range(len(d))
        )

    return LinearNetwork(
        tuple(diag(d) for d in layers),
        None if sigma is None else diag(sigma),
        None if target is None else diag(target),
    )


def test_h4_contradicts_off_the_minimum_and_holds_at_one_with_any_target():
    off = scalar_claims.h4_exact(scalar(1, 1, target=2), DPS)  # P = 1 ≠ t = 2: H = I
    assert names(off) == {p.name for p in off.proofs}  # all four relations fail
    assert not scalar_claims.h4_exact(scalar(1, 2, target=2), DPS).contradictions


def test_g6_contradicts_with_a_target_other_than_one_or_off_the_minimum():
    # a minimum of t = 2 (H4 holds there): λ_max = 5, Σ 1/w_i² = 5/4, √(D² + 4) = √13
    wrong_target = scalar_claims.g6_exact(scalar(1, 2, target=2), DPS)
    assert names(wrong_target) == {"λ_max = Σ 1/w_i²", "N = 2: λ_max = √(D² + 4)"}
    # w = (1, −1), P = −1: λ_max = 4 although every w_i² = 1
    off = scalar_claims.g6_exact(scalar(1, -1), DPS)
    assert "λ_max = N iff balanced" in names(off)
    assert not scalar_claims.g6_exact(scalar(-1, -1), DPS).contradictions


def test_h1_contradicts_off_the_minimum():
    # W1 = W2 = 1, T = 2: H = I (λ_max 1) while M = 2; the trace identity holds off minima too
    off = curvature.h1_exact(diagonal_net((1,), (1,), target=(2,)), DPS)
    assert names(off) == {"λ_max(H) = λ_max(M)", "nonzero spectra of H and M agree"}
    ctx = workcontext(DPS)
    assert not curvature.h1_gauss_newton(diagonal_net((1,), (1,), target=(2,)), ctx).holds(ctx)
    # one channel at its minimum, one off it: the spectra differ, their top (8) does not
    split = diagonal_net((2, 1), (2, 1), target=(4, 2))
    assert names(curvature.h1_exact(split, DPS)) == {"nonzero spectra of H and M agree"}
    assert curvature.h1_gauss_newton(split, ctx).failing(ctx) == [
        "nonzero spectra of H and M agree"
    ]
    # T = 3 W2W1 is the one other point of this family where H1's relations hold
    assert not curvature.h1_exact(diagonal_net((1,), (1,), target=(3,)), DPS).contradictions


def test_h2_contradicts_with_data_that_is_not_whitened_or_a_wrong_formula(monkeypatch):
    skewed = curvature.h2_exact(diagonal_net((1,), (1,), sigma=(2,)), DPS)  # M = 4, not 2
    assert names(skewed) == {p.name for p in skewed.proofs}
    plain = diagonal_net((1,), (1,))  # λ_max = 2 = 1 + 1, but 1 · 1 = 1
    assert not curvature.h2_exact(plain, DPS).contradictions
    monkeypatch.setattr(algebraic, "add", algebraic.multiply)
    assert names(curvature.h2_exact(plain, DPS)) == {"λ_max = ‖W1‖₂² + ‖W2‖₂²"}


def wide_sharpness(case):
    """An enclosure of λ_max too wide to decide anything: the exact route must."""
    return arb(0, 1000)


@pytest.mark.parametrize("widened", [False, True], ids=["enclosed", "exact route"])
def test_h3_contradicts_with_data_that_is_not_whitened(monkeypatch, widened):
    if widened:
        monkeypatch.setattr(balls, "sharpness", wide_sharpness)
    skewed = curvature.h3_certify(diagonal_net((1,), (1,), sigma=(2,)), DPS)  # 4 > 1 + 1
    (wrong,) = skewed.contradictions
    assert wrong.tier is (Tier.EXACT if widened else Tier.CERTIFIED)
    strict = curvature.h3_certify(diagonal_net((1, 1), (1, 4), (2, 1)), DPS)  # 33 < 36
    assert strict.proofs[0].holds is True and not strict.contradictions


def f1_bound_fails(case):
    ctx = workcontext(30)
    return "λ_max ≥ N σ1^{2−2/N}" in flattest.f1_flattest_whitened(case, ctx).failing(ctx)


F1_VIOLATION = None


def f1_violation():
    """A non-whitened minimum where λ_max < N σ1^{2−2/N}, found by the mpmath check."""
    global F1_VIOLATION
    if F1_VIOLATION is None:
        chosen = settings(database=None, deadline=None, max_examples=300, derandomize=True)
        strategy = cases.global_minima(depth=(2, 3), width=(1, 2), whitened=False)
        F1_VIOLATION = find(strategy, f1_bound_fails, settings=chosen)
    return F1_VIOLATION


@pytest.mark.parametrize("widened", [False, True], ids=["enclosed", "exact route"])
def test_f1_contradicts_where_the_bound_fails(monkeypatch, widened):
    case = f1_violation()
    if widened:
        monkeypatch.setattr(balls, "sharpness", wide_sharpness)
    found = flattest.f1_certify(case, DPS)
    bound = next(p for p in found.proofs if p.name == "λ_max ≥ N σ1^{2−2/N}")
    assert bound.holds is False
    assert bound.tier is (Tier.EXACT if widened else Tier.CERTIFIED)


@pytest.mark.parametrize("widened", [False, True], ids=["enclosed", "exact route"])
def test_f5_contradicts_on_minima_that_are_not_flattest(monkeypatch, widened):
    if widened:  # no enclosure decides: s^k ≤ g^N ≤ N^N s^k exactly
        monkeypatch.setattr(balls, "norm_squared", lambda w: arb(0, 1000))
    # T = I, λ_max = 16/9 + 1 > 2, yet ‖W1‖₂² = 16/9 lies within [1, 2]: the hypothesis alone
    near = flattest.f5_certify(diagonal_net((1, F(4, 3)), (1, F(3, 4))), DPS)
    assert names(near) == {"hypothesis: λ_max = N σ1^{2−2/N}"}
    bounds = [p for p in near.proofs if p not in near.contradictions]
    assert len(bounds) == 2 and all(p.holds for p in bounds)
    assert {p.tier for p in bounds} == {Tier.EXACT if widened else Tier.CERTIFIED}
    steep = flattest.f5_certify(diagonal_net((2,), (F(1, 2),)), DPS)  # ‖W1‖₂² = 4 > 2
    assert "‖A_2‖₂ ≤ √N σ1^{1/N}" in names(steep)
    shallow = flattest.f5_certify(diagonal_net((F(1, 2),), (2,)), DPS)  # 1/4 < 1
    assert "σ1^{1/N} ≤ ‖A_2‖₂" in names(shallow)
    assert not flattest.f5_certify(diagonal_net((1,), (1,)), DPS).contradictions


def test_g2_contradicts_a_factor_off_by_1e_30(monkeypatch):
    run = ScalarRun(scalar(1, F(1, 2), F(3, 2)), F(1, 10), 3)
    assert not scalar_claims.g2_enclosed(run, DPS).contradictions
    exact_factor = steps.imbalance_factor
    monkeypatch.setattr(
        steps, "imbalance_factor", lambda *a, **k: exact_factor(*a, **k) + arb("1e-30")
    )
    found = scalar_claims.g2_enclosed(run, DPS)
    assert len(found.contradictions) == len(found.proofs) == 3 * 3  # every step and pair
    assert all(p.tier is Tier.CERTIFIED for p in found.contradictions)


def test_g2_measures_its_residual_against_the_steps_terms_not_the_imbalance():
    """Weights w = 10^32 ± 1/3: D_12 = 4w/3 is ~10^32 times smaller than w², the terms whose
    rounding the residual carries; relative to the terms (size) the step certifies to 50
    digits, relative to |D| alone its enclosure would look only 1e-35 wide."""
    big = 10**32
    run = ScalarRun(scalar(big + F(1, 3), big - F(1, 3)), F(1, 100), 1)
    (proof,) = scalar_claims.g2_enclosed(run, DPS).proofs
    assert proof.holds and proof.tier is Tier.CERTIFIED, proof.detail


# --- ... and on the claims' own cases proves what it decides, at the stated tier ---------

AT_LEAST = {
    "H1": {Tier.EXACT},
    "H2": {Tier.EXACT},
    "H4": {Tier.EXACT},
    "G6": {Tier.EXACT},
    "H3": {Tier.CERTIFIED, Tier.EXACT},
    "F1": {Tier.CERTIFIED, Tier.EXACT},
    "F5": {Tier.CERTIFIED, Tier.EXACT},
    "G2": {Tier.CERTIFIED, Tier.EXACT},
}
UNDECIDED = {"G1": "Taylor-integrated flow", "F6": "no eigenvector enclosure"}
FEW = settings(
    max_examples=20,
    database=None,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def on_cases(strategy, body):
    FEW(given(strategy)(body))()


def test_every_certify_is_tested_here():
    declared = {cid for cid, c in CATALOGUE.items() if c.certify is not None}
    assert declared == set(AT_LEAST) | set(UNDECIDED)


@pytest.mark.parametrize("claim_id", sorted(AT_LEAST))
def test_certify_proves_its_claims_cases_at_the_stated_tier(claim_id):
    claim, reached = CATALOGUE[claim_id], set()

    def body(case):
        found = claim.certify(case, DPS)
        assert not found.contradictions, (case, found.contradictions)
        assert found.tier in AT_LEAST[claim_id], (case, found.weakest)
        reached.add(found.tier)

    on_cases(claim.cases, body)
    assert reached


@pytest.mark.parametrize("claim_id", sorted(UNDECIDED))
def test_certify_leaves_its_claims_cases_undecided_with_the_reason(claim_id):
    claim = CATALOGUE[claim_id]

    def body(case):
        found = claim.certify(case, DPS)
        assert found.tier is Tier.MPMATH and not found.contradictions
        assert found.weakest.holds is None
        assert UNDECIDED[claim_id] in found.weakest.detail

    on_cases(claim.cases, body)


def test_tight_cases_are_decided_exactly():
    def body(case):
        # balanced: F1's equality, proved exactly; depth two: H3 holds with equality (H2)
        f1 = flattest.f1_certify(case, DPS)
        assert [p.name for p in f1.proofs][-1] == "balanced ⇒ λ_max = N σ1^{2−2/N}"
        assert f1.tier is Tier.EXACT
        if case.depth == 2:
            h3 = curvature.h3_certify(case, DPS)
            assert (h3.tier, h3.proofs[0].holds) == (Tier.EXACT, True)
            assert "equal" in h3.proofs[0].detail

    on_cases(balanced_minima(depth=(2, 4), width=(1, 3)), body)


def test_reports_give_the_numeric_tier_with_its_reason():
    from verify.report.pages import _evidence

    record = {
        "message": "",
        "counterexample": None,
        "values": {},
        "numeric_tier": "certified",
        "numeric_tier_reason": "exact 2, certified 1 of 3 cases; case 3: r: slack > 0",
    }
    assert "numeric tier: certified (exact 2, certified 1 of 3 cases; case 3: r: slack > 0)" in (
        _evidence(record)
    )
    assert not any("numeric tier" in line for line in _evidence({**record, "numeric_tier": None}))


@pytest.mark.parametrize(("offset", "agrees"), [(-75, True), (-40, False)])
def test_mpmath_sides_are_compared_with_their_enclosures_exactly(offset, agrees):
    """An mpmath side within its 80-digit tolerance of a 50-digit enclosure agrees, one off by
    1e-40 does not — decided exactly, whatever python-flint's global precision (53 bits here:
    at 53 bits the comparison had flagged 48 against [48 ± 1e-60] as a contradiction)."""
    ctx = workcontext(80)
    with balls.precision(50):
        lam = arb(48) + arb(10) ** -60 - arb(10) ** -60  # a 48-ball of radius ~1e-60
        bound = arb(50)
    value = ctx.mpf(48) * (1 + ctx.mpf(10) ** offset)
    evidence_ = evidence(at_most(value, ctx.mpf(50), "λ ≤ b"))
    proof = enclosed_at_most("λ ≤ b", lam, bound)
    assert proof.holds is True and proof.sides is not None
    found = numeric_tier(
        claim_with(lambda case, dps: certificate(proof)), [(0, evidence_, ctx)], 50
    )
    assert (found.contradiction == "") is agrees
    if not agrees:
        assert (
            "mpmath's lhs" in found.contradiction and "outside its enclosure" in found.contradiction
        )


def test_an_mpmath_rhs_outside_its_enclosure_is_named_as_the_rhs():
    ctx = workcontext(80)
    with balls.precision(50):
        bound = arb(50) + arb(10) ** -60 - arb(10) ** -60  # a 50-ball of radius ~1e-60
    evidence_ = evidence(at_most(ctx.mpf(48), ctx.mpf(50) * (1 + ctx.mpf(10) ** -40), "λ ≤ b"))
    proof = enclosed_at_most("λ ≤ b", arb(48), bound)
    found = numeric_tier(
        claim_with(lambda case, dps: certificate(proof)), [(0, evidence_, ctx)], 50
    )
    assert found.contradiction.startswith("case 1: λ ≤ b: mpmath's rhs ")
    assert "lies outside its enclosure" in found.contradiction


def test_a_slack_that_is_the_point_zero_proves_the_inequality_exactly():
    with balls.precision(DPS):
        tight = enclosed_at_most("x ≤ x", arb(3), arb(3))
        loose = enclosed_at_most("x ≤ x", arb(3) + arb(0, 1e-70), arb(3))
    assert (tight.holds, tight.tier) == (True, Tier.EXACT)
    assert loose.holds is None  # a ball around 0 of positive radius proves nothing


def test_enclosures_that_cannot_be_formed_fall_back_to_the_exact_route_and_say_why():
    def not_isolated():
        raise balls.NotEnclosed("the Gershgorin intervals of a 9×9 matrix are not finite")

    with balls.precision(DPS):
        found = decided_at_most("λ ≤ b", not_isolated, lambda: (rational(1), rational(2)))
        wrong = decided_at_most("λ ≤ b", not_isolated, lambda: (rational(3), rational(2)))
    assert (found.holds, found.tier) == (True, Tier.EXACT)
    assert "no enclosure (NotEnclosed: the Gershgorin intervals" in found.detail
    assert wrong.holds is False
