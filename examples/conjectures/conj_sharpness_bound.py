"""An inequality: at every whitened global minimum, λ_max ≥ N σ1^{2−2/N} (F1's lower bound).

`at_most(a, b)` states a ≤ b; its slack b − a is reported, and the check fails where it is < 0.
"""

from verify import at_most, cases, conjecture


@conjecture(
    "X3",
    "Whitened global minima: λ_max ≥ N σ1^{2−2/N}",
    cases=cases.global_minima(depth=(2, 4), whitened=True),
    status="proved",
    source="Mulayoff & Michaeli 2020 (F1), restated as a user conjecture",
)
def sharpness_at_least_flattest(m):
    sigma1 = m.ctx.sqrt(max(m.ctx.eigsy(m.target.T * m.target)[0]))
    return at_most(m.depth * sigma1 ** (2 - m.ctx.mpf(2) / m.depth), m.sharpness(), "F1 bound")
