"""Hypothesis strategies for linear-network global minima, built exactly in rationals.

- balanced: W_k = Q_k D_k Q_{k−1}ᵀ with rational orthogonal Q_k (Cayley transforms) and
  diagonal cores D_k sharing the same entries, so W_{k+1}ᵀW_{k+1} = W_kW_kᵀ;
- gauge: a balanced minimum moved along its fibre, W_k ← G_k W_k G_{k−1}⁻¹ (G_0, G_N = I);
- flattest: diagonal cores whose entry 0 is the same d in every layer and whose other entries
  are arbitrary, halved together until the (diagonal) M of H1 peaks on the top path; with
  whitened data such a minimum has λ_max = N d^{2N−2} = N σ1^{2−2/N} (F1's bound).
"""

from __future__ import annotations

from fractions import Fraction
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


@st.composite
def flattest_minima(draw, depth: Range = (2, 4), width: Range = (1, 3)):
    """Whitened flattest minima (F1's bound attained), balanced or not, with orthogonal gauges."""
    ds = draw(widths(depth, width))
    top = draw(rationals(Fraction(1, 2), 2, 4))
    others = rationals(Fraction(-10), 10, max_denominator=10)
    entries = [
        [top, *draw(st.lists(others, min_size=min(a, b) - 1, max_size=min(a, b) - 1))]
        for a, b in pairwise(ds)
    ]
    while not _peaks_on_top_path(entries, ds):
        entries = [[row[0], *(x / 2 for x in row[1:])] for row in entries]
    cores = [diagonal(ds[k], ds[k - 1], entries[k - 1]) for k in range(1, len(ds))]
    gauges = [draw(orthogonal(d)) for d in ds]
    return LinearNetwork(_gauged_by(cores, ds, gauges), None, None, "flattest")


def global_minima(depth: Range = (2, 4), width: Range = (1, 3), whitened=True):
    """Balanced, gauged and (when whitened) flattest global minima."""
    kinds = [balanced_minima(depth, width, whitened), gauged_minima(depth, width, whitened)]
    if whitened:
        kinds.append(flattest_minima(depth, width))
    return st.one_of(kinds)
