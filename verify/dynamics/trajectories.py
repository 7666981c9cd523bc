"""Float64 trajectories of the depth-2 scalar network for the figures of the two phases.

Four regimes from one unbalanced start, target 1: plain GD (x = 1), GD + weight decay μ,
GD on sampled noisy inputs x = 1 + σε, and mini-batch SGD (batch B) on a small data set.
Each records the loss ½(P x − y)² of its own data (expected over the noise for noise, mean
over the data set for SGD) and its minimum over P (the floor the loss falls to), |D_12|, and
the path (w_1, w_2); a run that diverges stops there and says at which step.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from fractions import Fraction

from verify.dynamics import steps
from verify.dynamics.data import Dataset, batches, expected_noise_loss, noisy_factor
from verify.evidence import InvalidCase
from verify.scalar import others

START = (0.25, 1.5)
DATA = Dataset(
    tuple(map(Fraction, ("1", "1/2", "3/2", "2", "3/4", "5/4"))),
    tuple(map(Fraction, ("6/5", "1/2", "5/4", "9/4", "1", "3/2"))),
)


MAX_STEPS = 1_000_000  # 20,000 steps take about a second


@dataclass(frozen=True)
class Schedule:
    """Step η, weight decay μ, noise σ, batch B and number of steps of the figures."""

    eta: float = 0.05
    mu: float = 0.005
    sigma: float = 0.5
    batch: int = 1
    steps: int = 20000

    def check(self) -> None:
        """One-line errors for η ≤ 0, μ < 0, σ < 0, B outside 1..|data|, steps outside
        1..MAX_STEPS."""
        steps.check_schedule(self.eta, self.mu, self.batch, DATA.size)
        if self.sigma < 0:
            raise InvalidCase(f"noise level σ must be non-negative, got {self.sigma}")
        if self.steps < 1:
            raise InvalidCase(f"the number of steps must be positive, got {self.steps}")
        if self.steps > MAX_STEPS:
            raise InvalidCase(
                f"the number of steps must be at most {MAX_STEPS:,} (about a minute), "
                f"got {self.steps:,}"
            )

    @property
    def noisy_minimiser(self) -> float:
        """P* = 1/(1 + σ²), the minimiser of the expected noisy loss (G4)."""
        return 1 / (1 + self.sigma**2)


@dataclass
class Trajectory:
    """Loss, |D_12| and (w_1, w_2) per step; `diverged_at` when the run left every basin;
    `floor` the minimum of the loss over P (0 for GD and weight decay: plain loss, target 1);
    `stochastic` for the noisy and SGD runs."""

    name: str
    losses: list[float] = field(default_factory=list)
    imbalances: list[float] = field(default_factory=list)
    path: list[tuple[float, float]] = field(default_factory=list)
    diverged_at: int | None = None
    floor: float = 0.0
    stochastic: bool = False


def _run(
    name: str,
    schedule: Schedule,
    factor,
    loss,
    mu: float = 0.0,
    minimiser: float = 1.0,
    stochastic: bool = False,
) -> Trajectory:
    """Iterate w ← (1 − ημ)w − η r(t, P) Π_{k≠i} w_k from START; the floor is the loss at
    `minimiser`."""
    out, ws = Trajectory(name, floor=loss(minimiser), stochastic=stochastic), list(START)
    for t in range(schedule.steps + 1):
        p = others(ws)
        out.losses.append(loss(p))
        out.imbalances.append(abs(ws[0] ** 2 - ws[1] ** 2))
        out.path.append((ws[0], ws[1]))
        if t == schedule.steps:
            break
        try:
            ws = steps.step(ws, factor(t, p), schedule.eta, mu)
            steps.guard(ws, t + 1)
        except (steps.Diverged, OverflowError):
            out.diverged_at = t + 1
            break
    return out


def trajectories(schedule: Schedule) -> list[Trajectory]:
    """The four regimes of the figures (seeded: the same figures every run)."""
    schedule.check()
    rng = random.Random(0)
    eps = [rng.gauss(0.0, 1.0) for _ in range(schedule.steps)]
    picks = batches(0, DATA.size, schedule.batch, schedule.steps)
    xs, ys = [float(x) for x in DATA.xs], [float(y) for y in DATA.ys]

    def mean_loss(p: float) -> float:
        return sum((p * x - y) ** 2 for x, y in zip(xs, ys, strict=True)) / (2 * len(xs))

    def sgd_factor(t: int, p: float) -> float:
        return sum((p * xs[m] - ys[m]) * xs[m] for m in picks[t]) / len(picks[t])

    sigma = schedule.sigma
    return [
        _run("GD", schedule, lambda t, p: p - 1, lambda p: (p - 1) ** 2 / 2),
        _run(
            f"GD + weight decay μ={schedule.mu:g}",
            schedule,
            lambda t, p: p - 1,
            lambda p: (p - 1) ** 2 / 2,
            schedule.mu,
        ),
        _run(
            f"noise σ={sigma:g}",
            schedule,
            lambda t, p: noisy_factor(p, sigma, eps[t]),
            lambda p: expected_noise_loss(p, sigma),
            minimiser=schedule.noisy_minimiser,
            stochastic=True,
        ),
        _run(
            f"SGD B={schedule.batch}",
            schedule,
            sgd_factor,
            mean_loss,
            minimiser=float(DATA.minimiser()),
            stochastic=True,
        ),
    ]
