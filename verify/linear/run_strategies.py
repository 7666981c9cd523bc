"""Hypothesis strategies of the training claims, building valid cases directly (no filtering):
GD runs (F9; public as `verify.cases.gd_minima`), SGD runs (F9d), zero-init ResNet runs (F4,
F4b, F4c, F6b) and step experiments (F9b, F9c)."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

from hypothesis import strategies as st

from verify.linear.network import identity_rows, rows_product, transpose
from verify.linear.runs import LARGE_FRACTIONS, LARGE_STEPS, StepExperiment, TrainingCase
from verify.linear.strategies import diagonal, orthogonal, spd
from verify.rationals import nonzero_rationals, rationals


def _targets(ds: tuple[int, ...]):
    """T = Q_N D Q_0ᵀ (rational orthogonal Q, rank min(ds), singular values in [1/2, 2])."""
    r = min(ds)
    return st.builds(
        lambda left, s, right: rows_product(
            rows_product(left, diagonal(ds[-1], ds[0], s)), transpose(right)
        ),
        orthogonal(ds[-1]),
        st.lists(nonzero_rationals(Fraction(1, 2), 2, 4), min_size=r, max_size=r),
        orthogonal(ds[0]),
    )


@st.composite
def gd_runs(draw, depth=(2, 3), width=(1, 3), inits=("small", "large", "resnet")):
    """F9 settings: any widths, small / large / (square widths) ResNet init, c ∈ [1/10, 19/20]."""
    n = draw(st.integers(*depth))
    ds = tuple(draw(st.lists(st.integers(*width), min_size=n + 1, max_size=n + 1)))
    init = draw(st.sampled_from(inits))
    if init == "resnet" and len(set(ds)) > 1:
        init = "small"
    scale = draw(
        rationals(Fraction(1, 20), Fraction(1, 2), 20) if init == "small" else rationals(1, 2, 4)
    )
    return TrainingCase(
        ds,
        draw(_targets(ds)),
        init,
        scale if init != "resnet" else Fraction(0),
        draw(st.integers(0, 2**16)),
        draw(rationals(Fraction(1, 10), Fraction(19, 20), 20)),
    )


@st.composite
def sgd_runs(draw, samples=(2, 12)):
    """F9d settings: an F9 setting with small or large init, n ∈ [max(2, d_0), 12] samples
    (`runs.sgd_data`) and a batch size B ∈ [1, n]."""
    case = draw(gd_runs(inits=("small", "large")))
    n = draw(st.integers(max(samples[0], case.widths[0]), samples[1]))
    return replace(case, batch=draw(st.integers(1, n)), samples=n)


def _entries():
    return rationals(Fraction(-1, 4), Fraction(1, 4), 8)


def _symmetric(n: int):
    count = n * (n + 1) // 2

    def build(xs):
        cells = iter(xs)
        e = [[Fraction(0)] * n for _ in range(n)]
        for i in range(n):
            for j in range(i, n):
                e[i][j] = e[j][i] = next(cells)
        return tuple(tuple(row) for row in e)

    return st.lists(_entries(), min_size=count, max_size=count).map(build)


def _asymmetric(xs: list[Fraction], n: int) -> tuple[tuple[Fraction, ...], ...]:
    """The n × n E of row-major entries xs (|x| ≤ 1/4); if E = Eᵀ, E_01 becomes E_10 + 1/8
    (E_10 − 1/8 when E_10 > 1/8), so that |E_ij| ≤ 1/4 still and E ≠ Eᵀ."""
    e = [list(xs[i * n : (i + 1) * n]) for i in range(n)]
    if all(e[i][j] == e[j][i] for i in range(n) for j in range(n)):
        e[0][1] = e[1][0] + (Fraction(1, 8) if e[1][0] <= Fraction(1, 8) else Fraction(-1, 8))
    return tuple(tuple(row) for row in e)


def _non_symmetric(n: int):
    """E with |E_ij| ≤ 1/4 and E ≠ Eᵀ (`_asymmetric`)."""
    return st.lists(_entries(), min_size=n * n, max_size=n * n).map(lambda xs: _asymmetric(xs, n))


def _diagonal_sigma(n: int):
    return st.lists(rationals(Fraction(1, 2), 2, 4), min_size=n, max_size=n).map(
        lambda xs: diagonal(n, n, xs)
    )


@st.composite
def resnet_runs(draw, depth=(2, 3), width=(2, 3), symmetric=True, whitened=True):
    """F4 settings: square widths, W_k = I, T = I + E with |E_ij| ≤ 1/4, small step
    c ∈ [1/10, 1/2]. E symmetric (‖E‖₂ ≤ 3/4, so T is SPD: F4, F4b) or not (F4c: ‖E‖_F < 1,
    T invertible, near I); Σx = I, or (F4b) rational SPD L Lᵀ (`strategies.spd`) or diagonal
    with entries in [1/2, 2]."""
    n, d = draw(st.integers(*depth)), draw(st.integers(*width))
    e = draw(_symmetric(d) if symmetric else _non_symmetric(d))
    eye = identity_rows(d)
    t = tuple(tuple(a + b for a, b in zip(r, s, strict=True)) for r, s in zip(eye, e, strict=True))
    sigma = None if whitened else draw(st.one_of(_diagonal_sigma(d), spd(d)))
    return TrainingCase(
        (d,) * (n + 1),
        t,
        "resnet",
        Fraction(0),
        0,
        draw(rationals(Fraction(1, 10), Fraction(1, 2), 10)),
        sigma=sigma,
    )


@st.composite
def step_experiments(draw, depth=(2, 3), width=(1, 3), seeds=(3, 3), init="small"):
    """F9b/F9c experiments: any widths, target as F9, `seeds` consecutive seeds. Small init
    (F9b): scale in [1/20, 1/4], the grid c ∈ {1/10, 3/10, 3/5, 9/10} of 2/λ_flat, 3000 steps.
    Large init (F9c): scale in [1, 2], c ∈ {1/16, 1/8, 1/4, 1/2, 3/4, 1} of 2/max(λ_flat, λ_0)
    (reference "init"), 10000 steps."""
    n = draw(st.integers(*depth))
    ds = tuple(draw(st.lists(st.integers(*width), min_size=n + 1, max_size=n + 1)))
    base, count = draw(st.integers(0, 2**16)), draw(st.integers(*seeds))
    scales = (Fraction(1, 20), Fraction(1, 4)) if init == "small" else (Fraction(1), Fraction(2))
    target, scale = draw(_targets(ds)), draw(rationals(*scales, 20))
    experiment = StepExperiment(ds, target, scale, tuple(range(base, base + count)), init=init)
    if init == "small":
        return experiment
    return replace(experiment, fractions=LARGE_FRACTIONS, steps=LARGE_STEPS, reference="init")
