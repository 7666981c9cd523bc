"""First and second moments of the number of binary-perceptron vectors with margin ≥ κ (P3),
and an honest test of an observed mean count against the first moment.

C(κ) = #{w ∈ {±1}^N : κ(w) ≥ κ}. For a fixed w the fields wᵀξ^μ/√N are independent over μ,
exactly N(0, 1) for Gaussian patterns, so E C = 2^N p₁^M with p₁ = H(κ) (exact at finite N).
Two vectors at Hamming distance d have fields with correlation q = 1 − 2d/N, so
E C² = 2^N Σ_d C(N, d) p₂(d)^M, p₂(d) = P(z ≥ κ, z' ≥ κ). For ±1 patterns both are exact
binomial sums with the integer threshold t = ⌈κ√N⌉.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from math import comb

from mpmath.ctx_mp import MPContext

from verify.perceptron.enumerate import field_threshold
from verify.perceptron.gaussian import gauss_tail
from verify.precision import exact


def _sum_law(k: int) -> dict[int, Fraction]:
    """Law of a sum of k independent uniform ±1: P(sum = k − 2j) = C(k, j) / 2^k."""
    return {k - 2 * j: Fraction(comb(k, j), 2**k) for j in range(k + 1)}


def binary_single(n: int, t: int) -> Fraction:
    """P(Σ_{i≤N} ε_i ≥ t), ε_i uniform ±1."""
    return sum((p for s, p in _sum_law(n).items() if s >= t), Fraction(0))


def binary_pair(n: int, d: int, t: int) -> Fraction:
    """P(A + B ≥ t, A − B ≥ t), A a sum of N − d and B of d independent uniform ±1."""
    law_a, law_b = _sum_law(n - d), _sum_law(d)
    return sum(
        (pa * pb for a, pa in law_a.items() for b, pb in law_b.items() if min(a + b, a - b) >= t),
        Fraction(0),
    )


def gaussian_pair(ctx: MPContext, kappa, q):
    """P(z ≥ κ, z' ≥ κ) for standard normals with correlation q ∈ [−1, 1]."""
    if q == 1:
        return gauss_tail(ctx, kappa)
    if q == -1:
        return max(ctx.zero, gauss_tail(ctx, kappa) - gauss_tail(ctx, -kappa))
    return gauss_tail(ctx, kappa) - 2 * owen_t(ctx, kappa, ctx.sqrt((1 - q) / (1 + q)))


def owen_t(ctx: MPContext, h, a):
    """Owen's T(h, a) = (1/2π) ∫_0^a e^{−h²(1+x²)/2} / (1+x²) dx; P(z ≥ h, z' ≥ h) with
    correlation q is H(h) − 2 T(h, √((1−q)/(1+q))) (Owen 1956)."""
    return ctx.quad(lambda x: ctx.exp(-(h**2) * (1 + x * x) / 2) / (1 + x * x), [0, a]) / (
        2 * ctx.pi
    )


@dataclass(frozen=True)
class Moments:
    """E C and E C² at ctx precision."""

    first: object
    second: object

    @property
    def variance(self):
        return self.second - self.first**2


def moments(ctx: MPContext, kind: str, n: int, m: int, kappa: Fraction) -> Moments:
    """E C(κ) = 2^N p₁^M and E C(κ)² = 2^N Σ_d C(N, d) p₂(d)^M (see the module docstring)."""
    if kind == "binary":
        t = field_threshold(n, kappa)
        p1 = exact(ctx, binary_single(n, t))
        p2 = [exact(ctx, binary_pair(n, d, t)) for d in range(n + 1)]
    else:
        k = exact(ctx, kappa)
        p1 = gauss_tail(ctx, k)
        p2 = [gaussian_pair(ctx, k, 1 - exact(ctx, Fraction(2 * d, n))) for d in range(n + 1)]
    scale = ctx.mpf(2) ** n
    second = scale * sum(comb(n, d) * p**m for d, p in enumerate(p2))
    return Moments(scale * p1**m, second)


@dataclass(frozen=True)
class MeanTest:
    """The observed mean of K counts against E C, with a conservative p-value."""

    mean: object
    expected: object
    z: object  # (mean − E C) / √(Var C / K), reported only
    p_value: object


def mean_test(ctx: MPContext, counts: list[int], mom: Moments, largest: int) -> MeanTest:
    """Two-sided p-value for mean(counts) = E C without a normal approximation.

    Counts are non-negative and heavy-tailed, so the CLT is unreliable (the sample variance
    underestimates Var C). Both tails use exact moments: below the mean, Maurer's bound for
    non-negative summands P(X̄ ≤ E − t) ≤ exp(−K t² / (2 E C²)); above it, the smaller of
    Cantelli's P(X̄ ≥ E + t) ≤ v / (v + t²), v = Var C / K, and Bernstein's with C − E C ≤ b,
    b = `largest` − E C. p = min(1, 2 × the bound on the observed side): a valid p-value
    under the claim, whatever the law of C.
    """
    k = len(counts)
    mean = ctx.mpf(sum(counts)) / k
    gap = mean - mom.first
    v = mom.variance / k
    z = gap / ctx.sqrt(v) if v > 0 else ctx.zero
    if gap <= 0:
        side = ctx.exp(-k * gap**2 / (2 * mom.second)) if mom.second > 0 else ctx.one
    else:
        b = largest - mom.first
        cantelli = v / (v + gap**2)
        bernstein = ctx.exp(-(gap**2) / (2 * v + 2 * b * gap / (3 * k)))
        side = min(cantelli, bernstein)
    return MeanTest(mean, mom.first, z, min(ctx.one, 2 * side))
