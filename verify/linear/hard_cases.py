"""Hard linear-network inputs for degeneracy fuzzing (docs/reliability.md), built exactly.

Every case is a global minimum built directly in rationals (no filtering): diagonal cores
D_k with entries from a palette of hard gains, turned by rational orthogonal gauges,
W_k = Q_k D_k Q_{k−1}ᵀ (verify/linear/strategies.py), so P = Q_N (D_N ⋯ D_1) Q_0ᵀ.

- gains (GAINS): 1, 1 ± 10⁻⁴⁰ (nearly repeated singular values), 10^±30, 10⁻⁶, 2, 3/7, and 0
  (rank-deficient targets); a zero layer D_k = 0 makes P = T = 0;
- depth up to 20 (width 1 beyond depth 5, widths 1–2 up to it: at most 20 parameters, so the
  full Hessian of H1 stays a small dense eigenproblem at 50 and 80 digits);
- Σx = c Q diag(1, 10⁻¹²) Qᵀ (condition 10¹², c from SCALES) or the scalar c for one input;
- kinds: `balanced` (the same |entries| in every layer, so W_{k+1}ᵀW_{k+1} = W_kW_kᵀ),
  `flattest` (whitened: entry 0 is s in every layer and every other |entry| ≤ s, so H1's M,
  diagonal with M_ij = Σ_k Π_{m<k} e_m[i]² Π_{m>k} e_m[j]², peaks at M_00 = N s^{2N−2} = F1's
  bound), and `any` (entries drawn per layer: unbalanced, not flattest).

With Σx's eigenbasis aligned with the input gauge (Σx = Q_0 diag(σ) Q_0ᵀ), M's spectrum is
σ_i M_ij exactly (`known_curvature`), the reference of the sharpness fuzzing.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from itertools import pairwise
from math import prod

from hypothesis import strategies as st

from verify.linear.network import LinearNetwork, Rows, rows_product, transpose
from verify.linear.strategies import _diagonal_m, _gauged_by, diagonal, orthogonal

TINY, HUGE = Fraction(1, 10**30), Fraction(10**30)
NEAR = Fraction(1, 10**40)
GAINS = (Fraction(1), 1 + NEAR, 1 - NEAR, TINY, HUGE, Fraction(1, 10**6), Fraction(2))
MODERATE = (Fraction(1), 1 + NEAR, TINY, Fraction(1, 10**6), Fraction(1, 2), Fraction(3, 7))
CONDITION = Fraction(10**12)
FLATTEST_RATIOS = (Fraction(1), 1 - NEAR, TINY, Fraction(1, 2), Fraction(0))
MAX_WIDE_DEPTH = 5  # deeper networks have width 1
KINDS = ("balanced", "flattest", "any")


def _depths(depth: tuple[int, int]):
    """The ends of the range and a few depths between, so that depth[1] is drawn often."""
    lo, hi = depth
    return st.sampled_from(sorted({lo, hi, *(d for d in (3, 5) if lo < d < hi)}))


@st.composite
def _widths(draw, depth: tuple[int, int]) -> tuple[int, ...]:
    n = draw(_depths(depth))
    if n > MAX_WIDE_DEPTH:
        return (1,) * (n + 1)
    return tuple(draw(st.lists(st.sampled_from((2, 1)), min_size=n + 1, max_size=n + 1)))


def _signed(values):
    return st.tuples(st.sampled_from(values), st.sampled_from((1, -1))).map(lambda p: p[0] * p[1])


@st.composite
def _entries(draw, ds: tuple[int, ...], kind: str, palette) -> list[list[Fraction]]:
    """Diagonal entries of each core (min(d_{k−1}, d_k) of them), by kind (module docstring)."""
    sizes = [min(a, b) for a, b in pairwise(ds)]
    gains = _signed((*palette, Fraction(0)))
    if kind == "balanced":
        top = draw(st.lists(st.sampled_from(palette), min_size=min(ds), max_size=min(ds)))
        signs = st.sampled_from((1, -1))
        return [[s * draw(signs) for s in top[:size]] for size in sizes]
    if kind == "flattest":
        s = draw(st.sampled_from(palette))
        ratios = _signed(FLATTEST_RATIOS)
        return [[s, *(s * draw(ratios) for _ in range(size - 1))] for size in sizes]
    entries = [[draw(gains) for _ in range(size)] for size in sizes]
    if draw(st.booleans()):  # a zero layer: P = T = 0
        zero = draw(st.integers(0, len(entries) - 1))
        entries[zero] = [Fraction(0)] * sizes[zero]
    return entries


def ill_conditioned(q: Rows, scale: Fraction) -> Rows:
    """Σx = scale · Q diag(1, 10⁻¹², 10⁻¹², …) Qᵀ for a rational orthogonal Q (condition 10¹²
    from two inputs on; one input: the scalar scale)."""
    d = len(q)
    values = [scale, *([scale / CONDITION] * (d - 1))]
    return rows_product(rows_product(q, diagonal(d, d, values)), transpose(q))


SCALES = (Fraction(1), Fraction(10**6), 1 / CONDITION, CONDITION)  # c of Σx
SMALL_SCALES = (Fraction(1), 1 / CONDITION)  # Σx ⪯ I: gradient flow stays non-stiff


@dataclass(frozen=True)
class Hard:
    """A hard minimum and what it was built from: its cores' diagonal entries and Σx's
    eigenvalues in the input gauge's basis (None: Σx is not aligned with it, or whitened)."""

    network: LinearNetwork
    entries: tuple[tuple[Fraction, ...], ...]
    sigma_eigenvalues: tuple[Fraction, ...] | None


@st.composite
def hard_built(
    draw,
    depth: tuple[int, int] = (2, 20),
    kind: str | None = None,
    whitened: bool | None = True,
    aligned: bool = False,
    palette: tuple[Fraction, ...] = GAINS,
    scales: tuple[Fraction, ...] = SCALES,
) -> Hard:
    """A hard global minimum (module docstring) with its construction; `kind` None draws one
    (`flattest` only when whitened), `aligned` puts Σx's eigenbasis on the input gauge."""
    ds = draw(_widths(depth))
    kinds = KINDS if whitened else ("balanced", "any")
    chosen = kind if kind is not None else draw(st.sampled_from(kinds))
    entries = draw(_entries(ds, chosen, palette))
    cores = [diagonal(ds[k], ds[k - 1], entries[k - 1]) for k in range(1, len(ds))]
    gauges = [draw(orthogonal(d)) for d in ds]
    plain = whitened if whitened is not None else draw(st.booleans())
    sigma, eigenvalues = None, None
    if not plain:
        scale = draw(st.sampled_from(scales))
        q = gauges[0] if aligned else draw(orthogonal(ds[0]))
        sigma = ill_conditioned(q, scale)
        if aligned:
            eigenvalues = (scale, *([scale / CONDITION] * (ds[0] - 1)))
    network = LinearNetwork(_gauged_by(cores, ds, gauges), sigma, None, f"hard-{chosen}")
    return Hard(network, tuple(map(tuple, entries)), eigenvalues)


def hard_minima(
    depth: tuple[int, int] = (2, 20),
    kind: str | None = None,
    whitened: bool | None = True,
    palette: tuple[Fraction, ...] = GAINS,
    scales: tuple[Fraction, ...] = SCALES,
):
    """Hard exact global minima (`hard_built`'s networks)."""
    return hard_built(depth, kind, whitened, False, palette, scales).map(lambda h: h.network)


@st.composite
def hard_points(
    draw,
    depth: tuple[int, int] = (2, 3),
    palette: tuple[Fraction, ...] = MODERATE,
    scales: tuple[Fraction, ...] = SMALL_SCALES,
) -> LinearNetwork:
    """A hard network (whitened or Σx of condition 10¹²) whose target is P itself, 0, 2P or
    diag(1, 10⁻¹²): a minimum, or a point with P − T of the scale of the weights. The
    defaults keep gradient flow non-stiff (gains and Σx at most ~1)."""
    net = draw(hard_minima(depth, "any", None, palette, scales))
    product = net.product_rows()
    rows, cols = len(product), len(product[0])
    targets = [
        None,
        diagonal(rows, cols, []),
        tuple(tuple(2 * x for x in row) for row in product),
        diagonal(rows, cols, [Fraction(1), 1 / CONDITION]),
    ]
    target = draw(st.sampled_from(targets))
    return LinearNetwork(net.weights, net.sigma_x, target, f"{net.construction}-point")


@dataclass(frozen=True)
class KnownCurvature:
    """Exact values at a hard minimum with Σx aligned (or whitened): λ_max(H) = max σ_i M_ij,
    tr H = Σ σ_i M_ij, σ1(T) = max_i |Π_m e_m[i]|, ‖W_k‖₂ = max |e_k|."""

    lambda_max: Fraction
    trace: Fraction
    sigma1: Fraction
    layer_norms: tuple[Fraction, ...]


def known_curvature(hard: Hard) -> KnownCurvature:
    """The exact curvature of `hard` (its Σx aligned with the input gauge, or whitened)."""
    ds = hard.network.widths
    entries = [list(e) for e in hard.entries]
    sigma = hard.sigma_eigenvalues or (Fraction(1),) * ds[0]
    m = {(i, j): sigma[i] * v for (i, j), v in _diagonal_m(entries, ds).items()}
    paths = [prod(e[i] if i < len(e) else Fraction(0) for e in entries) for i in range(ds[0])]
    return KnownCurvature(
        max(m.values()),
        sum(m.values(), Fraction(0)),
        max(abs(p) for p in paths),
        tuple(max((abs(x) for x in e), default=Fraction(0)) for e in entries),
    )
