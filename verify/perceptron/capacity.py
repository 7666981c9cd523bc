"""Perceptron capacities at the precision of an mpmath context (docs/claims/perceptron.md, P1
and P2).

P1, spherical perceptron (Gardner 1988), margin κ ≥ 0:
    α_c(κ) = 1 / ∫_{−κ}^∞ Dz (z + κ)² = 1 / [(1 + κ²) H(−κ) + κ G(κ)].

P2, binary perceptron at κ = 0 (Krauth & Mézard 1989; Engel & Van den Broeck 2001, ch. 6;
Ding & Sun 2019, eq. (1.2)): the replica-symmetric entropy

    s(α; q, q̂) = −q̂(1 − q)/2 + ∫Dz ln(2 cosh(√q̂ z)) + α ∫Dt ln H(b t),  b = √(q/(1 − q)),

is stationary at the saddle point

    q = ∫Dz tanh²(√q̂ z),   q̂ = α/(1 − q) ∫Dt [G(b t)/H(b t)]²,

(∂s/∂q̂ = 0 and ∂s/∂q = 0, each after one Gaussian integration by parts), and α_KM is the load
where s vanishes at its saddle point. Parametrised by q̂, the first equation gives q and the
second α, so α_KM is the root of one function of q̂ (four quadratures an evaluation).
"""

from __future__ import annotations

from dataclasses import dataclass

from mpmath.ctx_mp import MPContext

from verify.perceptron.gaussian import gauss_average, gauss_density, gauss_tail
from verify.precision import workcontext

LITERATURE_ALPHA_KM = "0.8330786"  # Krauth & Mézard 1989 (7 digits; Ding & Sun 2019: 0.833078599)
LITERATURE_DIGITS = 7
_SEED_DPS = 20  # the root is first found at this precision, then refined at the working one
_SEED_QHAT = "2.576"  # a three-digit start for the seed solve


def gardner_integral(ctx: MPContext, kappa):
    """∫_{−κ}^∞ Dz (z + κ)², by quadrature at ctx.dps."""
    return gauss_average(ctx, lambda z: (z + kappa) ** 2, -kappa)


def gardner_closed_form(ctx: MPContext, kappa):
    """(1 + κ²) H(−κ) + κ G(κ), the closed form of ∫_{−κ}^∞ Dz (z + κ)²."""
    return (1 + kappa**2) * gauss_tail(ctx, -kappa) + kappa * gauss_density(ctx, kappa)


def gardner_capacity(ctx: MPContext, kappa, quadrature: bool = False):
    """α_c(κ) = 1 / ∫_{−κ}^∞ Dz (z + κ)²: closed form, or by quadrature when asked."""
    integral = gardner_integral if quadrature else gardner_closed_form
    return 1 / integral(ctx, kappa)


def annealed_bound(ctx: MPContext, kappa):
    """First-moment bound of the binary perceptron: α ≤ ln 2 / (−ln H(κ)) (1 at κ = 0)."""
    return ctx.ln2 / -ctx.log(gauss_tail(ctx, kappa))


def _cutoff(ctx: MPContext):
    """T = √(2(prec + 60) ln 2), so G(T) = 2^−(prec+60)/√(2π) and ∫_{|z|>T} Dz (1 + z²) is below
    2^−(prec+50): the saddle-point integrands grow at most like z², so ∫Dz over [−T, T] is exact
    at the working precision (and mpmath's erfc never sees the huge nodes of an infinite
    interval)."""
    return ctx.sqrt(2 * (ctx.prec + 60) * ctx.ln2)


def _average(ctx: MPContext, f, even: bool = False):
    """∫Dz f(z) over [−T, T], T = `_cutoff`; twice the half line for an even f."""
    cut = _cutoff(ctx)
    if even:
        return 2 * gauss_average(ctx, f, 0, cut)
    return gauss_average(ctx, f, -cut, cut)


def overlap(ctx: MPContext, qhat):
    """q(q̂) = ∫Dz tanh²(√q̂ z)."""
    root = ctx.sqrt(qhat)
    return _average(ctx, lambda z: ctx.tanh(root * z) ** 2, even=True)


def spin_entropy(ctx: MPContext, qhat):
    """∫Dz ln(2 cosh(√q̂ z)), the entropic term of s."""
    root = ctx.sqrt(qhat)
    return _average(ctx, lambda z: ctx.log(2 * ctx.cosh(root * z)), even=True)


def _slope(ctx: MPContext, q):
    """b = √(q/(1 − q))."""
    return ctx.sqrt(q / (1 - q))


def constraint_entropy(ctx: MPContext, q):
    """∫Dt ln H(b t), b = √(q/(1 − q)): the log-probability term of s (per pattern)."""
    b = _slope(ctx, q)
    return _average(ctx, lambda t: ctx.log(gauss_tail(ctx, b * t)))


def mills_moment(ctx: MPContext, q):
    """∫Dt [G(b t)/H(b t)]², b = √(q/(1 − q)) (a squared inverse Mills ratio)."""
    b = _slope(ctx, q)
    return _average(ctx, lambda t: (gauss_density(ctx, b * t) / gauss_tail(ctx, b * t)) ** 2)


def rs_entropy(ctx: MPContext, alpha, q, qhat):
    """s(α; q, q̂) = −q̂(1 − q)/2 + ∫Dz ln 2cosh(√q̂ z) + α ∫Dt ln H(√(q/(1−q)) t)."""
    return -qhat * (1 - q) / 2 + spin_entropy(ctx, qhat) + alpha * constraint_entropy(ctx, q)


def saddle_residuals(ctx: MPContext, alpha, q, qhat) -> tuple:
    """(∂s/∂q, ∂s/∂q̂), differentiated under the integral sign (no integration by parts):

        ∂s/∂q = q̂/2 − α b′(q) ∫Dt t G(b t)/H(b t),  b′ = 1/(2b(1 − q)²),
        ∂s/∂q̂ = −(1 − q)/2 + ∫Dz z tanh(√q̂ z) / (2√q̂).

    Both vanish at a saddle point: an independent check of the saddle-point equations.
    """
    b, root = _slope(ctx, q), ctx.sqrt(qhat)
    mills = _average(ctx, lambda t: t * gauss_density(ctx, b * t) / gauss_tail(ctx, b * t))
    d_q = qhat / 2 - alpha * mills / (2 * b * (1 - q) ** 2)
    d_qhat = -(1 - q) / 2 + _average(ctx, lambda z: z * ctx.tanh(root * z), even=True) / (2 * root)
    return d_q, d_qhat


@dataclass(frozen=True)
class Saddle:
    """A replica-symmetric saddle point (α, q, q̂) and its entropy s."""

    alpha: object
    q: object
    qhat: object
    entropy: object


def saddle_at_conjugate(ctx: MPContext, qhat) -> Saddle:
    """The saddle point with conjugate q̂: q = q(q̂), α = q̂ (1 − q) / ∫Dt (G/H)²(b t)."""
    q = overlap(ctx, qhat)
    alpha = qhat * (1 - q) / mills_moment(ctx, q)
    return Saddle(alpha, q, qhat, rs_entropy(ctx, alpha, q, qhat))


def rs_saddle(ctx: MPContext, alpha, qhat_guess: object = 1) -> Saddle:
    """The saddle point at load α: the root in q̂ of q̂ (1 − q(q̂)) = α ∫Dt (G/H)²(b t)."""

    def gap(qhat):
        q = overlap(ctx, qhat)
        return qhat * (1 - q) - alpha * mills_moment(ctx, q)

    qhat = ctx.findroot(gap, ctx.mpf(qhat_guess))
    q = overlap(ctx, qhat)
    return Saddle(alpha, q, qhat, rs_entropy(ctx, alpha, q, qhat))


_CACHE: dict[int, Saddle] = {}


def krauth_mezard(ctx: MPContext) -> Saddle:
    """α_KM: the saddle point where the RS entropy vanishes, s(α_KM) = 0 (cached per dps).

    Secant iteration on q̂ ↦ s at the saddle point with conjugate q̂, started from the most
    precise solution already found below ctx.dps (at least `_SEED_DPS` digits).
    """
    if ctx.dps not in _CACHE:
        if ctx.dps > _SEED_DPS:
            below = max((d for d in _CACHE if _SEED_DPS <= d < ctx.dps), default=_SEED_DPS)
            start = ctx.mpf(krauth_mezard(workcontext(below)).qhat)
            points = (start, start * (1 + ctx.mpf(10) ** -below))
        else:
            points = (ctx.mpf(_SEED_QHAT),)
        qhat = ctx.findroot(lambda x: saddle_at_conjugate(ctx, x).entropy, points)
        _CACHE[ctx.dps] = saddle_at_conjugate(ctx, qhat)
    cached = _CACHE[ctx.dps]  # numbers of an equal-precision context: converted exactly
    return Saddle(*(ctx.mpf(x) for x in (cached.alpha, cached.q, cached.qhat, cached.entropy)))
