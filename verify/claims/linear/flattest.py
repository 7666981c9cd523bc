"""Flattest minima of deep linear networks (docs/claims/linear.md; Mulayoff & Michaeli 2020):
F1–F3, F5, F5b, F6–F8."""

from __future__ import annotations

from fractions import Fraction
from functools import cache

from flint import arb
from hypothesis import strategies as st
from mpmath.ctx_mp import MPContext

from verify import algebraic, cases
from verify.algebraic import AlgebraicNumber, power, rational
from verify.certificate import (
    Certificate,
    certificate,
    decided_at_most,
    exactly_equal,
    undecided,
)
from verify.claim import Claim, Family, Status
from verify.evidence import Evidence, at_most, equal, evidence, require
from verify.linear import balls
from verify.linear import curvature as cv
from verify.linear import exact as ex
from verify.linear.flattest import (
    attaining_net,
    flattest,
    flattest_whitened,
    top_singular_value,
)
from verify.linear.network import LinearNetwork, Net, rows_product, transpose
from verify.linear.strategies import diagonal
from verify.linear.structure import coupling_evidence
from verify.precision import tolerance

SOURCE = "Mulayoff & Michaeli 2020"


def _diagonal_network(*layers) -> LinearNetwork:
    return LinearNetwork(tuple(diagonal(len(d), len(d), [Fraction(x) for x in d]) for d in layers))


# Full-rank counterexamples (docs/claims/linear.md), checked first by every profile.
# F7: T = diag(1, 1/4), W1 = I, W2 = diag(1, 1/4): λ_max = 2 = flattest, W2ᵀW2 ≠ W1W1ᵀ.
UNBALANCED_FLATTEST = _diagonal_network((1, 1), (1, Fraction(1, 4)))
# F8: W1 = diag(1, 5/4), W2 = diag(1, 1/2), W3 = I: λ_max = 3 = flattest, ‖W1‖₂ = 5/4 > 1.
WIDE_LAYER_FLATTEST = _diagonal_network((1, Fraction(5, 4)), (1, Fraction(1, 2)), (1, 1))


def _exactly_balanced(case: LinearNetwork) -> bool:
    """W_{k+1}ᵀW_{k+1} = W_kW_kᵀ for every k, decided exactly on the rationals."""
    w = case.weights
    return all(
        rows_product(transpose(w[k]), w[k]) == rows_product(w[k - 1], transpose(w[k - 1]))
        for k in range(1, len(w))
    )


def f1_flattest_whitened(case: LinearNetwork, ctx: MPContext) -> Evidence:
    """Whitened: λ_max ≥ N σ1^{2−2/N} at every minimum, with equality at balanced ones."""
    net = case.at(ctx)
    lam, bound = cv.sharpness(net), flattest_whitened(ctx, net.target, net.depth)
    relations = [at_most(bound, lam, "λ_max ≥ N σ1^{2−2/N}")]
    if _exactly_balanced(case):
        relations.append(equal(lam, bound, "balanced ⇒ λ_max = N σ1^{2−2/N}"))
    return evidence(*relations, lambda_max=lam, flattest=bound)


def _whitened_enclosures(case: LinearNetwork) -> tuple[object, object, Net]:
    """Enclosures of λ_max and s = σ1² = ‖T‖₂², and the ball network (Arb's precision)."""
    net = balls.ball_net(case)
    return balls.sharpness(case), balls.norm_squared(net.target), net


def _flattest_sides(case: LinearNetwork) -> tuple[AlgebraicNumber, AlgebraicNumber]:
    """(s^{N−1}, (λ_max/N)^N) exactly: N s^{(N−1)/N} ≤ λ_max ⟺ s^{N−1} ≤ (λ_max/N)^N (both
    sides ≥ 0, x ↦ x^N increasing), with equality on both sides together."""
    n = case.depth
    s = ex.norm_squared(ex.exact_net(case).target)
    scaled = algebraic.multiply(rational(Fraction(1, n)), ex.exact_sharpness(case))
    return power(s, n - 1), power(scaled, n)


def f1_certify(case: LinearNetwork, dps: int) -> Certificate:
    """F1 by enclosures, a tight case (a balanced minimum) exactly; balanced: equality exactly."""
    n = case.depth

    def enclosures():
        lam, s, _ = _whitened_enclosures(case)
        return n * s ** (arb(n - 1) / n), lam

    exact_sides = cache(lambda: _flattest_sides(case))  # both proofs may need it
    with balls.precision(dps):
        bound = decided_at_most("λ_max ≥ N σ1^{2−2/N}", enclosures, exact_sides)
    proofs = [bound]
    if _exactly_balanced(case):
        proofs.append(exactly_equal("balanced ⇒ λ_max = N σ1^{2−2/N}", *exact_sides()))
    return certificate(*proofs)


def f2_flattest_general(case: LinearNetwork, ctx: MPContext) -> Evidence:
    """Any Σx: λ_max ≥ N max_v f(v) at every minimum, v stationary; Σx = I gives F1. Attained:
    the minimum built from v (`attaining_minimum`, same widths) has P = T and λ_max = N f(v)."""
    net = case.at(ctx)
    lam = cv.sharpness(net)
    best = flattest(ctx, net.target, net.sigma, net.depth)
    built = attaining_net(ctx, case, best.direction)
    attained = cv.sharpness(built)
    relations = [
        at_most(best.value, lam, "λ_max ≥ N max_v f(v)"),
        equal(best.stationarity, 0, "∇ log f(v) = 0 at the maximiser", size=best.stationarity_size),
        equal(
            ctx.mnorm(built.residual(), "F"),
            0,
            "constructed P = T",
            size=ctx.mnorm(net.target, "F"),
        ),
        equal(attained, best.value, "constructed minimum: λ_max = N f(v) (bound attained)"),
    ]
    if case.whitened:
        relations.append(equal(best.value, flattest_whitened(ctx, net.target, net.depth), "F1"))
    return evidence(*relations, lambda_max=lam, flattest=best.value, attained=attained)


def f3_balanced_is_flattest(case: LinearNetwork, ctx: MPContext) -> Evidence:
    """(False in general) every balanced minimum attains the flattest λ_max, for any Σx."""
    net = case.at(ctx)
    lam = cv.sharpness(net)
    best = flattest(ctx, net.target, net.sigma, net.depth)
    return evidence(
        equal(lam, best.value, "balanced λ_max = flattest λ_max"),
        lambda_max=lam,
        flattest=best.value,
        ratio=lam / best.value,
    )


def _flattest_net(case: LinearNetwork, ctx: MPContext) -> tuple[Net, object]:
    """The case at ctx and σ1, after requiring that it is a whitened flattest minimum."""
    net = case.at(ctx)
    value = flattest_whitened(ctx, net.target, net.depth)
    require(equal(cv.sharpness(net), value, "λ_max = N σ1^{2−2/N} (a flattest minimum)"), ctx)
    return net, top_singular_value(ctx, net.target)


def f5_near_balance(case: LinearNetwork, ctx: MPContext) -> Evidence:
    """Flattest, whitened: σ1^{k/N} ≤ ‖W_k⋯W_1‖₂ ≤ √N σ1^{k/N}, k = 1..N−1."""
    net, s1 = _flattest_net(case, ctx)
    n = net.depth
    relations, gains = [], {}
    for k in range(1, n):
        gain = cv.spectral_norm(ctx, net.a(k + 1))
        scale = s1 ** (ctx.mpf(k) / n)
        relations += [
            at_most(scale, gain, f"σ1^{{{k}/N}} ≤ ‖A_{k + 1}‖₂"),
            at_most(gain, ctx.sqrt(n) * scale, f"‖A_{k + 1}‖₂ ≤ √N σ1^{{{k}/N}}"),
        ]
        gains[f"gain_{k}"] = gain / scale
    return evidence(*relations, sigma1=s1, **gains)


def f5_graceful(case: LinearNetwork, ctx: MPContext) -> Evidence:
    """Whitened, λ_max = (1 + ε) N σ1^{2−2/N}: for k = 1..N−1 (docs/claims/linear.md, F5b)
    e^{−√(εNk/2)} σ1^{k/N} ≤ ‖W_k⋯W_1‖₂ ≤ √((1+ε)N) e^{√(εN(N−k)/2) + √(εN(N−1)/2)} σ1^{k/N}.
    """
    net = case.at(ctx)
    n, s1 = net.depth, top_singular_value(ctx, net.target)
    lam = cv.sharpness(net)
    eps = lam / flattest_whitened(ctx, net.target, n) - 1
    if eps <= tolerance(ctx):  # zero to working precision: √ε would only amplify rounding
        eps = ctx.zero
    relations = []
    for k in range(1, n):
        gain, scale = cv.spectral_norm(ctx, net.a(k + 1)), s1 ** (ctx.mpf(k) / n)
        lower = ctx.exp(-ctx.sqrt(eps * n * k / 2)) * scale
        spread = ctx.sqrt(eps * n * (n - k) / 2) + ctx.sqrt(eps * n * (n - 1) / 2)
        upper = ctx.sqrt((1 + eps) * n) * ctx.exp(spread) * scale
        relations += [
            at_most(lower, gain, f"e^(−√(εN{k}/2)) σ1^({k}/N) ≤ ‖A_{k + 1}‖₂"),
            at_most(gain, upper, f"‖A_{k + 1}‖₂ ≤ √((1+ε)N) e^(…) σ1^({k}/N)"),
        ]
    return evidence(*relations, epsilon=eps, lambda_max=lam)


def _gain_sides(case: LinearNetwork, k: int) -> tuple[tuple, tuple]:
    """F5's two inequalities at layer k exactly, as (s^k, g^N) and (g^N, N^N s^k) with
    g = ‖A_{k+1}‖₂², s = σ1²: σ1^{k/N} ≤ √g ⟺ s^k ≤ g^N and √g ≤ √N σ1^{k/N} ⟺
    g^N ≤ N^N s^k (all sides ≥ 0, powers increasing)."""
    net, n = ex.exact_net(case), case.depth
    s, g = ex.norm_squared(net.target), power(ex.norm_squared(net.a(k + 1)), n)
    return (power(s, k), g), (g, algebraic.multiply(rational(n**n), power(s, k)))


def f5_certify(case: LinearNetwork, dps: int) -> Certificate:
    """F5 by enclosures of σ1^{k/N}, ‖A_{k+1}‖₂ and √N σ1^{k/N}, tight ones exactly
    (`_gain_sides`); the hypothesis (a flattest minimum) exactly."""
    n = case.depth
    proofs = [exactly_equal("hypothesis: λ_max = N σ1^{2−2/N}", *_flattest_sides(case))]

    @cache
    def network() -> tuple:
        """The ball network and σ1² enclosed, once for every layer."""
        net = balls.ball_net(case)
        return net, balls.norm_squared(net.target)

    @cache
    def sides(k: int) -> tuple:
        """(σ1^{k/N}, ‖A_{k+1}‖₂, √N σ1^{k/N}) enclosed."""
        net, s = network()
        scale = s ** (arb(k) / (2 * n))
        return scale, balls.spectral_norm(net.a(k + 1)), arb(n).sqrt() * scale

    gain_sides = cache(lambda k: _gain_sides(case, k))

    with balls.precision(dps):
        for k in range(1, n):
            proofs += [
                decided_at_most(
                    f"σ1^{{{k}/N}} ≤ ‖A_{k + 1}‖₂",
                    lambda k=k: sides(k)[:2],
                    lambda k=k: gain_sides(k)[0],
                ),
                decided_at_most(
                    f"‖A_{k + 1}‖₂ ≤ √N σ1^{{{k}/N}}",
                    lambda k=k: sides(k)[1:],
                    lambda k=k: gain_sides(k)[1],
                ),
            ]
    return certificate(*proofs)


def f6_certify(case: LinearNetwork, dps: int) -> Certificate:
    """F6 relates singular vectors, which have no enclosure here: undecided, with the reason."""
    return certificate(
        undecided(
            "W_k v_{k−1} = σ1^(1/N) v_k",
            "the top-path vectors are eigenvectors (of TᵀT, possibly for a repeated σ1): no "
            "eigenvector enclosure or exact eigenvector is implemented",
        )
    )


def f6_coupling(case: LinearNetwork, ctx: MPContext) -> Evidence:
    """Flattest, whitened: W_k v_{k−1} = σ1^{1/N} v_k and W_kᵀ v_k = σ1^{1/N} v_{k−1}."""
    net, s1 = _flattest_net(case, ctx)
    return coupling_evidence(net, sigma1=s1)


def f7_flattest_is_balanced(case: LinearNetwork, ctx: MPContext) -> Evidence:
    """(False) every flattest whitened minimum is balanced: W_{k+1}ᵀW_{k+1} = W_kW_kᵀ."""
    net, _ = _flattest_net(case, ctx)
    norms = [ctx.mnorm(m, "F") for m in cv.balance(net)]
    scale = max(cv.spectral_norm(ctx, w) ** 2 for w in net.weights)
    return evidence(
        *(
            equal(x, 0, f"‖W_{k + 2}ᵀW_{k + 2} − W_{k + 1}W_{k + 1}ᵀ‖ = 0", size=scale)
            for k, x in enumerate(norms)
        ),
        lambda_max=cv.sharpness(net),
        max_balance=max(norms),
    )


def f8_layer_norms(case: LinearNetwork, ctx: MPContext) -> Evidence:
    """(Open) at every flattest whitened minimum ‖W_k‖₂ = σ1^{1/N} for every k."""
    net, s1 = _flattest_net(case, ctx)
    gain = s1 ** (ctx.one / net.depth)
    norms = [cv.spectral_norm(ctx, w) for w in net.weights]
    return evidence(
        *(equal(x, gain, f"‖W_{k + 1}‖₂ = σ1^(1/N)") for k, x in enumerate(norms)),
        sigma1_root=gain,
        **{f"norm_W{k + 1}": x for k, x in enumerate(norms)},
    )


CLAIMS = [
    Claim(
        "F1",
        "Whitened: min λ_max over global minima = N σ1^{2−2/N}, attained by balanced minima",
        SOURCE,
        Status.PROVED,
        cases.global_minima(depth=(2, 5), width=(1, 4)),
        f1_flattest_whitened,
        family=Family.LINEAR,
        certify=f1_certify,
        derivation="F1",
    ),
    Claim(
        "F2",
        "Any Σx: min over global minima of λ_max = N max_v ‖v‖^{2/N}‖Tv‖^{2−2/N}/(vᵀΣx⁻¹v)"
        " (bound at every minimum; attained by a constructed one)",
        "flatminima (generalises F1)",
        Status.PROVED,
        cases.global_minima(depth=(2, 4), width=(1, 4), whitened=None),
        f2_flattest_general,
        family=Family.LINEAR,
        derivation="F2",
    ),
    Claim(
        "F3",
        "Every balanced minimum is a flattest minimum, for any Σx (negative control)",
        SOURCE,
        Status.FALSE,
        cases.balanced_minima(depth=(2, 4), width=(1, 4), whitened=False),
        f3_balanced_is_flattest,
        family=Family.LINEAR,
    ),
    Claim(
        "F5",
        "Flattest whitened minima are nearly balanced: σ1^{k/N} ≤ ‖W_k⋯W_1‖₂ ≤ √N σ1^{k/N}",
        SOURCE,
        Status.PROVED,
        cases.flattest_minima(depth=(2, 5), width=(1, 4)),
        f5_near_balance,
        family=Family.LINEAR,
        certify=f5_certify,
    ),
    Claim(
        "F5b",
        "Whitened, λ_max = (1+ε)Nσ1^{2−2/N}: the F5 bounds on the gains degrade as e^{±O(√ε)}",
        "flatminima (derived in docs/claims/linear.md)",
        Status.OPEN,
        st.one_of(
            cases.global_minima(depth=(2, 5), width=(1, 4)),
            cases.near_flattest_minima(depth=(2, 5), width=(1, 4)),
        ),
        f5_graceful,
        family=Family.LINEAR,
    ),
    Claim(
        "F6",
        "Flattest whitened minima are coupled: W_k v_{k−1} = σ1^{1/N} v_k = W_{k+1}ᵀ v_{k+1}",
        SOURCE,
        Status.PROVED,
        cases.flattest_minima(depth=(2, 5), width=(1, 4)),
        f6_coupling,
        family=Family.LINEAR,
        certify=f6_certify,
    ),
    Claim(
        "F7",
        "Every flattest whitened minimum is balanced (negative control)",
        SOURCE,
        Status.FALSE,
        cases.flattest_minima(depth=(2, 4), width=(2, 4), full_rank=True),
        f7_flattest_is_balanced,
        family=Family.LINEAR,
        examples=(UNBALANCED_FLATTEST,),
    ),
    Claim(
        "F8",
        "At every flattest whitened minimum ‖W_k‖₂ = σ1^{1/N} for every layer k",
        "open",
        Status.OPEN,
        cases.flattest_minima(depth=(2, 4), width=(2, 4), full_rank=True),
        f8_layer_norms,
        family=Family.LINEAR,
        examples=(WIDE_LAYER_FLATTEST,),
    ),
]
