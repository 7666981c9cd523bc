"""Everything `flatminima sharpness` reports about one network, at two precisions."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

from mpmath.ctx_mp import MPContext

from verify.evidence import Degenerate
from verify.linear import curvature as cv
from verify.linear.flattest import flattest, flattest_whitened
from verify.linear.inputs import MAX_DENSE, InputError
from verify.linear.network import LinearNetwork
from verify.linear.structure import coupling
from verify.precision import agreement_digits, workcontext

if TYPE_CHECKING:  # SymPy and python-flint are imported only for --exact and --certified
    from flint import arb
    from mpmath import mpf

    from verify.linear.exact import AlgebraicNumber


def check_full_hessian(case: LinearNetwork) -> None:
    """InputError if the full Hessian (needed when P ≠ T) is over MAX_DENSE wide."""
    parameters = sum(len(w) * len(w[0]) for w in case.weights)
    if parameters > MAX_DENSE:
        raise InputError(
            f"not a global minimum, so the full Hessian is needed: it is {parameters}×"
            f"{parameters}; the limit is {MAX_DENSE}×{MAX_DENSE} (dense, at two precisions)"
        )


def measure(case: LinearNetwork, ctx: MPContext) -> dict:
    """Named numbers (or lists of numbers) describing the network's curvature and structure.

    At a global minimum λ_max and tr H come from M (H1); elsewhere from the full Hessian.
    Whether P = T is decided exactly, on the rationals (a residual compared with a tolerance
    of max(1, ‖T‖) took weights of 1e-30, P ~ 1e-60 ≠ T = 0, for a minimum).
    """
    if _fast_route(case):
        from verify.linear.fastroute import measure as fast_measure

        return fast_measure(case, ctx)
    net = case.at(ctx)
    residual = ctx.mnorm(net.residual(), "F")
    minimum = case.at_global_minimum()
    if minimum:
        lam, trace = cv.sharpness(net), cv.trace_formula(net)
    else:
        check_full_hessian(case)
        h = cv.full_hessian(net)
        lam, trace = max(cv.eigenvalues(ctx, h)), ctx.fsum(h[i, i] for i in range(h.rows))
    try:
        best = (
            flattest_whitened(ctx, net.target, net.depth)
            if case.whitened
            else flattest(ctx, net.target, net.sigma, net.depth).value
        )
    except Degenerate:
        best = None
    try:
        couplings = coupling(net)
    except Degenerate:
        couplings = []
    return {
        "lambda_max": lam,
        "trace": trace,
        "is_global_minimum": bool(minimum),
        "residual": residual,
        "gradient_norm": ctx.sqrt(ctx.fsum(ctx.mnorm(g, "F") ** 2 for g in cv.gradient(net))),
        "flattest": best,
        "flatness_ratio": None if not best else lam / best,
        "layer_norms": [cv.spectral_norm(ctx, w) for w in net.weights],
        "balance": [ctx.mnorm(m, "F") for m in cv.balance(net)],
        "coupling": couplings,
    }


def _fast_route(case: LinearNetwork) -> bool:
    """Above MAX_MPMATH_PARAMETERS parameters a global minimum is measured by
    `verify.linear.fastroute` (python-flint, imported only then); a larger network elsewhere is
    refused there, before any work."""
    from verify.linear import inputs

    if sum(len(w) * len(w[0]) for w in case.weights) <= inputs.MAX_MPMATH_PARAMETERS:
        return False
    from verify.linear.fastroute import takes_fast_route

    return takes_fast_route(case)


def _numbers(value: object) -> list:
    if isinstance(value, list):
        return value
    return [] if value is None or isinstance(value, bool) else [value]


def exact_fields(root: AlgebraicNumber) -> dict:
    """The exact tier's fields of `sharpness --exact` (all text, SymPy-parsable)."""
    return {
        "lambda_max_exact": root.closed_form,
        "lambda_max_minimal_polynomial": root.polynomial_text(),
        "lambda_max_interval": [str(end) for end in root.interval],
    }


def _decimal(units: int, exp: int) -> str:
    """units · 10^exp exactly, as decimal text (trailing zeros dropped)."""
    if units == 0:
        return "0"
    while units % 10 == 0:
        units, exp = units // 10, exp + 1
    value = Decimal(f"{units}e{exp}")  # exact: no context rounding from text
    return format(value, "f") if 0 < exp <= 30 else str(value).replace("E", "e")


def enclosure_text(x: arb, digits: int) -> list[str]:
    """[lo, hi] ⊇ x as decimal text of about `digits` digits: lo rounded down, hi up."""
    low, high = x.lower().mid_rad_10exp(digits), x.upper().mid_rad_10exp(digits)
    return [_decimal(low[0] - low[1], low[2]), _decimal(high[0] + high[1], high[2])]


def pinned_digits(x: arb) -> float | None:
    """Digits a ball m ± r pins: −log10(r/|m|), rounded to 0.1 (0 for m = 0; None, all of
    them, for r = 0)."""
    from verify.algebraic import dyadic

    r, m = dyadic(x.rad()), abs(dyadic(x.mid()))
    if r == 0:
        return None
    if m == 0:
        return 0.0

    def log10(q: Fraction) -> float:
        return math.log10(q.numerator) - math.log10(q.denominator)

    return max(0.0, round(log10(m) - log10(r), 1))


def certified_fields(enclosure: arb, mpmath_value: mpf, norms: list[arb], dps: int) -> dict:
    """The certified tier's fields of `sharpness --certified`: λ_max's and each ‖W_k‖₂'s ball
    as [lo, hi] (decimal text, lo rounded down, hi up), λ_max's radius r (rounded up) and
    digits −log10(r/|m|); `certified_agreement`: dist(v, [lo, hi]) ≤ 10^−dps·|v|, v the
    mpmath λ_max. Call it at the balls' precision (`balls.precision`): lower(), upper() round
    to it."""
    import flint

    from verify.algebraic import dyadic

    digits = math.ceil(flint.ctx.prec * math.log10(2)) + 1
    lo, hi, v = dyadic(enclosure.lower()), dyadic(enclosure.upper()), dyadic(mpmath_value)
    gap = max(lo - v, v - hi, Fraction(0))
    radius = enclosure.rad().mid_rad_10exp(3)
    return {
        "lambda_max_enclosure": enclosure_text(enclosure, digits),
        "lambda_max_radius": _decimal(radius[0] + radius[1], radius[2]),
        "lambda_max_enclosure_digits": pinned_digits(enclosure),
        "certified_agreement": gap <= abs(v) / 10**dps,
        "layer_norms_enclosure": [enclosure_text(n, digits) for n in norms],
    }


def enclose(case: LinearNetwork, dps: int) -> tuple[arb, list[arb]]:
    """λ_max and each ‖W_k‖₂ as Arb balls at `dps` digits; InputError (naming why) if an
    enclosure fails or the full Hessian is too large."""
    from verify.linear import balls

    if not case.at_global_minimum():
        check_full_hessian(case)
    try:
        with balls.precision(dps):
            return balls.sharpness(case), [
                balls.spectral_norm(w) for w in balls.ball_net(case).weights
            ]
    except balls.NotEnclosed as exc:
        raise InputError(f"--certified: Arb found no enclosure at {dps} digits: {exc}") from None


def report(
    case: LinearNetwork, dps: tuple[int, int], exact: bool = False, certified: bool = False
) -> dict:
    """`measure` at both precisions; decimal strings at the lower one, plus `digits`; with
    `exact`, λ_max also as an algebraic number (`exact_fields`), with `certified` as Arb balls
    at the lower precision (`certified_fields`), each computed first so that its limits fail
    before any other work."""
    root = enclosures = None
    if exact:
        from verify.linear.exact import exact_sharpness

        root = exact_sharpness(case)
    if certified:
        enclosures = enclose(case, dps[0])
    low, high = workcontext(dps[0]), workcontext(dps[1])
    a, b = measure(case, low), measure(case, high)
    digits = float(dps[0])
    for key in a:
        for x, y in zip(_numbers(a[key]), _numbers(b[key]), strict=True):
            digits = min(digits, agreement_digits(high, x, y, 1))

    def text(value):
        if isinstance(value, list):
            return [text(v) for v in value]
        if value is None or isinstance(value, bool):
            return value
        return high.nstr(value, dps[0])

    extra = {}
    if enclosures is not None:
        from verify.linear.balls import precision

        with precision(dps[0]):
            extra = certified_fields(enclosures[0], b["lambda_max"], enclosures[1], dps[0])
    out = {}
    for key, value in b.items():
        out[key] = text(value)
        if key == "lambda_max":  # the exact and certified values after the mpmath one
            out.update(exact_fields(root) if root is not None else {})
            out.update({k: v for k, v in extra.items() if k != "layer_norms_enclosure"})
        if key == "layer_norms" and extra:
            out["layer_norms_enclosure"] = extra["layer_norms_enclosure"]
    out["digits"] = round(digits, 1)
    out["dps"] = list(dps)
    return out
