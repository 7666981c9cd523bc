"""Data for the scalar network: a finite data set (x_m, y_m) and noise-augmented inputs.

Per-sample loss ℓ_m = ½(P x_m − y_m)², so ∂ℓ_m/∂P = (P x_m − y_m) x_m (the gradient factor r).
Noise augmentation (G4): x = 1 + σε, target 1, E ε = 0, E ε² = 1.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from mpmath.ctx_mp import MPContext

from verify.precision import exact


@dataclass(frozen=True)
class Dataset:
    """Samples (x_m, y_m), exact rationals; P* = Σ x y / Σ x² minimises the mean loss."""

    xs: tuple[Fraction, ...]
    ys: tuple[Fraction, ...]

    @property
    def size(self) -> int:
        return len(self.xs)

    def minimiser(self) -> Fraction:
        """P* = Σ x_m y_m / Σ x_m²."""
        return sum(x * y for x, y in zip(self.xs, self.ys, strict=True)) / sum(
            x * x for x in self.xs
        )

    def gradient_factors(self, p: Fraction) -> list[Fraction]:
        """r_m = (p x_m − y_m) x_m, exactly."""
        return [(p * x - y) * x for x, y in zip(self.xs, self.ys, strict=True)]

    def spread(self) -> Fraction:
        """s² = mean_m r_m(P*)², the per-sample gradient variance at the minimum (mean r = 0)."""
        factors = self.gradient_factors(self.minimiser())
        return sum(r * r for r in factors) / self.size

    def batch_factor(self, ctx: MPContext, p, batch: Sequence[int]):
        """r_B = mean_{m∈B} (p x_m − y_m) x_m at the precision of ctx."""
        total = ctx.zero
        for m in batch:
            x, y = exact(ctx, self.xs[m]), exact(ctx, self.ys[m])
            total += (p * x - y) * x
        return total / len(batch)


def batches(seed: int, n: int, batch: int, steps: int) -> list[tuple[int, ...]]:
    """Seeded mini-batches drawn with replacement (so E r_B² = s²/B at the minimum)."""
    rng = random.Random(seed)
    return [tuple(rng.randrange(n) for _ in range(batch)) for _ in range(steps)]


def gaussian_noise(seed: int, steps: int) -> list[Fraction]:
    """Seeded standard normal draws ε_t, as exact rationals (the same at every precision)."""
    rng = random.Random(seed)
    return [Fraction(rng.gauss(0.0, 1.0)) for _ in range(steps)]


def noisy_factor(p, sigma, eps):
    """r_t = (p x_t − 1) x_t with x_t = 1 + σ ε_t."""
    x = 1 + sigma * eps
    return (p * x - 1) * x


def expected_noise_loss(p, sigma):
    """E ½(p x − 1)² = ½(p − 1)² + ½σ²p² (G4)."""
    return (p - 1) ** 2 / 2 + sigma**2 * p**2 / 2


def noise_moment(p: Fraction, sigma: Fraction) -> Fraction:
    """E r² = p²E x⁴ − 2p E x³ + E x², Gaussian x = 1 + σε: E x³ = 1 + 3σ², E x⁴ = 1 + 6σ² + 3σ⁴."""
    s2 = sigma * sigma
    return p * p * (1 + 6 * s2 + 3 * s2 * s2) - 2 * p * (1 + 3 * s2) + (1 + s2)
