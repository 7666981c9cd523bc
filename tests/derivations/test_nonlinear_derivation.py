"""The derivation of N1 (Du, Hu & Lee 2018): homogeneous activations balance every unit."""

import dataclasses

import pytest
import sympy
from sympy import Lambda, Rational, latex

import theory
from theory.nonlinear import LEAK, SLACK, HiddenLayer, n1_steps


@pytest.fixture(scope="module")
def n1():
    return theory.derivation("N1")


def test_derivation_is_complete(n1):
    assert (n1.source, n1.sizes, n1.shown, n1.size_name) == ("Du, Hu & Lee 2018", (1, 2, 3), 2, "n")
    assert len(n1.steps) == 9
    result = n1.check()
    assert result.ok, result.failures
    assert result.complete


def failing_steps(n1, build) -> list[str]:
    """Failing step names ('N1 n=1 step 2') of `build`, checked for n = 1."""
    result = dataclasses.replace(n1, build=build, sizes=(1,), shown=1).check()
    return [failure.split(" (")[0] for failure in result.failures]


def test_a_non_homogeneous_activation_breaks_the_euler_identity(n1):
    # σ(z) = z²: σ'(z) z = 2z² ≠ σ(z), so the Euler identity (step 3) and everything resting
    # on it fail, while the chain-rule and expansion steps (1, 4, 6, 8) still hold
    failures = failing_steps(n1, lambda n: n1_steps(n, lambda z, s: z**2))
    assert failures == [f"N1 n=1 step {k}" for k in (2, 3, 5, 7, 9)]


def test_a_leak_above_one_is_not_max_z_az(n1):
    def build(n):
        steps = list(n1_steps(n))
        steps[0] = dataclasses.replace(steps[0], where={LEAK: 1 + SLACK})  # a ≥ 1
        return steps

    assert failing_steps(n1, build) == ["N1 n=1 step 1"]


def test_each_conservation_step_continues_the_rate_computed_before_it():
    # step 5 sets step 4's rate to 0 and step 9 step 8's: the written chain is one equation
    steps = n1_steps(1)
    assert steps[4].lhs == steps[3].rhs and steps[8].lhs == steps[7].rhs
    assert steps[6].lhs == steps[5].lhs  # the GD change, expanded then simplified


def test_the_unit_identity_is_written_as_in_the_statement():
    # wᵀg_w + b g_b = vᵀg_v: incoming w, bias b, outgoing v and their gradients g
    identity = n1_steps(1)[2]
    assert (latex(identity.lhs), latex(identity.rhs)) == (r"b g_{b} + w^{T} g_{w}", r"v^{T} g_{v}")


def test_a_hidden_layer_sums_its_distinct_real_units():
    layer = HiddenLayer(1, width=2)
    names = [p.name for p in layer.parameters]
    assert names == ["w_{11}", "b_1", "v_{11}", "w_{21}", "b_2", "v_{12}"]
    assert all(p.is_real for p in layer.loss.free_symbols)

    def real(name):
        return sympy.Symbol(name, real=True)

    h = [
        sum(
            real(f"s_{{{k}{j}}}")
            * (real(f"w_{{{j}1}}") * real(f"x_{{{k}1}}") + real(f"b_{j}"))
            * real(f"v_{{1{j}}}")
            for j in (1, 2)
        )
        for k in (1, 2)
    ]
    assert [sympy.expand(x) for x in layer.loss.args] == [sympy.expand(x) for x in h]


def test_gd_step_with_a_concrete_loss_in_exact_numbers():
    # ℓ = ½‖h_1 − (1, −2)‖² + ⅓‖h_2‖² h_21, slopes 1 and 0 (ReLU's two pieces), rational point
    unit = HiddenLayer(2)
    h = sympy.symbols("h_1:5", real=True)
    loss = Lambda(h, ((h[0] - 1) ** 2 + (h[1] + 2) ** 2) / 2 + (h[2] ** 2 + h[3] ** 2) * h[2] / 3)
    concrete = loss(*unit.loss.args)
    (w,), (v,), (b,) = unit.ins, unit.outs, unit.biases
    theta = [*w, b, *v]
    slopes = sorted((x for x in concrete.free_symbols if x.name.startswith("s")), key=str)
    inputs = sorted(concrete.free_symbols - {*theta, *slopes}, key=str)
    values = [Rational(1, 2), -1, Rational(1, 3), 2, Rational(-3, 4)]
    point = dict(zip(theta, values, strict=True)) | dict(zip(slopes, (1, 0), strict=True))
    point |= {x: Rational(k + 1, 5) for k, x in enumerate(inputs)}
    g = {t: sympy.diff(concrete, t).subs(point) for t in theta}
    eta = Rational(1, 10)
    stepped = {t: point[t] - eta * g[t] for t in theta}

    def balance(at):
        return sum(at[t] ** 2 for t in (*w, b)) - sum(at[t] ** 2 for t in v)

    assert sum(point[t] * g[t] for t in (*w, b)) == sum(point[t] * g[t] for t in v)
    second = sum(g[t] ** 2 for t in (*w, b)) - sum(g[t] ** 2 for t in v)
    assert balance(stepped) - balance(point) == eta**2 * second != 0
