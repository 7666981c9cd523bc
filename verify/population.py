"""Statistical claims: a tendency or a measured law, decided over a population of experiments.

A statistical claim's check measures one experiment (a design point: data, sizes, seeds) and
says whether it *supports* the claim, *contradicts* it, or *ties* (an effect smaller than the
claim's practical threshold), with its effect sizes and their intervals (`observed`). The
runner draws a population of at least `Rule.experiments` experiments and decides by the rule
(docs/index.md, "Statistical claims"):

    p = supporting / experiments (ties and contradictions do not support),
    Wilson 95% interval [p₋, p₊] of p;
    verified when p₋ > majority, refuted when p₊ < majority, otherwise inconclusive.

Experiments outside the claim's hypothesis (`Vacuous`) are counted apart; fewer than
`Rule.experiments` others give an inconclusive verdict. The statistics are float64
measurements: such a verdict has no digits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from verify.stats import bootstrap_mean, wilson

MIN_EXPERIMENTS = 8  # a population smaller than this decides nothing
WILSON_Z = 1.96  # two-sided 95% Wilson interval of the supporting fraction
MAJORITY = 0.5  # a tendency holds when most experiments show it

Effect = tuple[float, float, float]  # (estimate, interval low, interval high)


@dataclass(frozen=True)
class Rule:
    """How a statistical claim is decided, stated before it runs: what an experiment measures
    (`effect`), when it supports the claim (`supports`, in words), the `threshold` that
    criterion compares with (a practical effect size below which an effect is a tie, a
    tolerance, or a p-value), and the population size and majority."""

    effect: str
    supports: str
    threshold: float
    experiments: int = MIN_EXPERIMENTS
    majority: float = MAJORITY

    def __post_init__(self) -> None:
        if self.experiments < MIN_EXPERIMENTS:
            raise ValueError(f"a population needs at least {MIN_EXPERIMENTS} experiments")
        if not 0 < self.majority < 1:
            raise ValueError("the majority must lie strictly between 0 and 1")


SUPPORTS, CONTRADICTS, TIE = "supports", "contradicts", "tie"


@dataclass(frozen=True)
class Observation:
    """What one experiment says: `outcome` is SUPPORTS, CONTRADICTS or TIE; `effects` maps each
    effect's name to (estimate, low, high); `mechanism` says why it does not support."""

    outcome: str
    effects: Mapping[str, Effect]
    mechanism: str = ""

    def __post_init__(self) -> None:
        if self.outcome not in (SUPPORTS, CONTRADICTS, TIE):
            raise ValueError(f"an observation supports, contradicts or ties, not {self.outcome!r}")


def tendency(
    effects: Mapping[str, Effect], threshold: float | Mapping[str, float], what: str
) -> Observation:
    """Claimed positive effects: supports when every estimate exceeds its threshold (one for
    all, or one per effect), contradicts when one lies below −threshold, ties otherwise."""
    limit = threshold if isinstance(threshold, Mapping) else dict.fromkeys(effects, threshold)
    below = [(name, e[0] + 0.0) for name, e in effects.items() if e[0] < -limit[name]]
    if below:
        name, estimate = below[0]
        return Observation(CONTRADICTS, effects, f"{what}: {name} = {estimate:.3g} < 0")
    small = [(name, e[0] + 0.0) for name, e in effects.items() if e[0] <= limit[name]]  # no −0
    if small:
        name, estimate = small[0]
        return Observation(
            TIE, effects, f"{what}: {name} = {estimate:.3g} is within ±{limit[name]:g} (a tie)"
        )
    return Observation(SUPPORTS, effects)


def agreement(effects: Mapping[str, Effect], threshold: float, what: str) -> Observation:
    """A claimed law: each effect is a relative deviation from its prediction; supports when
    every |estimate| ≤ threshold, contradicts otherwise."""
    worst = max(effects.items(), key=lambda item: abs(item[1][0]))
    name, (estimate, *_) = worst
    if abs(estimate) <= threshold:
        return Observation(SUPPORTS, effects)
    return Observation(
        CONTRADICTS, effects, f"{what}: {name} deviates by {estimate:+.3g} (> ±{threshold:g})"
    )


@dataclass(frozen=True)
class Support:
    """A population's answer: counts, the Wilson interval of the supporting fraction, each
    effect's mean over experiments with a 90% bootstrap interval, and the exceptions (case,
    mechanism) of experiments that did not support."""

    experiments: int
    supporting: int
    contradicting: int
    ties: int
    vacuous: int
    interval: tuple[float, float]
    effect: dict[str, Effect]
    exceptions: list[tuple[object, str]] = field(default_factory=list)

    @property
    def fraction(self) -> float:
        return self.supporting / self.experiments if self.experiments else 0.0


def support(
    observations: list[tuple[object, Observation]], vacuous: int, z: float = WILSON_Z
) -> Support:
    """Tally (case, observation) pairs into a `Support`."""
    n = len(observations)
    count = {k: sum(o.outcome == k for _, o in observations) for k in (SUPPORTS, CONTRADICTS, TIE)}
    names = list(observations[0][1].effects) if observations else []
    effect = {}
    for name in names:
        xs = [float(o.effects[name][0]) for _, o in observations if name in o.effects]
        low, high = bootstrap_mean(xs) if len(xs) > 1 else (xs[0], xs[0])
        effect[name] = (sum(xs) / len(xs), low, high)
    exceptions = [(case, o.mechanism) for case, o in observations if o.outcome != SUPPORTS]
    return Support(
        n,
        count[SUPPORTS],
        count[CONTRADICTS],
        count[TIE],
        vacuous,
        tuple(map(float, wilson(count[SUPPORTS], n, z))) if n else (0.0, 1.0),
        effect,
        exceptions,
    )


def decide(rule: Rule, found: Support) -> tuple[str, str]:
    """("verified" | "refuted" | "inconclusive", the reason), by the module's rule."""
    low, high = found.interval
    said = (
        f"{found.supporting} of {found.experiments} experiments support the claim "
        f"(Wilson 95% [{low:.2f}, {high:.2f}]; {found.contradicting} contradict, "
        f"{found.ties} tie, {found.vacuous} vacuous)"
    )
    if found.experiments < rule.experiments:
        return "inconclusive", f"{said}: a decision needs {rule.experiments} experiments"
    if low > rule.majority:
        return "verified", said
    if high < rule.majority:
        return "refuted", f"{said}: most experiments do not show it"
    return "inconclusive", f"{said}: the interval contains {rule.majority:g}"
