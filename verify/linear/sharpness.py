"""Everything `flatminima sharpness` reports about one network, at two precisions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mpmath.ctx_mp import MPContext

from verify.evidence import Degenerate
from verify.linear import curvature as cv
from verify.linear.flattest import flattest, flattest_whitened
from verify.linear.inputs import MAX_DENSE, InputError
from verify.linear.network import LinearNetwork
from verify.linear.structure import coupling
from verify.precision import agreement_digits, workcontext

if TYPE_CHECKING:  # SymPy and python-flint are imported only for --exact
    from verify.linear.exact import AlgebraicNumber


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
        parameters = sum(w.rows * w.cols for w in net.weights)
        if parameters > MAX_DENSE:
            raise InputError(
                f"not a global minimum, so the full Hessian is needed: it is {parameters}×"
                f"{parameters}; the limit is {MAX_DENSE}×{MAX_DENSE} (dense, at two precisions)"
            )
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


def report(case: LinearNetwork, dps: tuple[int, int], exact: bool = False) -> dict:
    """`measure` at both precisions; decimal strings at the lower one, plus `digits`; with
    `exact`, λ_max also as an algebraic number (`exact_fields`), computed first so that its
    limits fail before any other work."""
    root = None
    if exact:
        from verify.linear.exact import exact_sharpness

        root = exact_sharpness(case)
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

    out = {}
    for key, value in b.items():
        out[key] = text(value)
        if key == "lambda_max" and root is not None:
            out.update(exact_fields(root))
    out["digits"] = round(digits, 1)
    out["dps"] = list(dps)
    return out
