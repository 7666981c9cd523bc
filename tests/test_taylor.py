from verify import taylor
from verify.precision import workcontext


def test_exponential_to_full_precision():
    ctx = workcontext(60)
    (y,) = taylor.integrate(ctx, lambda ys: [ys[0]], [1], 3)
    assert abs(y - ctx.exp(3)) < ctx.mpf(10) ** -57


def test_harmonic_oscillator_over_several_periods():
    ctx = workcontext(50)
    s, c = taylor.integrate(ctx, lambda ys: [ys[1], -ys[0]], [0, 1], 20)
    assert abs(s - ctx.sin(20)) < ctx.mpf(10) ** -45
    assert abs(c - ctx.cos(20)) < ctx.mpf(10) ** -45


def test_nonlinear_field_matches_mpmath_odefun():
    ctx = workcontext(30)

    def field(ys):
        return [ys[0] * ys[1] - ys[0], 1 - ys[0] * ys[0]]

    y0 = [ctx.mpf(1) / 2, ctx.mpf(1) / 3]
    ours = taylor.integrate(ctx, field, y0, 1)
    reference = ctx.odefun(lambda t, y: field(y), 0, y0)(1)
    assert max(abs(a - b) for a, b in zip(ours, reference, strict=True)) < ctx.mpf(10) ** -25
