"""The N2 experiment: ReLU students trained in practice, their minima and the same-norm
rotation baseline (claim N2, docs/claims/nonlinear.md).

A case is a whole experiment (`PracticeExperiment`): a seeded teacher ReLU network labels n
Gaussian inputs (Y scaled to unit RMS); a bias-free ReLU student (depth 2–3, width ≤ 8) is
trained by full-batch GD from small init at several step sizes η, and, as the sharper setting,
from large init with a small step, once per seed (≥ 8 seeds; the seed draws the init); and by
mini-batch SGD (batch B, default ⌈n/2⌉, a fresh random B-subset per step from a Generator seeded
[seed, 5, run]) from the same small init at the same η. A run
"reaches a minimum" when its loss falls below `CONVERGED` (1e-5, from ~0.5); runs that diverge
or stall within `BUDGET` steps are counted and left out. At the end point we measure λ_max
(power iteration on finite-difference Hessian-vector products, activation pattern frozen),
and for each pair of consecutive layers the alignment |u_1(W_k) · v_1(W_{k+1})| and the
imbalance ‖W_{k+1}ᵀW_{k+1} − W_kW_kᵀ‖_F / ((‖W_k‖_F² + ‖W_{k+1}‖_F²)/2) (`training.structure`).
(Polishing the end point onto the interpolation set by Gauss–Newton was tried and rejected:
the ill-conditioned directions GD has not finished make it jump 40–75 % of ‖θ‖ away, to a
different, sharper minimum.)

Baseline: the same weights with every layer randomly rotated, W_k ↦ U_k W_k V_k
(`ROTATIONS` Haar draws per minimum, seeded [seed, 3, run]): same singular values, decoupled
singular vectors. Per seed, the effects are the mean over its GD minima of
    Δ_align = alignment − baseline alignment,   Δ_bal = baseline imbalance − imbalance
(positive: GD more aligned / more balanced); a seeded percentile bootstrap over seeds gives 90%
intervals of their means.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from verify.evidence import Vacuous
from verify.linear.train import check_batch
from verify.nonlinear import training as tr
from verify.stats import bootstrap_mean

CONVERGED = 1e-5  # GD loss below which a run has reached a minimum

BUDGET = 30_000  # GD steps per run

ROTATIONS = 16  # random rotations per minimum in the same-norm baseline

SHARP_STEP = 0.01  # the sharper setting: small step …

SHARP_SCALE = 1.5  # … from large init (std SHARP_SCALE / √fan_in)


@dataclass(frozen=True)
class PracticeExperiment:
    """Teacher widths, student widths, n samples, data seed, GD seeds, step sizes η, the
    small init scale (std scale / √fan_in) and the SGD batch size B (None: ⌈n/2⌉)."""

    teacher: tuple[int, ...]
    student: tuple[int, ...]
    samples: int
    data_seed: int
    seeds: tuple[int, ...]
    steps: tuple[float, ...]
    scale: float = 0.3
    batch: int | None = None

    def __post_init__(self) -> None:
        tr.check_widths(self.teacher)
        tr.check_widths(self.student)
        if self.teacher[0] != self.student[0] or self.teacher[-1] != self.student[-1]:
            raise ValueError("teacher and student must share input and output widths")
        if len(self.student) < 3:
            raise ValueError("the student needs a hidden layer (a pair of layers to compare)")
        if len(self.seeds) < 2 or len(set(self.seeds)) != len(self.seeds):
            raise ValueError(f"need ≥ 2 distinct seeds, got {self.seeds}")
        if not self.steps or any(not (0 < s < float("inf")) for s in self.steps):
            raise ValueError(f"step sizes must be positive and finite, got {self.steps}")
        if self.samples < 1 or not self.scale > 0:
            raise ValueError("need ≥ 1 sample and a positive init scale")
        if self.batch is None:
            object.__setattr__(self, "batch", -(-self.samples // 2))
        check_batch(self.batch, self.samples)

    def data(self) -> tuple[np.ndarray, np.ndarray]:
        """X (d_0 × n) standard Gaussian and Y = teacher(X) scaled to unit RMS (seeded)."""
        rng = np.random.default_rng([self.data_seed, 7])
        teacher = _layers(self.teacher, 1.0, rng)
        x = rng.standard_normal((self.teacher[0], self.samples))
        y = tr.forward(teacher, x)[0]
        rms = float(np.sqrt(np.mean(y * y)))
        if rms == 0:
            raise Vacuous("the teacher is zero on every sample (all units dead): nothing to fit")
        return x, y / rms


FIGURE_EXPERIMENTS = (  # the columns of the nonlinear_structure figure
    PracticeExperiment((3, 2, 1), (3, 8, 1), 8, 0, tuple(range(8)), (0.05, 0.1, 0.2, 0.4)),
    PracticeExperiment((3, 2, 1), (3, 6, 6, 1), 8, 0, tuple(range(8)), (0.05, 0.1, 0.2, 0.4)),
)


def _layers(widths: tuple[int, ...], scale: float, rng: np.random.Generator) -> tr.Weights:
    return [rng.standard_normal((b, a)) * scale / np.sqrt(a) for a, b in itertools.pairwise(widths)]


@dataclass(frozen=True)
class Minimum:
    """A minimum: setting ("gd", "sharp" or "sgd"), seed, η, weights, λ_max (float64),
    (alignment, imbalance, unit imbalance) and the baseline's mean (alignment, imbalance)."""

    setting: str
    seed: int
    step: float
    weights: tuple
    sharpness: float
    structure: tuple[float, float, float]
    baseline: tuple[float, float]
    margin: float  # `training.kink_margin`: distance of the pre-activations from the kink


@dataclass(frozen=True)
class Outcome:
    """The minima reached and, in plan order, (setting, status) of every run."""

    minima: tuple[Minimum, ...]
    status: tuple[tuple[str, str], ...]

    def count(self, settings: tuple[str, ...], status: str | None = None) -> int:
        """How many runs of these settings ended with `status` (any status: None)."""
        return sum(s in settings and status in (None, st) for s, st in self.status)


@lru_cache(maxsize=64)
def outcome(exp: PracticeExperiment) -> Outcome:
    """Train every (seed, setting) run in float64 — GD and sharp runs in one batched call, then
    the SGD runs in another — and measure at the end points (cached: the two working
    precisions and the figures share it)."""
    x, y = exp.data()
    plan = [("gd", s, eta, exp.scale) for s in exp.seeds for eta in exp.steps]
    plan += [("sharp", s, SHARP_STEP, SHARP_SCALE) for s in exp.seeds]
    full = len(plan)
    plan += [("sgd", s, eta, exp.scale) for s in exp.seeds for eta in exp.steps]
    inits = [_layers(exp.student, scale, np.random.default_rng(s)) for _, s, _, scale in plan]
    ends = []  # (status, weights, λ_max) per run, in plan order
    for part, batch in ((range(full), None), (range(full, len(plan)), exp.batch)):
        start = [np.stack(layer) for layer in zip(*(inits[r] for r in part), strict=True)]
        seeds = [[plan[r][1], 5, r] for r in part]
        runs = tr.gd64(start, x, y, [plan[r][2] for r in part], BUDGET, CONVERGED, batch, seeds)
        lams = tr.power_sharpness(runs.weights, x, y)
        ends += [(runs.status[i], runs.network(i), float(lams[i])) for i in range(len(part))]
    minima = []
    for r, ((setting, seed, eta, _), (status, ws, lam)) in enumerate(zip(plan, ends, strict=True)):
        if status != "converged":
            continue
        rng = np.random.default_rng([seed, 3, r])
        base = np.mean([tr.structure(tr.rotated(ws, rng))[:2] for _ in range(ROTATIONS)], axis=0)
        minima.append(
            Minimum(
                setting,
                seed,
                eta,
                tuple(ws),
                lam,
                tr.structure(ws),
                (float(base[0]), float(base[1])),
                tr.kink_margin(ws, x),
            )
        )
    return Outcome(
        tuple(minima), tuple((p[0], st) for p, (st, _, _) in zip(plan, ends, strict=True))
    )


def average(minima: list[Minimum], value) -> float:
    """Mean of `value` over the minima (0.0 when there are none, as reported)."""
    return float(np.mean([value(m) for m in minima])) if minima else 0.0


def _per_seed(minima: list[Minimum], value) -> dict[int, float]:
    """Per seed, the mean of `value` over that seed's minima."""
    seeds = sorted({m.seed for m in minima})
    return {s: average([m for m in minima if m.seed == s], value) for s in seeds}


def effects(out: Outcome) -> dict[str, tuple[float, float, float, int]]:
    """Effect sizes as (mean over seeds, 90% bootstrap low, high, seeds): GD minus rotation
    baseline (alignment; imbalance as baseline − GD), GD minus sharp setting (paired by
    seed; imbalance as sharp − GD), positive = GD more aligned / balanced; and SGD minus
    rotation baseline (prefix "sgd_")."""
    gd = [m for m in out.minima if m.setting == "gd"]
    sharp = [m for m in out.minima if m.setting == "sharp"]
    per = {}
    for prefix, ms in (("", gd), ("sgd_", [m for m in out.minima if m.setting == "sgd"])):
        per[f"{prefix}align_vs_rotation"] = _per_seed(ms, lambda m: m.structure[0] - m.baseline[0])
        per[f"{prefix}balance_vs_rotation"] = _per_seed(
            ms, lambda m: m.baseline[1] - m.structure[1]
        )
    gd_align, gd_bal = (
        _per_seed(gd, lambda m: m.structure[0]),
        _per_seed(gd, lambda m: m.structure[1]),
    )
    sh_align = _per_seed(sharp, lambda m: m.structure[0])
    sh_bal = _per_seed(sharp, lambda m: m.structure[1])
    both = sorted(gd_align.keys() & sh_align.keys())
    per["align_vs_sharp"] = {s: gd_align[s] - sh_align[s] for s in both}
    per["balance_vs_sharp"] = {s: sh_bal[s] - gd_bal[s] for s in both}
    result = {}
    for name, values in per.items():
        xs = list(values.values())
        if len(xs) < 2:
            result[name] = (float(np.mean(xs)) if xs else 0.0, 0.0, 0.0, len(xs))
            continue
        low, high = bootstrap_mean(xs)
        result[name] = (float(np.mean(xs)), low, high, len(xs))
    return result
