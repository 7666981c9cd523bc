"""A false conjecture: every scalar minimum of target 1 is flat, λ_max = N.

Only balanced minima (every w_i² = 1) are (G6: λ_max = Σ 1/w_i² ≥ N); the suite refutes this
and shrinks the counterexample to a readable one.
"""

from verify import cases, conjecture, equal


@conjecture(
    "X2",
    "Every scalar minimum of target 1 has λ_max = N",
    cases=cases.scalar_minima(target=1),
)
def every_minimum_is_flat(m):
    return equal(m.sharpness(), m.depth, "λ_max = N")
