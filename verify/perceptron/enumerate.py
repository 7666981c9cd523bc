"""Exhaustive enumeration of the binary perceptron w ∈ {±1}^N (docs/claims/perceptron.md, P3–P5).

A weight vector is an integer x ∈ [0, 2^N): bit i set ⇔ w_i = +1. Labels are absorbed into the
patterns (y^μ ξ^μ has the law of ξ^μ for Gaussian and ±1 patterns), so the margin is
κ(w) = min_μ wᵀξ^μ / √N and the solutions are the w with κ(w) ≥ 0.

Fields are split into low and high bits, h(x) = h_high(x >> L) + h_low(x mod 2^L), so the
2^N margins cost M passes of an outer sum over blocks of at most BLOCK entries (memory stays
bounded: ~3 arrays of 2^N float64, 400 MiB at N = 24). The Hamming distance between two
vectors is popcount(x ⊕ y).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from math import comb, isqrt

import numpy as np

from verify.evidence import InvalidCase

MAX_N = 24  # 2^24 margins: ~130 MiB per float64 array
BLOCK = 1 << 22  # entries per outer-sum block
KINDS = ("gaussian", "binary")  # pattern entries N(0, 1) or uniform ±1


def check_size(n: int, alpha: float | Fraction | None = None, kind: str = "gaussian") -> None:
    """Raise InvalidCase (one line) unless 1 ≤ N ≤ MAX_N, α > 0 and kind is known."""
    if not 1 <= n <= MAX_N:
        raise InvalidCase(
            f"N = {n} is outside 1..{MAX_N}: exhaustive enumeration visits 2^N weight vectors"
        )
    if alpha is not None and not alpha > 0:
        raise InvalidCase(f"the load α = {alpha} must be positive (M = αN patterns)")
    if kind not in KINDS:
        raise InvalidCase(f"unknown pattern kind {kind!r} (choose from {', '.join(KINDS)})")


SEED_STRIDE = 1_000_003  # instance k of an experiment seeded s has seed s · stride + k


def seed_block(seed: int, count: int) -> range:
    """The instance seeds of an experiment: s · SEED_STRIDE + k, k = 0..count − 1."""
    return range(seed * SEED_STRIDE, seed * SEED_STRIDE + count)


def patterns_count(n: int, alpha: float | Fraction) -> int:
    """M = round(αN) ≥ 1 patterns at load α."""
    check_size(n, alpha)
    return max(1, round(Fraction(alpha) * n))


def patterns(kind: str, n: int, m: int, seed: int) -> np.ndarray:
    """M × N float64 patterns (labels absorbed), a pure function of (kind, N, M, seed)."""
    check_size(n, m, kind)
    rng = np.random.default_rng([seed, n, m, KINDS.index(kind)])
    if kind == "gaussian":
        return rng.standard_normal((m, n))
    return rng.choice(np.array([-1.0, 1.0]), size=(m, n))


def signs(n: int) -> np.ndarray:
    """2^n × n matrix of w(x) ∈ {±1}^n, row x (bit i of x set ⇔ w_i = +1)."""
    bits = (np.arange(1 << n, dtype=np.int64)[:, None] >> np.arange(n)) & 1
    return (2 * bits - 1).astype(np.float64)


def min_fields(xi: np.ndarray) -> np.ndarray:
    """min_μ wᵀξ^μ for every x ∈ [0, 2^N) (float64; exact integers for ±1 patterns)."""
    m, n = xi.shape
    low_bits = n // 2
    h_low = signs(low_bits) @ xi[:, :low_bits].T  # 2^L × M
    h_high = signs(n - low_bits) @ xi[:, low_bits:].T  # 2^(N−L) × M
    out = np.empty((len(h_high), len(h_low)))
    rows = max(1, BLOCK // len(h_low))
    for start in range(0, len(h_high), rows):
        block = out[start : start + rows]
        high = h_high[start : start + rows]
        np.add(high[:, :1], h_low[None, :, 0], out=block)
        scratch = np.empty_like(block)
        for mu in range(1, m):
            np.add(high[:, mu : mu + 1], h_low[None, :, mu], out=scratch)
            np.minimum(block, scratch, out=block)
    return out.reshape(-1)


@dataclass(frozen=True)
class Instance:
    """One enumerated instance: min fields of all 2^N vectors and the solutions (κ ≥ 0)."""

    kind: str
    n: int
    m: int
    seed: int
    fields: np.ndarray  # min_μ wᵀξ^μ, length 2^N
    solutions: np.ndarray  # sorted x with κ(x) ≥ 0 (int64)

    @property
    def margins(self) -> np.ndarray:
        """κ(x) = min_μ wᵀξ^μ / √N for all x."""
        return self.fields / np.sqrt(self.n)

    @property
    def solution_margins(self) -> np.ndarray:
        return self.fields[self.solutions] / np.sqrt(self.n)

    @property
    def is_solution(self) -> np.ndarray:
        return self.fields >= 0

    def count_at_least(self, kappa: Fraction) -> int:
        """#{w : κ(w) ≥ κ}; for ±1 patterns exactly (integer fields vs threshold ⌈κ√N⌉)."""
        if self.kind == "binary":
            return int(np.count_nonzero(self.fields >= field_threshold(self.n, kappa)))
        return int(np.count_nonzero(self.fields >= float(kappa) * np.sqrt(self.n)))


def field_threshold(n: int, kappa: Fraction) -> int:
    """The least integer f with f ≥ κ√N (exact rational arithmetic)."""
    kappa = Fraction(kappa)
    sq = kappa * kappa * n  # f ≥ κ√N ⇔ f ≥ 0 and f² ≥ κ²N (κ ≥ 0); mirrored for κ < 0
    root = isqrt(sq.numerator // sq.denominator)  # ≤ √(κ²N): the loop ends at ⌈√(κ²N)⌉
    while Fraction(root * root) < sq:
        root += 1
    if kappa >= 0:
        return root
    # κ < 0: f ≥ −√(κ²N) ⇔ f ≥ −⌊√(κ²N)⌋
    floor_root = root if Fraction(root * root) == sq else root - 1
    return -floor_root


@lru_cache(maxsize=8)
def enumerate_instance(kind: str, n: int, m: int, seed: int) -> Instance:
    """All 2^N margins of the seeded instance (cached: checks run at two precisions)."""
    fields = min_fields(patterns(kind, n, m, seed))
    fields.setflags(write=False)
    solutions = np.flatnonzero(fields >= 0).astype(np.int64)
    return Instance(kind, n, m, seed, fields, solutions)


def distance_masks(n: int, d: int) -> np.ndarray:
    """All x ∈ [0, 2^N) with popcount(x) = d (the shell of radius d around 0)."""
    everything = np.arange(1 << n, dtype=np.int64)
    return everything[np.bitwise_count(everything) == d]


def shell_counts(inst: Instance, centres: np.ndarray, d: int) -> np.ndarray:
    """n_d(s) = #{solutions at Hamming distance d from s} for each centre (C(N, d) lookups)."""
    if d == 0:
        return inst.is_solution[centres].astype(np.int64)
    masks = distance_masks(inst.n, d)
    return inst.is_solution[centres[:, None] ^ masks[None, :]].sum(axis=1)


def shell_margins(inst: Instance, centre: int, d: int) -> np.ndarray:
    """κ of every configuration (solution or not) at distance d from `centre`."""
    return inst.margins[centre ^ distance_masks(inst.n, d)]


@dataclass(frozen=True)
class Profile:
    """Local entropy around each solution s: counts[s, d] = n_d(s) = #{solutions t : |s⊕t| = d},
    margin_sums[s, d] = Σ κ(t) over those t (mean = margin_sums / counts)."""

    counts: np.ndarray  # S × (N + 1) int64
    margin_sums: np.ndarray  # S × (N + 1) float64

    def mean_margins(self) -> np.ndarray:
        """Mean margin of the solutions at distance d (nan where there are none)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.counts > 0, self.margin_sums / self.counts, np.nan)


PAIR_CHUNK = 1 << 23  # distance entries per chunk of the pairwise method


def _pairwise_profile(inst: Instance, centres: np.ndarray) -> Profile:
    """Profile by popcount(s ⊕ t) over all solution pairs, in chunks of PAIR_CHUNK."""
    sols, width = inst.solutions, inst.n + 1
    kappa = inst.solution_margins
    counts = np.zeros((len(centres), width), dtype=np.int64)
    sums = np.zeros((len(centres), width))
    rows = max(1, PAIR_CHUNK // max(1, len(sols)))
    for start in range(0, len(centres), rows):
        chunk = centres[start : start + rows]
        dist = np.bitwise_count(chunk[:, None] ^ sols[None, :]).astype(np.int64)
        index = (np.arange(len(chunk))[:, None] * width + dist).ravel()
        size = len(chunk) * width
        counts[start : start + rows] = np.bincount(index, minlength=size).reshape(-1, width)
        weights = np.broadcast_to(kappa, dist.shape).ravel()
        sums[start : start + rows] = np.bincount(index, weights, minlength=size).reshape(-1, width)
    return Profile(counts, sums)


def walsh_hadamard(values: np.ndarray) -> np.ndarray:
    """Unnormalised Walsh–Hadamard transform along the last axis (length 2^N): applying it
    twice multiplies by 2^N. Exact for int64 input while |entries| stay below 2^63."""
    out = np.array(values, copy=True)
    length = out.shape[-1]
    lead = out.shape[:-1]
    half = 1
    while half < length:
        view = out.reshape(*lead, -1, 2, half)
        a, b = view[..., 0, :].copy(), view[..., 1, :]
        view[..., 0, :] += b
        view[..., 1, :] = a - b
        half *= 2
    return out


def krawtchouk(n: int, d: int, weight: np.ndarray) -> np.ndarray:
    """K_d(w) = Σ_j (−1)^j C(w, j) C(N − w, d − j): the transform of the radius-d shell."""
    out = np.zeros(weight.shape, dtype=np.int64)
    for j in range(d + 1):
        term = np.array([comb(int(w), j) * comb(n - int(w), d - j) for w in range(n + 1)])
        out += (-1) ** j * term[weight]
    return out


def _transform_profile(inst: Instance, centres: np.ndarray) -> Profile:
    """Profile by convolution on Z_2^N: n_d = WHT⁻¹(WHT(1_sol) · K_d(|u|)), exact in int64."""
    n = inst.n
    indicator = inst.is_solution.astype(np.int64)
    weighted = np.where(inst.is_solution, inst.margins, 0.0)
    spectrum, margin_spectrum = walsh_hadamard(indicator), walsh_hadamard(weighted)
    weight = np.bitwise_count(np.arange(1 << n, dtype=np.int64)).astype(np.int64)
    counts = np.zeros((len(centres), n + 1), dtype=np.int64)
    sums = np.zeros((len(centres), n + 1))
    for d in range(n + 1):
        kernel = krawtchouk(n, d, weight)
        counts[:, d] = (walsh_hadamard(spectrum * kernel) >> n)[centres]
        sums[:, d] = walsh_hadamard(margin_spectrum * kernel)[centres] / (1 << n)
    return Profile(counts, sums)


def local_entropy(inst: Instance, centres: np.ndarray | None = None) -> Profile:
    """n_d(s) for every d = 0..N and every centre (default: every solution), by the cheaper of
    pairwise popcounts (cost S·|centres|) and Walsh–Hadamard convolution (cost ~ N² 2^N)."""
    centres = inst.solutions if centres is None else np.asarray(centres, dtype=np.int64)
    pairwise = len(centres) * len(inst.solutions)
    transform = (inst.n + 2) * inst.n * (1 << inst.n)  # ~4.4× slower per unit than a pair
    if pairwise <= transform:
        return _pairwise_profile(inst, centres)
    return _transform_profile(inst, centres)


@lru_cache(maxsize=1024)
def solution_counts(kind: str, n: int, m: int, seeds: range, kappa: Fraction) -> tuple[int, ...]:
    """#{w : κ(w) ≥ κ} on each seeded instance (cached: both precisions share the counts)."""
    return tuple(enumerate_instance(kind, n, m, s).count_at_least(kappa) for s in seeds)
