"""Named search profiles: how many cases Hypothesis draws per claim (before `Claim.cost`).

The profiles are flatminima's own `settings` objects, never registered with Hypothesis: a host
test suite keeps its profile, and a verdict does not depend on it (nor on `CI` being set, which
makes Hypothesis load its "ci" profile: derandomize, print_blob). Each one is derived from
Hypothesis's built-in "default" profile, with every setting that decides which cases run and
what is reported given explicitly; the names live in verify.names, which imports nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from hypothesis import HealthCheck, Phase, Verbosity, settings
from hypothesis.internal.conjecture import providers

from verify.errors import FlatminimaError
from verify.names import DEFAULT_PROFILE, PROFILES

__all__ = [
    "DEFAULT_PROFILE",
    "PROFILES",
    "ProfileError",
    "population_settings",
    "population_size",
    "profile_settings",
    "seeded_draws_only",
]


def _profile(examples: int) -> settings:
    return settings(
        parent=settings.get_profile("default"),  # Hypothesis's built-in defaults, not the host's
        max_examples=examples,
        derandomize=False,  # the runner seeds every search with hypothesis.seed
        deadline=None,  # high-precision checks have no meaningful per-example deadline
        database=None,  # runs are reproducible from --seed; counterexamples are saved as JSON
        phases=tuple(Phase),
        report_multiple_bugs=False,
        suppress_health_check=[HealthCheck.too_slow],
        print_blob=False,
        verbosity=Verbosity.normal,
    )


_SETTINGS: dict[str, settings] = {name: _profile(n) for name, n in PROFILES.items()}


class ProfileError(FlatminimaError, ValueError):
    """An unknown profile name."""


def profile_settings(name: str, cost: float = 1.0, shrink: bool = True) -> settings:
    """The Hypothesis settings of profile `name`, scaled by a claim's relative `cost`; with
    `shrink=False` a failing case is reported as drawn (no shrink phase)."""
    if name not in PROFILES:
        raise ProfileError(f"unknown profile {name!r} (choose from {', '.join(PROFILES)})")
    phases = tuple(p for p in Phase if shrink or p is not Phase.shrink)
    examples = max(1, round(PROFILES[name] * cost))
    return settings(_SETTINGS[name], max_examples=examples, phases=phases)


def population_size(name: str, cost: float, minimum: int) -> int:
    """How many non-vacuous experiments a statistical claim's population holds: the
    profile's case count scaled by `cost`, at least `minimum`."""
    return max(minimum, profile_settings(name, cost).max_examples)


def population_settings(name: str, draws: int) -> settings:
    """Settings that draw `draws` candidate experiments: generated only (no search for
    failures, no shrinking)."""
    return settings(_SETTINGS[name], max_examples=draws, phases=(Phase.explicit, Phase.generate))


@contextmanager
def seeded_draws_only() -> Iterator[None]:
    """While a claim is searched or its population drawn, cases depend on the seed and the
    strategy only. Hypothesis otherwise biases draws toward numeric constants of the *local*
    modules loaded so far (`HypothesisProvider._local_constants`), so importing a report
    module or a user's conjecture file changed which cases a seed drew. The constants are
    emptied for the search and restored after it (with Hypothesis's cache of them), so the
    host's own property tests are unaffected."""
    provider = providers.HypothesisProvider
    saved = provider.__dict__.get("_local_constants")
    if saved is None:  # a Hypothesis without local constants: nothing to hold fixed
        yield
        return
    empty = providers.Constants()
    provider._local_constants = property(lambda _: empty)
    providers.CONSTANTS_CACHE.cache.clear()
    try:
        yield
    finally:
        provider._local_constants = saved
        providers.CONSTANTS_CACHE.cache.clear()
