"""Hypothesis strategies for linear-network global minima, built exactly in rationals.

- balanced: W_k = Q_k D_k Q_{k−1}ᵀ with rational orthogonal Q_k (Cayley transforms) and
  diagonal cores D_k sharing the same entries, so W_{k+1}ᵀW_{k+1} = W_kW_kᵀ;
- gauge: a balanced minimum moved along its fibre, W_k ← G_k W_k G_{k−1}⁻¹ (G_0, G_N = I);
- flattest: W_k = Q_k (s ⊕ h C_k) Q_{k−1}ᵀ, a path block s along the top singular pair and an
  arbitrary full-rank off-path block C_k, with h halved until the off-path curvature of H1's M
  is below the path's N s^{2N−2} (whitened: λ_max = N σ1^{2−2/N}, F1's bound); or the
  diagonal special case (C_k diagonal, the old family, with its ties and dead directions);
- near-flattest: a flattest minimum moved by hidden gauges G_k = (I + δL)(I + δD)(I + δU)
  with δ ∈ [1/30000, 1/10]: a global minimum with λ_max − λ_flat of order δ².
"""

from __future__ import annotations

from fractions import Fraction
from functools import cache
from itertools import pairwise

from hypothesis import strategies as st

from verify.linear.network import (
    LinearNetwork,
    Rows,
    identity_rows,
    inverse,
    rows_product,
    transpose,
)
from verify.rationals import nonzero_rationals, rationals

Range = tuple[int, int]


def _matrix(rows: int, cols: int, entries):
    return st.lists(entries, min_size=rows * cols, max_size=rows * cols).map(
        lambda xs: tuple(tuple(xs[i * cols : (i + 1) * cols]) for i in range(rows))
    )


@cache
def orthogonal(n: int):
    """Rational orthogonal n×n matrices: diag(±1) · (I − S)(I + S)⁻¹, S skew-symmetric."""

    def cayley(upper, signs):
        s = [[Fraction(0)] * n for _ in range(n)]
        pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
        for (i, j), x in zip(pairs, upper, strict=True):
            s[i][j], s[j][i] = x, -x
        eye = identity_rows(n)
        minus = tuple(tuple(eye[i][j] - s[i][j] for j in range(n)) for i in range(n))
        plus = tuple(tuple(eye[i][j] + s[i][j] for j in range(n)) for i in range(n))
        q = rows_product(minus, inverse(plus))
        return tuple(tuple(sign * x for x in row) for sign, row in zip(signs, q, strict=True))

    count = n * (n - 1) // 2
    entries = rationals(-2, 2, max_denominator=4)
    return st.builds(
        cayley,
        st.lists(entries, min_size=count, max_size=count),
        st.lists(st.sampled_from((1, -1)), min_size=n, max_size=n),
    )


@cache
def invertible(n: int):
    """Rational invertible n×n matrices L · D · U (unit triangular L, U; nonzero diagonal D)."""

    def build(lower, diagonal, upper):
        lo = [[Fraction(int(i == j)) for j in range(n)] for i in range(n)]
        up = [[Fraction(int(i == j)) for j in range(n)] for i in range(n)]
        cells = [(i, j) for i in range(n) for j in range(i)]
        for (i, j), a, b in zip(cells, lower, upper, strict=True):
            lo[i][j], up[j][i] = a, b
        d = tuple(tuple(diagonal[i] if i == j else Fraction(0) for j in range(n)) for i in range(n))
        return rows_product(rows_product(tuple(map(tuple, lo)), d), tuple(map(tuple, up)))

    count = n * (n - 1) // 2
    off = rationals(-1, 1, max_denominator=4)
    return st.builds(
        build,
        st.lists(off, min_size=count, max_size=count),
        st.lists(nonzero_rationals(Fraction(1, 2), 2, 4), min_size=n, max_size=n),
        st.lists(off, min_size=count, max_size=count),
    )


def spd(n: int):
    """Well-conditioned rational SPD matrices L Lᵀ (L lower triangular, diagonal in [1/2, 2])."""

    def build(diagonal, lower):
        cells = iter(lower)
        el = tuple(
            tuple(
                diagonal[i] if i == j else next(cells) if j < i else Fraction(0) for j in range(n)
            )
            for i in range(n)
        )
        return rows_product(el, transpose(el))

    return st.builds(
        build,
        st.lists(rationals(Fraction(1, 2), 2, 4), min_size=n, max_size=n),
        st.lists(rationals(-1, 1, 4), min_size=n * (n - 1) // 2, max_size=n * (n - 1) // 2),
    )


def diagonal(rows: int, cols: int, entries: list[Fraction]) -> Rows:
    """A rows×cols matrix with `entries` on its diagonal (zeros past their end)."""
    return tuple(
        tuple(entries[i] if i == j and i < len(entries) else Fraction(0) for j in range(cols))
        for i in range(rows)
    )


def widths(depth: Range, width: Range):
    """(d_0, …, d_N) for a depth in `depth` and every width in `width`."""
    return st.integers(*depth).flatmap(
        lambda n: st.lists(st.integers(*width), min_size=n + 1, max_size=n + 1).map(tuple)
    )


def _gauged_by(cores: list[Rows], ds: tuple[int, ...], gauges: list[Rows]) -> tuple[Rows, ...]:
    """W_k = Q_k D_k Q_{k−1}⁻¹ for gauges Q_0..Q_N."""
    return tuple(
        rows_product(rows_product(gauges[k], cores[k - 1]), inverse(gauges[k - 1]))
        for k in range(1, len(ds))
    )


def _data(d0: int, whitened: bool | None):
    if whitened is None:
        return st.one_of(st.none(), spd(d0))
    return st.none() if whitened else spd(d0)


@st.composite
def balanced_minima(draw, depth: Range = (2, 4), width: Range = (1, 3), whitened=True):
    """Balanced global minima W_k = Q_k D_k Q_{k−1}ᵀ (Q_k rational orthogonal); the target's
    singular values are drawn freely or all equal."""
    ds = draw(widths(depth, width))
    r = min(ds)
    if draw(st.booleans()):  # a target with one repeated singular value
        s = [draw(rationals(Fraction(1, 2), 2, 4))] * r
    else:
        s = draw(st.lists(rationals(Fraction(1, 2), 2, 4), min_size=r, max_size=r))
    cores = [diagonal(ds[k], ds[k - 1], s) for k in range(1, len(ds))]
    gauges = [draw(orthogonal(d)) for d in ds]
    sigma = draw(_data(ds[0], whitened))
    return LinearNetwork(_gauged_by(cores, ds, gauges), sigma, None, "balanced")


@st.composite
def gauged_minima(draw, depth: Range = (2, 4), width: Range = (1, 3), whitened=True):
    """Balanced minima moved by invertible hidden-layer gauges: same product, unbalanced."""
    net = draw(balanced_minima(depth, width, whitened))
    ds = net.widths
    hidden = [draw(invertible(d)) for d in ds[1:-1]]
    gauges = [identity_rows(ds[0]), *hidden, identity_rows(ds[-1])]
    cores = list(net.weights)
    return LinearNetwork(_gauged_by(cores, ds, gauges), net.sigma_x, None, "gauge")


def _diagonal_m(entries: list[list[Fraction]], ds: tuple[int, ...]) -> dict:
    """Diagonal of H1's M for diagonal cores, whitened: Σ_k Π_{m<k} e_m[i]² Π_{m>k} e_m[j]²."""
    n = len(entries)

    def e(m: int, i: int) -> Fraction:
        return entries[m][i] if i < len(entries[m]) else Fraction(0)

    out = {}
    for i in range(ds[0]):
        for j in range(ds[-1]):
            total = Fraction(0)
            for k in range(n):
                term = Fraction(1)
                for m in range(k):
                    term *= e(m, i) ** 2
                for m in range(k + 1, n):
                    term *= e(m, j) ** 2
                total += term
            out[(i, j)] = total
    return out


def _peaks_on_top_path(entries: list[list[Fraction]], ds: tuple[int, ...]) -> bool:
    m = _diagonal_m(entries, ds)
    return all(v <= m[(0, 0)] for v in m.values())


def _diagonal_flattest(draw, ds: tuple[int, ...]) -> list[Rows]:
    """Diagonal cores whose entry 0 is the same in every layer, the others drawn in ±[1/10, 10]
    and halved together until the (diagonal) M peaks on the top path."""
    top = draw(rationals(Fraction(1, 2), 2, 4))
    others = rationals(Fraction(-10), 10, max_denominator=10)
    entries = [
        [top, *draw(st.lists(others, min_size=min(a, b) - 1, max_size=min(a, b) - 1))]
        for a, b in pairwise(ds)
    ]
    while not _peaks_on_top_path(entries, ds):
        entries = [[row[0], *(x / 2 for x in row[1:])] for row in entries]
    return [diagonal(ds[k], ds[k - 1], entries[k - 1]) for k in range(1, len(ds))]


def _mul(x: list, y: list, shape: tuple[int, int, int]) -> list:
    """x y for x of shape (r, m) and y of shape (m, c), shape = (r, m, c) (any may be 0)."""
    r, m, c = shape
    return [
        [sum((x[i][q] * y[q][j] for q in range(m)), Fraction(0)) for j in range(c)]
        for i in range(r)
    ]


def _t(x: list, rows: int, cols: int) -> list:
    return [[x[i][j] for i in range(rows)] for j in range(cols)]


def _eye(n: int) -> list:
    return [[Fraction(int(i == j)) for j in range(n)] for i in range(n)]


def _below(bound: Fraction, x: list) -> bool:
    """bound · I − X ≻ 0 for a symmetric rational X, decided exactly (LDLᵀ pivots > 0)."""
    n = len(x)
    work = [[bound * (i == j) - x[i][j] for j in range(n)] for i in range(n)]
    for c in range(n):
        if work[c][c] <= 0:
            return False
        for r in range(c + 1, n):
            f = work[r][c] / work[c][c]
            work[r] = [a - f * b for a, b in zip(work[r], work[c], strict=True)]
    return True


def _off_path_below(s: Fraction, blocks: list[list], off: list[int]) -> bool:
    """For W_k = s ⊕ C_k (C_k: off[k] × off[k−1]), whitened, M splits into the path block
    N s^{2N−2} and, with F_k = C_k⋯C_1, G_k = F_{k−1}ᵀF_{k−1}, R_k = C_N⋯C_{k+1},
    H_k = R_kR_kᵀ, the blocks Σ_k s^{2k−2} H_k, Σ_k s^{2N−2k} G_k, Σ_k G_k ⊗ H_k: each must be
    ≺ N s^{2N−2}, and F_NᵀF_N ≺ s^{2N} (so σ1 = s^N is simple)."""
    n, first, last = len(blocks), off[0], off[-1]
    forward = [_eye(first)]  # F_0..F_N
    for k, c in enumerate(blocks):
        forward.append(_mul(c, forward[-1], (off[k + 1], off[k], first)))
    backward = [_eye(last)]  # R_N, R_{N−1}, …, R_1
    for k in range(n - 1, 0, -1):
        backward.append(_mul(backward[-1], blocks[k], (last, off[k + 1], off[k])))
    backward.reverse()  # R_1..R_N
    g = [_mul(_t(f, off[k], first), f, (first, off[k], first)) for k, f in enumerate(forward)]
    h = [_mul(r, _t(r, last, off[k + 1]), (last, off[k + 1], last)) for k, r in enumerate(backward)]

    def total(terms: list[list], size: int) -> list:
        return [
            [sum((t[i][j] for t in terms), Fraction(0)) for j in range(size)] for i in range(size)
        ]

    flat = n * s ** (2 * n - 2)
    blocks_of_m = [
        total([[[s ** (2 * k) * v for v in row] for row in h[k]] for k in range(n)], last),
        total(
            [[[s ** (2 * (n - 1 - k)) * v for v in row] for row in g[k]] for k in range(n)], first
        ),
        total(
            [[[x * y for x in a for y in b] for a in g[k] for b in h[k]] for k in range(n)],
            first * last,
        ),
    ]
    return all(_below(flat, x) for x in blocks_of_m) and _below(s ** (2 * n), g[n])


def _full_rank(draw, rows: int, cols: int) -> list:
    """A rational rows × cols matrix of rank min(rows, cols): a corner of an `invertible` one."""
    size = max(rows, cols)
    corner = draw(invertible(size)) if size else ()
    return [list(r[:cols]) for r in corner[:rows]]


def _path_blocks(draw, ds: tuple[int, ...]) -> list[Rows]:
    """Cores s ⊕ h C_k with C_k full rank, h halved from 1 until `_off_path_below` holds."""
    s = draw(rationals(Fraction(1, 2), 2, 4))
    off = [d - 1 for d in ds]
    blocks = [_full_rank(draw, off[k], off[k - 1]) for k in range(1, len(ds))]
    while not _off_path_below(s, blocks, off):
        blocks = [[[x / 2 for x in row] for row in c] for c in blocks]
    return [
        (
            (s, *([Fraction(0)] * off[k - 1])),
            *((Fraction(0), *row) for row in blocks[k - 1]),
        )
        for k in range(1, len(ds))
    ]


@st.composite
def flattest_minima(draw, depth: Range = (2, 4), width: Range = (1, 3), full_rank=False):
    """Whitened flattest minima (F1's bound attained) with orthogonal gauges Q_k: path block s
    plus a full-rank off-path block per layer (module docstring), or the diagonal family.
    `full_rank`: equal widths ≥ 2 and the general family only, so every layer is invertible
    and no direction is dead."""
    if full_rank:
        n, d = draw(st.integers(*depth)), draw(st.integers(max(2, width[0]), width[1]))
        ds = (d,) * (n + 1)
    else:
        ds = draw(widths(depth, width))
    diagonal_family = not full_rank and draw(st.booleans())
    cores = _diagonal_flattest(draw, ds) if diagonal_family else _path_blocks(draw, ds)
    gauges = [draw(orthogonal(d)) for d in ds]
    return LinearNetwork(_gauged_by(cores, ds, gauges), None, None, "flattest")


STEPS = tuple(Fraction(1, d) for d in (10, 30, 100, 300, 1000, 3000, 10_000, 30_000))


@st.composite
def near_flattest_minima(draw, depth: Range = (2, 4), width: Range = (1, 3)):
    """Whitened flattest minima moved along their fibre by hidden gauges
    G_k = (I + δL)(I + δD)(I + δU) (L, U strictly triangular, D diagonal, entries in [−1, 1],
    D's nonzero; δ ∈ {1/10, 1/30, …, 1/30000}): global minima with λ_max − λ_flat of order
    δ² (ε from ~10⁻⁸ to ~10⁻¹)."""
    net = draw(flattest_minima(depth, width))
    ds, delta = net.widths, draw(st.sampled_from(STEPS))

    def gauge(d: int):
        entry, nonzero = rationals(-1, 1, 4), nonzero_rationals(Fraction(1, 4), 1, 4)
        count = d * (d - 1) // 2
        lower, upper = (draw(st.lists(entry, min_size=count, max_size=count)) for _ in "lu")
        diag = draw(st.lists(nonzero, min_size=d, max_size=d))
        lo, up = _eye(d), _eye(d)
        cells = [(i, j) for i in range(d) for j in range(i)]
        for (i, j), x, y in zip(cells, lower, upper, strict=True):
            lo[i][j], up[j][i] = delta * x, delta * y
        mid = [[1 + delta * diag[i] if i == j else Fraction(0) for j in range(d)] for i in range(d)]
        return rows_product(
            rows_product(tuple(map(tuple, lo)), tuple(map(tuple, mid))), tuple(map(tuple, up))
        )

    gauges = [identity_rows(ds[0]), *(gauge(d) for d in ds[1:-1]), identity_rows(ds[-1])]
    return LinearNetwork(_gauged_by(list(net.weights), ds, gauges), None, None, "near-flattest")


def global_minima(depth: Range = (2, 4), width: Range = (1, 3), whitened=True):
    """Balanced, gauged and (when whitened) flattest global minima."""
    kinds = [balanced_minima(depth, width, whitened), gauged_minima(depth, width, whitened)]
    if whitened:
        kinds.append(flattest_minima(depth, width))
    return st.one_of(kinds)
