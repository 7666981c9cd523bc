"""Certified Arb-ball enclosures (verify/linear/balls.py) against exact spectra: matrices
built with known eigenvalues, and exact algebraic values (verify/algebraic.py,
verify/linear/exact.py) of λ_max, ‖W‖₂ and ‖W‖_F."""

import math
from collections import Counter
from fractions import Fraction as F
from itertools import pairwise

import flint
import pytest
from flint import arb, arb_mat, fmpq, fmpq_mat
from hypothesis import given, settings
from hypothesis import strategies as st

from verify import cases
from verify.algebraic import (
    AlgebraicNumber,
    characteristic_polynomial,
    compare,
    largest_real_root,
    rational,
    real_roots,
)
from verify.linear import balls as bl
from verify.linear import exact as ex
from verify.linear.network import LinearNetwork, rows_product, transpose
from verify.linear.strategies import invertible
from verify.rationals import rationals

DPS = (30, 60)
OFF = F(1, 10**30)  # λ·(1 ± 10^−30) lies outside every enclosure (dps ≥ 30)


def rows(*matrix):
    return tuple(tuple(F(x) for x in row) for row in matrix)


def exact(x: arb) -> F:
    """An exact arb (a dyadic point) as a Fraction."""
    man, exp = x.man_exp()
    return F(int(man)) * F(2) ** int(exp)


def ends(ball: arb) -> tuple[F, F]:
    """The ball's ends, exactly (rounded outward only past 4000 bits: lower() and upper()
    round to the working precision, which outside `precision` is 53 bits)."""
    with flint.ctx.workprec(4000):
        return exact(ball.lower()), exact(ball.upper())


def q_matrix(rows) -> fmpq_mat:
    return fmpq_mat([[fmpq(x.numerator, x.denominator) for x in row] for row in rows])


def encloses(ball: arb, r: AlgebraicNumber, dps: int) -> bool:
    """r ∈ ball, decided on r's isolating interval refined well below the ball's radius."""
    lo, hi = r.refined(2 * dps + 20)
    blo, bhi = ends(ball)
    return blo <= lo and hi <= bhi


def assert_excludes_neighbours(ball: arb, r: AlgebraicNumber) -> None:
    """r·(1 ± 10^−30) ∉ ball (r ≠ 0)."""
    lo, hi = r.refined(80)
    blo, bhi = ends(ball)
    assert bhi < lo + abs(lo) * OFF
    assert blo > hi - abs(hi) * OFF


def assert_tight(ball: arb, scale, dps: int) -> None:
    blo, bhi = ends(ball)
    assert (bhi - blo) / 2 <= F(1, 10 ** (dps - 10)) * max(1, abs(F(scale)))


def exact_spectrum(m: fmpq_mat) -> list[tuple[AlgebraicNumber, int]]:
    """m's eigenvalues with multiplicities (all real: asserted)."""
    _, factors = characteristic_polynomial(m).factor()
    spectrum = [(r, e) for f, e in factors for r in real_roots(f)]
    assert sum(e for _, e in spectrum) == m.nrows()
    return spectrum


def assert_clusters_hold(m: fmpq_mat, clusters, dps: int) -> list[tuple[AlgebraicNumber, int]]:
    """Ascending disjoint clusters; every exact eigenvalue in exactly one, and each cluster's
    count the multiplicities it holds."""
    spectrum = exact_spectrum(m)
    assert sum(count for _, count in clusters) == m.nrows()
    for (a, _), (b, _) in pairwise(clusters):
        assert ends(a)[1] < ends(b)[0]
    held = [0] * len(clusters)
    for r, e in spectrum:
        homes = [i for i, (ball, _) in enumerate(clusters) if encloses(ball, r, dps)]
        assert len(homes) == 1
        held[homes[0]] += e
    assert held == [count for _, count in clusters]
    return spectrum


def scale_of(spectrum) -> F:
    return max(abs(r.interval[0]) + abs(r.interval[1]) for r, _ in spectrum)


def test_precision_sets_and_restores_flints_bits():
    assert bl.bits(30) == math.ceil(30 * math.log2(10)) + bl.GUARD_BITS == 164
    assert bl.bits(60) == 264
    before = flint.ctx.prec
    with bl.precision(30):
        assert flint.ctx.prec == 164
        with bl.precision(60):
            assert flint.ctx.prec == 264
        assert flint.ctx.prec == 164
    assert flint.ctx.prec == before


@pytest.mark.parametrize("dps", DPS)
def test_a_diagonal_with_a_repeated_entry(dps):
    # Arb's certified eig fails on this one (docstring of verify/linear/balls.py).
    values = [F(17, 4), F(8), F(1, 2), F(17, 4)]
    diagonal = fmpq_mat(4, 4)
    for i, v in enumerate(values):
        diagonal[i, i] = fmpq(v.numerator, v.denominator)
    with bl.precision(dps):
        m = arb_mat(diagonal)
        clusters = bl.eigenvalue_clusters(m)
        top = bl.lambda_max(m)
    assert [count for _, count in clusters] == [1, 2, 1]
    for (ball, _), value in zip(clusters, [F(1, 2), F(17, 4), F(8)], strict=True):
        blo, bhi = ends(ball)
        assert blo <= value <= bhi
        assert_tight(ball, value, dps)
    assert encloses(top, rational(8), dps) and not encloses(top, rational(F(17, 4)), dps)
    assert_excludes_neighbours(top, rational(8))


@pytest.mark.parametrize(
    ("rows_", "expected"),
    [
        # Q = I (the similarity left out): the clusters are the components of the rows'
        # intervals b_ii ± Σ_{j≠i} |b_ij| themselves. Two far apart, one touching pair (a
        # closed component: merged), and an interval nested in a wider one before a third
        # that meets only the wider one.
        ([[0, "1/4", 0], ["-1/4", 0, 0], [0, 0, 10]], [("-1/4", "1/4", 2), (10, 10, 1)]),
        ([["1/2", "1/2"], ["1/2", "3/2"]], [(0, 2, 2)]),
        ([[2, 1, -1], ["1/4", "3/2", "1/4"], ["1/2", "-1/4", "17/4"]], [(0, 5, 3)]),
        (
            [[3, 0, "1/8"], [0, -3, "1/8"], [0, 0, "1/2"]],
            [("-25/8", "-23/8", 1), ("1/2", "1/2", 1), ("23/8", "25/8", 1)],
        ),
    ],
)
def test_gershgorin_components(rows_, expected):
    with bl.precision(30):
        clusters = bl._gershgorin(arb_mat(q_matrix(rows(*rows_))))
    assert [count for _, count in clusters] == [count for _, _, count in expected]
    for (ball, _), (lo, hi, _) in zip(clusters, expected, strict=True):
        blo, bhi = ends(ball)  # [lo, hi] as a ball: its radius rounded up (30-bit mag)
        lo, hi = F(lo), F(hi)
        assert blo <= lo and hi <= bhi
        assert lo - blo <= F(1, 10**8) * (hi - lo) and bhi - hi <= F(1, 10**8) * (hi - lo)


@st.composite
def rotated_diagonals(draw):
    """(Q D Qᵀ, D's entries): Q rational orthogonal (Cayley), D with repeated entries."""
    n = draw(st.integers(1, 5))
    pool = draw(st.lists(rationals(-4, 4, 4), min_size=1, max_size=n, unique=True))
    d = [draw(st.sampled_from(pool)) for _ in range(n)]
    q = q_matrix(draw(cases.orthogonal(n)))
    diagonal = fmpq_mat(n, n)
    for i, v in enumerate(d):
        diagonal[i, i] = fmpq(v.numerator, v.denominator)
    return q * diagonal * q.transpose(), d


@settings(max_examples=40, deadline=None)
@given(rotated_diagonals(), st.sampled_from(DPS))
def test_rotated_diagonals_cluster_by_multiplicity(case, dps):
    m, d = case
    multiplicities = sorted(Counter(d).items())
    with bl.precision(dps):
        clusters = bl.eigenvalue_clusters(arb_mat(m))
        top = bl.lambda_max(arb_mat(m))
    assert [count for _, count in clusters] == [k for _, k in multiplicities]
    scale = max(abs(v) for v in d)
    for (ball, _), (value, _) in zip(clusters, multiplicities, strict=True):
        blo, bhi = ends(ball)
        assert blo <= value <= bhi
        assert_tight(ball, scale, dps)
    largest = rational(max(d))
    assert encloses(top, largest, dps)
    if max(d) != 0:
        assert_excludes_neighbours(top, largest)


def _rational_rows(rows: int, cols: int):
    entries = rationals(-3, 3, 4)
    return st.lists(
        st.lists(entries, min_size=cols, max_size=cols), min_size=rows, max_size=rows
    ).map(lambda m: tuple(map(tuple, m)))


@st.composite
def wide_matrices(draw):
    """W with one or two rows (one of them now and then repeated) and up to six columns: WᵀW
    has the eigenvalue 0 up to five times."""
    cols = draw(st.integers(2, 6))
    w = draw(_rational_rows(draw(st.integers(1, min(2, cols - 1))), cols))
    if draw(st.booleans()):
        w = (*w, w[0])
    return w


@settings(max_examples=40, deadline=None)
@given(wide_matrices(), st.sampled_from(DPS))
def test_rank_deficient_gram_matrices(w, dps):
    m = q_matrix(rows_product(transpose(w), w))
    with bl.precision(dps):
        clusters = bl.eigenvalue_clusters(arb_mat(m))
    spectrum = assert_clusters_hold(m, clusters, dps)
    assert len(clusters) == len(spectrum)  # distinct eigenvalues, distinct clusters
    zero = [e for r, e in spectrum if compare(r, rational(0)) == 0]
    assert zero and zero[0] >= m.nrows() - len(w)  # rank ≤ rows
    for ball, _ in clusters:
        assert_tight(ball, scale_of(spectrum), dps)


@pytest.mark.parametrize(
    "v",
    # Arb's eigenvectors of v vᵀ (the eigenvalue 0 four or three times) were dependent (at
    # 30 digits: NotEnclosed) or nearly so (at 60 digits: both clusters ±1e−38).
    [(2, "5/2", 0, 0, 1), ("-11/3", 0, "-11/3", 0)],
)
@pytest.mark.parametrize("dps", DPS)
def test_rank_one_gram_matrices(v, dps):
    v = tuple(F(x) for x in v)
    m = q_matrix(rows_product(transpose((v,)), (v,)))
    with bl.precision(dps):
        clusters = bl.eigenvalue_clusters(arb_mat(m))
    norm = sum(x * x for x in v)
    assert [count for _, count in clusters] == [len(v) - 1, 1]
    for (ball, _), value in zip(clusters, [0, norm], strict=True):
        blo, bhi = ends(ball)
        assert blo <= value <= bhi
        assert_tight(ball, norm, dps)


@st.composite
def similar_to_symmetric(draw):
    """AᵀA Σ (Σ SPD): similar to Σ^{1/2} AᵀA Σ^{1/2}, not symmetric. A square invertible or
    with one row fewer (a simple eigenvalue 0)."""
    n = draw(st.integers(2, 4))
    a = draw(invertible(n))
    if draw(st.booleans()):
        a = a[1:]
    sigma = draw(cases.spd(n))
    return q_matrix(rows_product(rows_product(transpose(a), a), sigma))


@settings(max_examples=40, deadline=None)
@given(similar_to_symmetric(), st.sampled_from(DPS))
def test_a_non_symmetric_matrix_with_a_real_spectrum(m, dps):
    with bl.precision(dps):
        clusters = bl.eigenvalue_clusters(arb_mat(m))
        top = bl.lambda_max(arb_mat(m))
    spectrum = assert_clusters_hold(m, clusters, dps)
    largest = largest_real_root(characteristic_polynomial(m))
    assert encloses(top, largest, dps)
    if all(e == 1 for _, e in spectrum):  # repeated eigenvalues of a non-normal M: no promise
        assert len(clusters) == len(spectrum)
        for ball, _ in clusters:
            assert_tight(ball, scale_of(spectrum), dps)
        assert_excludes_neighbours(top, largest)


@st.composite
def networks(draw):
    """Random rational linear networks: at a global minimum (T = P) or not, whitened or not,
    and the strategies' balanced, gauged and flattest minima."""
    if draw(st.booleans()):
        return draw(cases.global_minima(depth=(2, 3), width=(1, 3), whitened=draw(st.booleans())))
    ds = draw(st.lists(st.integers(1, 3), min_size=3, max_size=4))
    minimum = draw(st.booleans())
    if not minimum:
        ds = ds[:3]  # the full Hessian: at most 2 · 9 parameters
    weights = tuple(draw(_rational_rows(ds[k + 1], ds[k])) for k in range(len(ds) - 1))
    sigma = draw(st.one_of(st.none(), cases.spd(ds[0])))
    target = None if minimum else draw(_rational_rows(ds[-1], ds[0]))
    return LinearNetwork(weights, sigma, target)


def assert_sharpness(case: LinearNetwork, dps: int) -> None:
    """The ball holds the exact λ_max, to dps − 10 digits, and not λ_max·(1 ± 10^−30)."""
    top = ex.exact_sharpness(case)
    with bl.precision(dps):
        ball = bl.sharpness(case)
    assert encloses(ball, top, dps)
    assert_tight(ball, top.interval[1], dps)
    if compare(top, rational(0)) != 0:
        assert_excludes_neighbours(ball, top)


@settings(max_examples=40, deadline=None)
@given(networks(), st.sampled_from(DPS))
def test_sharpness_encloses_the_exact_lambda_max(case, dps):
    assert_sharpness(case, dps)


@pytest.mark.parametrize(
    "case",
    [
        # Whitened, widths (1, 2, 5): M' has the eigenvalue 1 three times; Arb's eigenvectors
        # for it were nearly parallel and λ_max = (3139 + √787657)/144 came out [+/- 29.6].
        LinearNetwork(
            (
                rows([1], ["4/3"]),
                rows(["1/2", "-1/2"], [-1, 0], ["-4/3", "3/2"], [-1, "-3/2"], [1, -1]),
            )
        ),
        # Non-whitened, widths (5, 1, 1, 4) with W2 = 0: M' = G (Σx ⊗ I) is not symmetric,
        # 0 is an eigenvalue 19 times, λ_max = 13013/72 came out [+/- 2.19e+438].
        LinearNetwork(
            (rows(["4/3", -1, 1, -1, 0]), rows([0]), rows([0], [3], [1], ["-3/4"])),
            sigma_x=rows(
                [1, "3/2", "-3/2", 1, -1],
                ["3/2", "13/4", "-7/4", 1, "-5/6"],
                ["-3/2", "-7/4", "7/2", "-15/4", "1/3"],
                [1, 1, "-15/4", "25/4", "-1/3"],
                [-1, "-5/6", "1/3", "-1/3", "313/36"],
            ),
        ),
    ],
    ids=["whitened-bottleneck", "non-whitened-bottleneck"],
)
@pytest.mark.parametrize("dps", DPS)
def test_repeated_eigenvalues_at_a_bottleneck(case, dps):
    assert_sharpness(case, dps)


@settings(max_examples=40, deadline=None)
@given(
    st.integers(1, 4).flatmap(lambda r: st.integers(1, 4).flatmap(lambda c: _rational_rows(r, c))),
    st.booleans(),
    st.sampled_from(DPS),
)
def test_spectral_norm_and_frobenius_against_exact_values(w, repeat, dps):
    if repeat:  # a repeated row: rank-deficient, a repeated singular value 0
        w = (*w, w[-1])
    with bl.precision(dps):
        ball_w = bl.BALLS.rows(w)
        norm = bl.spectral_norm(ball_w)
        frobenius = bl.frobenius(ball_w)
    blo, bhi = ends(norm)
    gram = q_matrix(rows_product(transpose(w), w))
    top = largest_real_root(characteristic_polynomial(gram))  # σ1², exactly
    lo, hi = top.refined(2 * dps + 20)
    assert blo >= 0 and blo**2 <= lo and hi <= bhi**2  # σ1 = √(σ1²) ∈ ball
    assert_tight(norm, bhi, dps)
    if hi > 0:
        assert bhi**2 < lo * (1 + OFF) ** 2 and blo**2 > hi * (1 - OFF) ** 2
    squares = sum(x * x for row in w for x in row)  # ‖W‖_F², exactly
    flo, fhi = ends(frobenius)
    assert flo >= 0 and flo**2 <= squares <= fhi**2
    assert_tight(frobenius, fhi, dps)
    if squares > 0:
        assert fhi**2 < squares * (1 + OFF) ** 2 and flo**2 > squares * (1 - OFF) ** 2


def test_spectral_norm_of_balls_around_zero():
    # Balls straddling 0 (W = 0 up to rounding): λ_max(WᵀW)'s enclosure dips below 0, and only
    # its nonnegative part has a square root (else the norm is nan).
    with bl.precision(30):
        w = bl.FlintMatrix(arb_mat([[arb(0, fmpq(1, 10**40)), arb(0, fmpq(1, 10**40))]]))
        norm = bl.spectral_norm(w)
    blo, bhi = ends(norm)
    assert norm.is_finite() and blo <= 0 <= bhi and bhi < F(1, 10**39)


def test_the_mpmath_matrix_is_the_midpoints_or_their_symmetric_part():
    # Midpoints 2 ± 2⁻¹⁰⁰ across the diagonal (symmetric up to rounding): the symmetric part,
    # whose orthonormal eigenvectors eigsy finds, has 2 there exactly; unsymmetrized, each.
    tiny = F(1, 2**100)

    def entries(a):
        return [[exact(bl.from_mpmath(a[i, j])) for j in range(2)] for i in range(2)]

    with bl.precision(30):
        m = arb_mat(q_matrix(((F(1), 2 + tiny), (2 - tiny, F(-3)))))
        symmetric, plain = bl._mpmath_matrix(m, True), bl._mpmath_matrix(m, False)
        assert symmetric.ctx.prec == plain.ctx.prec == bl.bits(30)
        assert entries(symmetric) == [[1, 2], [2, -3]]
        assert entries(plain) == [[1, 2 + tiny], [2 - tiny, -3]]


@pytest.mark.parametrize(
    "entries",
    # Eigenvalues 2 and 3 (not symmetric: Arb's vectors, then mpmath's), (5 ± √5)/2
    # (symmetric: mpmath's orthonormal ones first).
    [((2, 1), (0, 3)), ((2, 1), (1, 3))],
    ids=["non-symmetric", "symmetric"],
)
def test_balls_wider_than_the_working_precision_get_the_tightest_clusters_found(entries):
    # Entries ± 10⁻²⁰ at 30 digits: no similarity pins the eigenvalues to 10⁻³⁰, so every
    # guess is tried and the tightest enclosure found is returned; it holds the eigenvalues
    # of the midpoint matrix (one of the matrices in the balls), each once, to ~10⁻¹⁹.
    radius = fmpq(1, 10**20)
    with bl.precision(30):
        m = arb_mat([[arb(x, radius) for x in row] for row in entries])
        clusters = bl.eigenvalue_clusters(m)
        width = bl._width(clusters)
        widths = [bl._width(bl._gershgorin(q.inv() * m * q)) for q in bl._eigenvector_guesses(m)]
    assert len(widths) == (4 if entries[0][1] == entries[1][0] else 3)
    assert min(widths) > 2.0 ** -(bl.bits(30) - bl.GUARD_BITS)  # none tight
    assert width == min(widths)
    assert_clusters_hold(q_matrix(rows(*entries)), clusters, 30)
    for ball, _ in clusters:
        blo, bhi = ends(ball)
        assert bhi - blo < F(1, 10**18)
