"""Named search profiles: how many cases Hypothesis draws per claim (before `Claim.cost`)."""

from __future__ import annotations

from hypothesis import HealthCheck, Phase, settings

from verify.errors import FlatminimaError

PROFILES: dict[str, int] = {"quick": 12, "ci": 30, "thorough": 200}
DEFAULT_PROFILE = "quick"

for _name, _examples in PROFILES.items():
    settings.register_profile(
        _name,
        max_examples=_examples,
        deadline=None,  # high-precision checks have no meaningful per-example deadline
        database=None,  # runs are reproducible from --seed; counterexamples are saved as JSON
        report_multiple_bugs=False,
        suppress_health_check=[HealthCheck.too_slow],
    )


class ProfileError(FlatminimaError, ValueError):
    """An unknown profile name."""


def profile_settings(name: str, cost: float = 1.0, shrink: bool = True) -> settings:
    """The Hypothesis settings of profile `name`, scaled by a claim's relative `cost`; with
    `shrink=False` a failing case is reported as drawn (no shrink phase)."""
    if name not in PROFILES:
        raise ProfileError(f"unknown profile {name!r} (choose from {', '.join(PROFILES)})")
    phases = tuple(p for p in Phase if shrink or p is not Phase.shrink)
    examples = max(1, round(PROFILES[name] * cost))
    return settings(settings.get_profile(name), max_examples=examples, phases=phases)
