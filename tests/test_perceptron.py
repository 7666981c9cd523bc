"""Binary-perceptron enumeration (P3–P5): brute-force cross-checks, moments, statistics, errors."""

from fractions import Fraction
from itertools import product
from math import comb

import numpy as np
import pytest
from hypothesis import given, settings

from verify import stats
from verify.claims import perceptron as perceptron_claims
from verify.cli import main
from verify.evidence import Degenerate, InvalidCase
from verify.perceptron import calibration, local, moments, scaling, survey
from verify.perceptron import enumerate as en
from verify.perceptron import experiments as ex
from verify.perceptron.gaussian import gauss_average, gauss_tail
from verify.precision import workcontext


def brute_fields(xi: np.ndarray) -> np.ndarray:
    """min_μ wᵀξ^μ by a plain loop over all w, bit i of x set ⇔ w_i = +1."""
    n = xi.shape[1]
    out = []
    for x in range(1 << n):
        w = np.array([1.0 if (x >> i) & 1 else -1.0 for i in range(n)])
        out.append(min(float(w @ row) for row in xi))
    return np.array(out)


def test_binary_patterns_are_plus_and_minus_one_in_about_equal_numbers():
    xi = en.patterns("binary", 24, 40, seed=5)
    assert xi.shape == (40, 24) and set(np.unique(xi)) == {-1.0, 1.0}
    assert abs(np.mean(xi == 1.0) - 0.5) < 0.1  # 960 fair signs: SD of the fraction ≈ 0.016
    assert np.array_equal(xi, en.patterns("binary", 24, 40, seed=5))


@pytest.mark.parametrize("kind", en.KINDS)
def test_enumeration_matches_a_plain_loop(kind, monkeypatch):
    monkeypatch.setattr(en, "BLOCK", 16)  # force many blocks of the outer sum
    xi = en.patterns(kind, 9, 5, seed=3)
    fields = en.min_fields(xi)
    assert np.allclose(fields, brute_fields(xi), atol=1e-12)
    if kind == "binary":  # integer fields, exactly
        assert np.array_equal(fields, brute_fields(xi))
    inst = en.enumerate_instance(kind, 9, 5, 3)
    assert np.array_equal(inst.solutions, np.flatnonzero(brute_fields(xi) >= -1e-12))


def naive_profile(inst: en.Instance):
    sols = [int(s) for s in inst.solutions]
    counts = np.zeros((len(sols), inst.n + 1), dtype=np.int64)
    sums = np.zeros((len(sols), inst.n + 1))
    for a, s in enumerate(sols):
        for t in sols:
            d = bin(s ^ t).count("1")
            counts[a, d] += 1
            sums[a, d] += inst.margins[t]
    return counts, sums


@pytest.mark.parametrize("method", ["_pairwise_profile", "_transform_profile"])
def test_local_entropy_counts_match_a_naive_double_loop(method):
    inst = en.enumerate_instance("gaussian", 10, 3, 7)
    assert len(inst.solutions) > 50
    profile = getattr(en, method)(inst, inst.solutions)
    counts, sums = naive_profile(inst)
    assert np.array_equal(profile.counts, counts)
    assert np.allclose(profile.margin_sums, sums, atol=1e-9)
    assert np.all(profile.counts[:, 0] == 1) and profile.counts.sum() == len(inst.solutions) ** 2
    for d in (1, 2):
        assert np.array_equal(en.shell_counts(inst, inst.solutions, d), counts[:, d])


def test_walsh_hadamard_is_its_own_inverse_up_to_2_to_the_n():
    x = np.arange(16, dtype=np.int64) ** 2
    assert np.array_equal(en.walsh_hadamard(en.walsh_hadamard(x)), 16 * x)
    n = 6  # the transform of the radius-d shell is the Krawtchouk polynomial K_d(|u|)
    weight = np.bitwise_count(np.arange(1 << n)).astype(np.int64)
    for d in range(n + 1):
        shell = (weight == d).astype(np.int64)
        assert np.array_equal(en.walsh_hadamard(shell), en.krawtchouk(n, d, weight))


@pytest.mark.parametrize(
    ("n", "kappa", "threshold"),
    [
        (16, Fraction(1, 2), 2),
        (9, Fraction(1, 3), 1),
        (9, Fraction(-1, 3), -1),
        (2, 1, 2),
        (16, Fraction(-1, 2), -2),  # κ√N = −2 exactly: κ²N = 4 a perfect square ≠ 1
        (9, Fraction(-1, 2), -1),  # κ√N = −3/2: the least integer above is −1
    ],
)
def test_field_threshold_is_exact(n, kappa, threshold):
    assert en.field_threshold(n, kappa) == threshold


def test_binary_count_is_exact_where_float64_rounds_across_an_integer():
    """N = 2, one ±1 pattern ξ: the fields are (−2, 0, 0, 2), 2 at w = ξ only. For κ just
    below √2 (κ√2 < 2 by ~5·10⁻¹⁸), float(κ)·√2 rounds to 2 + 4·10⁻¹⁶ > 2, so only the exact
    integer threshold ⌈κ√2⌉ = 2 counts w = ξ."""
    kappa = Fraction(float(np.sqrt(2))) - Fraction(1, 10**16)
    assert kappa * kappa * 2 < 4 and float(kappa) * np.sqrt(2) > 2
    inst = en.enumerate_instance("binary", 2, 1, 0)
    assert sorted(inst.fields) == [-2, 0, 0, 2]
    assert en.field_threshold(2, kappa) == 2 and inst.count_at_least(kappa) == 1


def test_binary_moments_match_an_average_over_every_pattern_set():
    """N = 3, M = 2: all 2^6 pattern sets, E C and E C² exactly (no sampling)."""
    n, m, kappa = 3, 2, Fraction(1, 3)
    t = en.field_threshold(n, kappa)
    counts = []
    for bits in product((-1.0, 1.0), repeat=n * m):
        fields = en.min_fields(np.array(bits).reshape(m, n))
        counts.append(int(np.count_nonzero(fields >= t)))
    ctx = workcontext(30)
    mom = moments.moments(ctx, "binary", n, m, kappa)
    assert mom.first == ctx.mpf(sum(counts)) / len(counts)
    assert mom.second == ctx.mpf(sum(c * c for c in counts)) / len(counts)


def test_gaussian_pair_probability_matches_quadrature():
    ctx = workcontext(40)
    kappa = ctx.mpf(1) / 3
    for q in (ctx.mpf(9) / 10, ctx.mpf(-1) / 2, ctx.zero):
        root = ctx.sqrt(1 - q * q)
        direct = gauss_average(
            ctx, lambda z, q=q, root=root: gauss_tail(ctx, (kappa - q * z) / root), kappa
        )
        assert abs(moments.gaussian_pair(ctx, kappa, q) - direct) < ctx.mpf(10) ** -35
    assert moments.gaussian_pair(ctx, kappa, 1) == gauss_tail(ctx, kappa)
    assert moments.gaussian_pair(ctx, kappa, -1) == 0


def test_mean_test_accepts_the_first_moment_and_rejects_a_wrong_one():
    ctx = workcontext(30)
    n, m, kappa = 12, 6, Fraction(0)
    counts = [en.enumerate_instance("gaussian", n, m, s).count_at_least(kappa) for s in range(300)]
    right = moments.mean_test(ctx, counts, moments.moments(ctx, "gaussian", n, m, kappa), 2**n)
    assert right.expected == 2**6 and right.p_value >= 1e-4
    wrong = moments.moments(ctx, "gaussian", n, m - 1, kappa)  # twice the true mean
    assert moments.mean_test(ctx, counts, wrong, 2**n).p_value < 1e-4


def test_mean_test_z_score_and_a_count_that_is_always_zero():
    """Counts (0, 4) against E C = 1, E C² = 5: mean 2, Var C / K = (5 − 1) / 2 = 2, so
    z = (2 − 1) / √2. With E C = E C² = 0 every count is 0: nothing to reject, p = 1."""
    ctx = workcontext(30)
    test = moments.mean_test(ctx, [0, 4], moments.Moments(ctx.one, ctx.mpf(5)), 4)
    assert test.mean == 2 and test.expected == 1 and test.z == 1 / ctx.sqrt(2)
    none = moments.mean_test(ctx, [0, 0], moments.Moments(ctx.zero, ctx.zero), 4)
    assert none.z == 0 and none.p_value == 1


def test_spearman_handles_ties_and_constants():
    x = np.array([1.0, 2.0, 3.0, 4.0])
    assert stats.spearman(x, np.array([1, 1, 2, 3])) == pytest.approx(0.9486832980505138)
    assert stats.spearman(x, -x) == pytest.approx(-1)
    assert stats.spearman(x, np.ones(4)) is None
    assert list(stats.ranks(np.array([5, 1, 5, 2]))) == [3.5, 1, 3.5, 2]


def test_local_entropy_grows_with_margin_for_gaussian_patterns():
    found = [local.density("gaussian", 14, 5, s) for s in range(30)]
    rhos = [f.rho[0] for f in found if f.rho[0] is not None]
    assert len(rhos) >= 25 and np.mean(rhos) > 0.3
    assert np.mean([f.neighbour_slope for f in found if f.neighbour_slope is not None]) < 0


def test_logistic_midpoint_recovers_a_known_crossover():
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, 20_000)
    y = rng.uniform(0, 1, x.size) < 1 / (1 + np.exp(20 * (x - 0.4)))  # falls through 1/2 at 0.4
    mid, se = stats.logistic_midpoint(x, y)
    assert 0 < se < 0.01 and abs(mid - 0.4) < 4 * se
    with pytest.raises(ValueError, match="separated"):
        stats.logistic_midpoint([0.1, 0.2, 0.3, 0.4], [1, 1, 0, 0])
    with pytest.raises(ValueError, match="same"):
        stats.logistic_midpoint([0.1, 0.2], [1, 1])
    with pytest.raises(ValueError, match="does not fall"):
        stats.logistic_midpoint(x, ~y)


def test_weighted_line_scales_its_errors_by_the_scatter():
    coef, _, chi2 = stats.weighted_line([1, 2, 3, 4], [3, 5, 7, 9], [0.1] * 4)
    assert coef == pytest.approx([1, 2]) and chi2 == pytest.approx(0, abs=1e-20)
    _, tight, _ = stats.weighted_line([1, 2, 3, 4], [3, 5, 7, 9], [1] * 4)
    _, loose, chi2 = stats.weighted_line([1, 2, 3, 4], [3, 7, 5, 9], [1] * 4)
    assert chi2 > 1 and loose[0, 0] == pytest.approx(tight[0, 0] * chi2)
    with pytest.raises(ValueError, match="≥ 3 points"):
        stats.weighted_line([1, 2], [1, 2], [1, 1])
    low, high = stats.wilson(0, 20)
    assert low == 0 and high == pytest.approx(16 / 36)


def test_monotone_reach_is_full_at_low_load_and_short_near_capacity():
    assert all(local.monotone_reach("gaussian", 15, 2, s) == (5, 5) for s in range(10))
    near = [local.monotone_reach("gaussian", 15, 13, s) for s in range(20)]
    assert sum(r is not None and r[0] == 5 for r in near) <= 3


def test_p5_radii_use_sizes_where_cn_is_whole():
    assert scaling.sizes_for(Fraction(1, 6), 18) == [6, 12, 18]
    assert scaling.sizes_for(Fraction(1, 4), 18) == [8, 12, 16]
    assert scaling.sizes_for(Fraction(1, 3), 18) == [6, 9, 12, 15, 18]
    sweep = scaling.size_sweep("gaussian", 12, 0, 10)
    assert list(sweep.monotone(Fraction(1, 4))) == list(sweep.reach[:, 0] >= 3)
    with pytest.raises(ValueError, match="not a whole number"):
        sweep.monotone(Fraction(1, 5))
    with pytest.raises(ValueError, match=r"needs 3 sizes \(N ≥ 18\)"):
        ex.Scaling("gaussian", 16, 0, 10)


def _sat_sweep(n: int, threshold: float, instances: int = 400) -> scaling.SizeSweep:
    """A synthetic sweep whose SAT fraction at α = M/N is 1/(1 + e^{(α − α_c(N))/0.05}),
    α_c(N) = threshold + 1/(2N): the satisfiable instances' loads (their reach unused)."""
    alphas = np.arange(1, n + 1) / n
    sat = np.round(instances / (1 + np.exp((alphas - threshold - 0.5 / n) / 0.05))).astype(int)
    loads = np.repeat(alphas, sat)
    return scaling.SizeSweep(n, loads, np.zeros((len(loads), 2), dtype=int), instances)


def test_calibration_recovers_a_known_threshold_and_flags_one_it_misses():
    sweeps = [_sat_sweep(n, 0.8) for n in (6, 9, 12, 15, 18)]
    for s in sweeps:
        assert abs(s.sat_crossover()[0] - (0.8 + 0.5 / s.n)) < 0.01
    found = calibration.calibrate(sweeps, 0.3, known=0.8)
    assert found.recovered and abs(found.fit.limit - 0.8) < 0.01 and found.fit.fraction is None
    missed = calibration.calibrate(sweeps, 0.3, known=0.9)
    assert not missed.recovered
    assert "calibration α_∞ = 0.80" in missed.summary() and "vs α_KM = 0.9000" in missed.summary()
    narrow = calibration.calibrate(sweeps, 1e-6, known=0.8)
    assert not narrow.recovered and "wider than 1e-06" in narrow.summary()
    assert abs(calibration.alpha_km() - 0.8330786) < 1e-7  # P2's value


def test_p5_is_inconclusive_when_its_method_misses_alpha_km(monkeypatch):
    sweeps = {n: _sat_sweep(n, 0.7) for n in range(6, 19)}
    monkeypatch.setattr(perceptron_claims, "size_sweep", lambda kind, n, seed, k: sweeps[n])
    with pytest.raises(
        Degenerate,
        match=r"not recover α_KM: calibration α_∞ = 0\.(69|70)\d* \[.*\] vs α_KM = 0\.8331",
    ):
        perceptron_claims.p5_flat_minima_vanish(ex.Scaling("gaussian", 18, 0, 400), None)


def test_p5_extrapolates_each_radius_and_supports_only_when_they_agree():
    ctx = workcontext(30)
    ev = perceptron_claims.p5_flat_minima_vanish(ex.Scaling("gaussian", 18, 1, 100), ctx)
    meets = []
    for q in (6, 4, 3):
        low, high = ev.values[f"alpha_infinity_N{q}_interval"]
        assert low < ev.values[f"alpha_infinity_N{q}"] < high
        meets.append(high - low <= perceptron_claims.MAX_WIDTH and low <= 0.78 and high >= 0.77)
        effect = ev.observation.effects[f"α_∞(N/{q}) − 0.775"]
        assert effect[0] == pytest.approx(ev.values[f"alpha_infinity_N{q}"] - 0.775)
    expected = {(True,) * 3: "supports", (False,) * 3: "contradicts"}.get(tuple(meets), "tie")
    assert ev.observation.outcome == expected
    if expected == "tie":  # radii disagree or one is too wide: every radius is named
        assert all(f"D = N/{q}" in ev.observation.mechanism for q in (6, 4, 3))
    crossovers = ev.values["crossovers_N3"]
    assert len(crossovers) == 5 and ev.values["slope_N3"] != 0


def test_p5_case_has_enough_sizes_for_every_radius():
    @given(ex.scalings())
    @settings(max_examples=5, database=None)
    def enough(case):
        assert all(len(scaling.sizes_for(c, case.largest)) >= 3 for c in scaling.RADII)

    enough()


def test_p3_check_holds_and_p4_check_reports_intervals():
    ctx = workcontext(30)
    case = ex.FirstMoment(ex.Enumerated("binary", 11, Fraction(1, 2), 1, 200), Fraction(1, 4))
    ev = perceptron_claims.p3_first_moment(case, ctx)
    assert ev.observation.outcome == "supports" and ev.values["instances"] == 200
    assert ev.values["p_value"] >= float(perceptron_claims.P_MIN)
    ev = perceptron_claims.p4_dense_high_margin(
        ex.Enumerated("gaussian", 14, Fraction(2, 5), 0, 60), ctx
    )
    assert ev.observation.outcome == "supports" and ev.values["rho_1_interval"][0] > 0


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: en.check_size(25), r"N = 25 is outside 1\.\.24"),
        (lambda: en.patterns_count(12, 0), r"α = 0 must be positive"),
        (lambda: en.patterns("ternary", 5, 2, 0), "unknown pattern kind 'ternary'"),
        (lambda: ex.Enumerated("gaussian", 30, Fraction(1, 2), 0, 10).seeds(), "N = 30"),
        (lambda: ex.Enumerated("gaussian", 10, Fraction(1, 2), 0, 1).seeds(), "at least 2"),
    ],
)
def test_invalid_inputs_are_one_line_errors(call, message):
    with pytest.raises(InvalidCase, match=message) as info:
        call()
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--n", "30"], "N = 30 is outside 1..24"), (["--alpha", "-0.5"], "must be positive")],
)
def test_plot_perceptron_rejects_bad_sizes_in_one_line(tmp_path, capsys, args, message):
    assert main(["plot", "perceptron", "-o", str(tmp_path), *args]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_first_moment_formula_is_2_to_the_n_minus_m_at_zero_margin():
    ctx = workcontext(30)
    for kind in en.KINDS:
        n, m = 9, 4  # odd N: no ±1 field is 0, so P(field ≥ 0) = 1/2
        assert moments.moments(ctx, kind, n, m, Fraction(0)).first == 2 ** (n - m)
    mom = moments.moments(ctx, "gaussian", 9, 4, Fraction(0))
    assert mom.variance > 0
    closed = (
        sum(
            comb(9, d) * (ctx.mpf(1) / 4 + ctx.asin(1 - ctx.mpf(2 * d) / 9) / (2 * ctx.pi)) ** 4
            for d in range(10)
        )
        * 2**9
    )
    assert abs(mom.second - closed) < ctx.mpf(10) ** -25  # κ = 0: p₂ = 1/4 + asin(q)/2π


def test_local_entropy_by_class_matches_naive_profiles_by_margin_quartile():
    """N = 8, M = 5, seeds 0 and 1: seed 0 has 1 solution (< CLASSES, skipped), seed 1 has 7,
    split by margin into classes of 2, 2, 2, 1; against naive_profile, d = 1..4. Some class
    has exactly one solution at some d (its mean margin is that solution's) and some none."""
    found = survey.local_entropy_by_class(survey.Survey(n=8, alpha=0.625, instances=2))
    assert (found.n, found.m, list(found.ds), found.first_moment) == (8, 5, [1, 2, 3, 4], 2**-5)
    assert len(en.enumerate_instance("gaussian", 8, 5, 0).solutions) == 1
    inst = en.enumerate_instance("gaussian", 8, 5, 1)
    counts, sums = naive_profile(inst)
    shells = np.array([comb(8, d) for d in range(9)])
    parts = np.array_split(np.argsort(inst.solution_margins), survey.CLASSES)
    assert [len(p) for p in parts] == [2, 2, 2, 1]
    class_counts = np.array([counts[p].sum(0) for p in parts])[:, 1:5]
    assert (class_counts == 1).any() and (class_counts == 0).any()
    for c, part in enumerate(parts):
        assert np.allclose(
            found.fractions[c], (counts[part] / shells).mean(0)[1:5], rtol=1e-12, atol=0
        )
        with np.errstate(invalid="ignore"):
            margins = sums[part].sum(0)[1:5] / counts[part].sum(0)[1:5]
        assert np.allclose(found.margins[c], margins, atol=1e-12, equal_nan=True)


def test_local_entropy_by_class_without_instances_of_four_solutions():
    """N = 2: w and −w are never both solutions, so no instance has CLASSES = 4 solutions."""
    found = survey.local_entropy_by_class(survey.Survey(n=2, alpha=1, instances=2))
    assert (found.n, found.m, list(found.ds), found.first_moment) == (2, 2, [1], 0.25)
    assert found.fractions == () and found.margins == ()


def test_counts_by_load_are_the_solution_counts_of_seeds_of_block_1():
    """N = 4, M = 1..4, 3 instances seeded SEED_STRIDE + k (seed_block(1, 3)): solutions by a
    plain loop over all w; the first moment 2^(N − M) (P3 at κ = 0)."""
    found = survey.counts_by_load(survey.Survey(count_size=4, count_instances=3))
    assert (found.n, found.instances) == (4, 3)
    assert list(found.loads) == [0.25, 0.5, 0.75, 1.0]
    assert list(found.first_moment) == [8.0, 4.0, 2.0, 1.0]
    for i, m in enumerate(range(1, 5)):
        seeds = [en.SEED_STRIDE + k for k in range(3)]
        counts = [
            np.count_nonzero(brute_fields(en.patterns("gaussian", 4, m, s)) >= 0) for s in seeds
        ]
        mean, low, high = stats.interval(counts)
        assert (found.means[i], found.lows[i], found.highs[i]) == (mean, low, high)
        assert found.medians[i] == np.median(counts)
    assert found.means[0] > found.means[-1]  # a load that changes the counts


def _sweep(n: int) -> scaling.SizeSweep:
    """A synthetic sweep: at α = 1/4, 1/2, 3/4, 3, 2 and 1 of 4 instances monotone out to
    ⌊N/3⌋ (reach ⌊N/3⌋, else 0), symmetric about α = 1/2."""
    loads = np.repeat([0.25, 0.5, 0.75], 4)
    monotone = np.array([1, 1, 1, 0, 1, 1, 0, 0, 1, 0, 0, 0])
    return scaling.SizeSweep(n, loads, np.repeat(monotone[:, None] * (n // 3), 2, axis=1), 4)


def test_size_curve_has_the_monotone_fractions_their_wilson_bands_and_the_fit():
    curve = survey._curve(_sweep(6), Fraction(1, 3))
    assert curve.n == 6 and list(curve.alphas) == [0.25, 0.5, 0.75]
    assert list(curve.fractions) == [0.75, 0.5, 0.25]
    bands = [stats.wilson(k, 4) for k in (3, 2, 1)]
    assert list(zip(curve.lows, curve.highs, strict=True)) == bands
    beta, _ = stats.logistic_fit(_sweep(6).loads, _sweep(6).monotone(Fraction(1, 3)))
    assert np.allclose(curve.fitted, 1 / (1 + np.exp(-(beta[0] + beta[1] * survey.GRID))))
    assert survey.GRID[100] == 0.5 and curve.fitted[100] == pytest.approx(0.5, abs=1e-12)


def test_crossovers_fit_every_radius_over_its_sizes(monkeypatch):
    """Synthetic sweeps symmetric about α = 1/2 at every size: each crossover, hence each
    extrapolated limit, is 1/2; the curves are at D = N/3 (sizes 6, 9, …, 18)."""
    calls = []
    monkeypatch.setattr(survey, "size_sweep", lambda *args: calls.append(args) or _sweep(args[1]))
    found = survey.crossovers(survey.Survey(sweep_instances=4))
    assert sorted(calls) == [("gaussian", n, 0, 4) for n in (6, 8, 9, 12, 15, 16, 18)]
    assert found.radius == Fraction(1, 3) and found.grid is survey.GRID
    assert [c.n for c in found.curves] == [6, 9, 12, 15, 18]
    assert [f.fraction for f in found.fits] == list(scaling.RADII)
    assert [f.sizes for f in found.fits] == [[6, 12, 18], [8, 12, 16], [6, 9, 12, 15, 18]]
    assert all(f.limit == pytest.approx(0.5, abs=1e-9) for f in found.fits)
    assert found.literature == (0.77, 0.78)


def test_mean_margins_are_nan_where_a_shell_holds_no_solution_by_either_method():
    inst = en.enumerate_instance("gaussian", 8, 4, 0)
    pairwise = en._pairwise_profile(inst, inst.solutions)
    transform = en._transform_profile(inst, inst.solutions)  # empty shells sum to ~1e-16, not 0
    for profile in (pairwise, transform):
        means, empty = profile.mean_margins(), profile.counts == 0
        assert empty.any() and np.isnan(means[empty]).all()
        assert np.isfinite(means[~empty]).all()
    assert np.allclose(pairwise.mean_margins(), transform.mean_margins(), equal_nan=True)


def _draws(strategy, count: int) -> list:
    """`count` derandomized (seed-fixed) draws of a Hypothesis strategy (built by the caller:
    the catalogue's strategies were built once, at import)."""
    drawn = []

    @given(strategy)
    @settings(max_examples=count, derandomize=True, database=None)
    def collect(case):
        drawn.append(case)

    collect()
    return drawn


def test_p3_cases_draw_the_documented_domain():
    cases = _draws(ex.first_moments(), 300)
    kappas = [c.kappa for c in cases]
    loads = [c.experiment.load for c in cases]
    seeds = [c.experiment.seed for c in cases]
    assert (min(kappas), max(kappas)) == (Fraction(-1, 2), 1)
    assert max(k.denominator for k in kappas) == 6
    assert (min(loads), max(loads)) == (Fraction(1, 4), 1)
    assert max(a.denominator for a in loads) <= 20
    assert (min(seeds), max(seeds)) == (0, 2**16)
    assert {c.experiment.n for c in cases} == set(range(8, 17))
    assert {c.experiment.kind for c in cases} == set(en.KINDS)
    assert {c.experiment.instances for c in cases} == {300}


def test_p5_cases_are_seeded_gaussian_sweeps_to_n_18_with_100_instances_per_load():
    cases = _draws(ex.scalings(), 100)
    assert {(c.kind, c.largest, c.instances) for c in cases} == {("gaussian", 18, 100)}
    seeds = [c.seed for c in cases]
    assert (min(seeds), max(seeds)) == (0, 2**16)


def test_size_fit_recovers_a_line_in_one_over_n_and_keeps_each_sizes_error():
    sizes, errors = [6, 9, 12, 18], [0.02, 0.01, 0.01, 0.005]
    points = [(0.8 + 0.5 / n, e) for n, e in zip(sizes, errors, strict=True)]
    fit = scaling.fit_in_size(Fraction(1, 3), sizes, points)
    assert fit.fraction == Fraction(1, 3) and fit.sizes == sizes
    assert fit.crossovers == [p[0] for p in points] and fit.errors == errors
    assert fit.halfwidths == pytest.approx([4 * e for e in errors])  # each size's ± 4 SE bar
    assert fit.limit == pytest.approx(0.8) and fit.slope == pytest.approx(0.5)
    assert fit.chi2_dof == pytest.approx(0, abs=1e-20)


def test_p3_reports_the_second_moment_ratio_of_the_count():
    ctx = workcontext(30)
    case = ex.FirstMoment(ex.Enumerated("gaussian", 8, Fraction(1, 2), 0, 50), Fraction(0))
    ratio = perceptron_claims.p3_first_moment(case, ctx).values["second_moment_ratio"]
    mom = moments.moments(ctx, "gaussian", 8, 4, Fraction(0))
    assert ratio == mom.second / mom.first**2 and ratio > 1  # E C² / (E C)² > 1: C varies


def _fit(fraction: Fraction | None, limit: float, error: float) -> scaling.Extrapolation:
    """An extrapolation to `limit` ± `error` (its per-size points are placeholders)."""
    return scaling.Extrapolation(
        fraction, [6, 12, 18], [limit] * 3, [error] * 3, limit, error, 0, 1
    )


MEETS, EXCLUDES, WIDE = "meets it", "excludes it", "wider than 0.3"


@pytest.mark.parametrize(
    "fits, outcome, mechanism",
    [
        (((0.775, MEETS), (0.774, MEETS), (0.776, MEETS)), "supports", ""),
        (((0.5, EXCLUDES), (0.45, EXCLUDES), (0.4, EXCLUDES)), "contradicts", "every radius"),
        (((0.775, MEETS), (0.5, EXCLUDES), (0.4, EXCLUDES)), "tie", "the crossover depends"),
        (((0.775, WIDE), (0.775, MEETS), (0.775, MEETS)), "tie", "the crossover depends"),
    ],
)
def test_p5_outcome_names_what_every_radius_says(monkeypatch, fits, outcome, mechanism):
    """Each radius's α_∞ ± 4 SE (SE 0.01, or 0.1: too wide) decides the outcome; a contradiction
    or a tie says what every radius found."""
    errors = [0.1 if said == WIDE else 0.01 for _, said in fits]
    by_radius = {c: _fit(c, f[0], e) for c, f, e in zip(scaling.RADII, fits, errors, strict=True)}
    recovered = calibration.Calibration(
        _fit(None, 0.833, 0.01), 0.8331, perceptron_claims.MAX_WIDTH
    )
    monkeypatch.setattr(perceptron_claims, "calibrate", lambda sweeps, width: recovered)
    monkeypatch.setattr(perceptron_claims, "size_sweep", lambda kind, n, seed, k: n)
    monkeypatch.setattr(perceptron_claims, "extrapolate", lambda sweeps, c, ref: by_radius[c])
    case = ex.Scaling("gaussian", 18, 0, 100)
    seen = perceptron_claims.p5_flat_minima_vanish(case, None).observation
    assert seen.outcome == outcome
    assert list(seen.effects) == [f"α_∞(N/{q}) − 0.775" for q in (6, 4, 3)]
    assert seen.mechanism.startswith(mechanism)
    for q, (limit, said), error in zip((6, 4, 3), fits, errors, strict=True):
        half = stats.INTERVAL_Z * error
        summary = f"D = N/{q}: α_∞ = {limit:.3f} [{limit - half:.3f}, {limit + half:.3f}] {said}"
        assert (summary in seen.mechanism) == (outcome != "supports")


def test_p5_reports_each_radius_under_its_own_size_key(monkeypatch):
    """Radius D = N/q's values are keyed N{q} (N6, N4, N3): α_∞, its interval, slope, χ²/dof
    and crossovers of the highest-margin fit, and the typical-solution α_∞, one set per radius."""
    best = {c: _fit(c, 0.77 + k / 100, 0.01) for k, c in enumerate(scaling.RADII)}
    typical = {c: _fit(c, 0.6 + k / 100, 0.01) for k, c in enumerate(scaling.RADII)}
    recovered = calibration.Calibration(
        _fit(None, 0.833, 0.01), 0.8331, perceptron_claims.MAX_WIDTH
    )
    highest = scaling.REFERENCES.index("highest-margin")
    monkeypatch.setattr(perceptron_claims, "calibrate", lambda sweeps, width: recovered)
    monkeypatch.setattr(perceptron_claims, "size_sweep", lambda kind, n, seed, k: n)
    monkeypatch.setattr(
        perceptron_claims,
        "extrapolate",
        lambda sweeps, c, ref: (best if ref == highest else typical)[c],
    )
    values = perceptron_claims.p5_flat_minima_vanish(
        ex.Scaling("gaussian", 18, 0, 100), None
    ).values
    names = ("alpha_infinity", "slope", "chi2_per_dof", "crossovers", "typical_alpha_infinity")
    keys = {f"{name}_N{q}" for name in names for q in (6, 4, 3)}
    keys |= {f"alpha_infinity_N{q}_interval" for q in (6, 4, 3)}
    assert set(values) == keys | {"calibration_alpha", "calibration_interval", "alpha_KM"}
    for q, c in zip((6, 4, 3), scaling.RADII, strict=True):
        assert c.denominator == q
        assert values[f"alpha_infinity_N{q}"] == best[c].limit
        assert values[f"alpha_infinity_N{q}_interval"] == list(best[c].interval)
        assert values[f"crossovers_N{q}"] == best[c].crossovers
        assert values[f"typical_alpha_infinity_N{q}"] == typical[c].limit
