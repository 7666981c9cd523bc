"""`flatminima sharpness --certified`: λ_max and the layer norms enclosed in Arb balls
(verify/linear/balls.py), printed as decimal intervals that still enclose, checked against the
exact values (by hand, or the exact tier's refined interval) and the mpmath value."""

import json
from fractions import Fraction
from pathlib import Path

import pytest
from flint import arb
from test_exact import BALANCED  # a balanced depth-3 width-3 minimum, λ_max = 48 (M' 9×9)

from verify.algebraic import dyadic
from verify.cli import main
from verify.linear import balls
from verify.linear import exact as ex
from verify.linear import sharpness as sh
from verify.linear.inputs import load_network
from verify.linear.network import LinearNetwork
from verify.precision import workcontext

EXAMPLES = Path(__file__).parents[1] / "examples" / "networks"
DPS = 50  # the default lower precision, at which the balls are computed


def rows(*matrix) -> tuple:
    return tuple(tuple(Fraction(x) for x in row) for row in matrix)


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def certified(capsys, path: Path, *options: str) -> dict:
    status, out, err = run(capsys, "sharpness", str(path), "--certified", "--json", *options)
    assert status == 0 and err == ""
    return json.loads(out)


def ends(result: dict, key: str = "lambda_max_enclosure") -> tuple[Fraction, Fraction]:
    lo, hi = (Fraction(end) for end in result[key])  # decimal text, read exactly
    assert lo <= hi
    return lo, hi


def assert_pins(result: dict, lo: Fraction, hi: Fraction, dps: int) -> None:
    """Narrower than 10^−(dps−10) relative; radius and digits consistent with the ends."""
    assert hi - lo < Fraction(1, 10 ** (dps - 10)) * abs(lo)
    radius = Fraction(result["lambda_max_radius"])
    assert 2 * radius <= (hi - lo) * (1 + Fraction(1, 10**6))  # rounded up, to a few digits
    digits = result["lambda_max_enclosure_digits"]
    assert (digits is None) == (radius == 0)
    assert digits is None or digits >= dps - 10


def write(tmp_path: Path, network: dict) -> Path:
    path = tmp_path / "net.json"
    path.write_text(json.dumps(network))
    return path


@pytest.mark.parametrize(
    ("name", "value", "norms"),
    # docs/claims/linear.md, Reference values (as tests/test_exact.py), and each ‖W_k‖₂.
    [
        ("scalar_48.json", 48, (2, 2, 2)),
        ("scalar_84.json", 84, (1, 2, 4)),
        ("unbalanced_8.json", 8, (2, 2)),
        ("marion_non_whitened.json", 6, (1, 1, 1)),
    ],
)
def test_the_examples_are_enclosed(capsys, name, value, norms):
    result = certified(capsys, EXAMPLES / name)
    lo, hi = ends(result)
    assert lo <= value <= hi
    assert not lo <= value + Fraction(1, 10**40) <= hi  # a perturbed value is not inside
    assert not lo <= value - Fraction(1, 10**40) <= hi
    assert_pins(result, lo, hi, DPS)
    assert lo <= Fraction(result["lambda_max"]) <= hi  # the mpmath value, as reported
    assert result["certified_agreement"] is True
    enclosures = result["layer_norms_enclosure"]
    assert len(enclosures) == len(norms)
    for (low, high), norm in zip(enclosures, norms, strict=True):
        assert Fraction(low) <= norm <= Fraction(high)
        assert Fraction(high) - Fraction(low) < Fraction(1, 10 ** (DPS - 10))


GOLDEN_NET = {"weights": [[[1, 1], [0, 1]], [[1, 0]]]}  # λ_max = (5 + √5)/2, ‖W1‖₂ = φ
AWAY = {"weights": [[[1, 2]], [[1], [3]]], "target": [[1, 0], [0, 1]]}  # full Hessian
NON_WHITENED = {"weights": [[[1, 2], [0, 1]], [[1, -1]]], "sigma_x": [[2, 1], [1, 3]]}


@pytest.mark.parametrize("network", [GOLDEN_NET, AWAY, NON_WHITENED])
@pytest.mark.parametrize("dps", [20, 50, 120])
def test_irrational_sharpness_is_enclosed_and_pinned(capsys, tmp_path, network, dps):
    path = write(tmp_path, network)
    result = certified(capsys, path, "--dps", str(dps))
    lo, hi = ends(result)
    root = ex.exact_sharpness(load_network(path))
    assert root.degree >= 2  # irrational: the ball has a radius, its ends are rounded
    a, b = root.refined(dps + 40)  # λ_max ∈ [a, b], exactly
    assert lo <= a and b <= hi
    assert lo < hi and result["lambda_max_enclosure_digits"] <= dps + 25  # balls at dps digits
    assert_pins(result, lo, hi, dps)
    shift = Fraction(1, 10 ** (dps - 10)) * a  # a perturbed value is not inside
    assert not lo <= a + shift <= hi and not lo <= a - shift <= hi
    assert result["is_global_minimum"] is (network is not AWAY)
    # The mpmath value v at the higher precision, 1.6·dps digits, is within 10^−dps·|v| of
    # the ball (what `certified_agreement` states); inside it once 1.6·dps digits exceed the
    # ball's dps + ~19 (its guard bits); the reported one, rounded to dps significant digits,
    # within half a unit of its last digit, ≤ 10^(1−dps) relative.
    ctx = workcontext(round(1.6 * dps))
    v = dyadic(sh.measure(load_network(path), ctx)["lambda_max"])
    assert max(lo - v, v - hi) <= v / 10**dps
    assert (lo < v < hi) or dps < 50
    reported = Fraction(result["lambda_max"])
    assert max(lo - reported, reported - hi) <= reported / 10 ** (dps - 1)
    assert result["certified_agreement"] is True


def test_the_golden_layer_norm_is_enclosed(capsys, tmp_path):
    # ‖W1‖₂ = φ = (1 + √5)/2, the root > 1 of x² − x − 1 (increasing there): φ ∈ [lo, hi]
    # iff lo² − lo − 1 ≤ 0 ≤ hi² − hi − 1.
    result = certified(capsys, write(tmp_path, GOLDEN_NET))
    (lo, hi), (one_lo, one_hi) = (map(Fraction, e) for e in result["layer_norms_enclosure"])
    assert lo > 1 and lo * lo - lo - 1 <= 0 <= hi * hi - hi - 1
    assert hi - lo < Fraction(1, 10 ** (DPS - 10))
    assert one_lo <= 1 <= one_hi


def test_agreement_is_within_the_reported_digits():
    # [48, 48] exactly; `certified_agreement` allows the mpmath value 10^−dps · |v|.
    case = load_network(EXAMPLES / "scalar_48.json")
    ctx = workcontext(80)
    with balls.precision(DPS):
        enclosure = balls.sharpness(case)

        def agrees(value) -> bool:
            return sh.certified_fields(enclosure, value, [], DPS)["certified_agreement"]

        assert agrees(ctx.mpf(48))
        assert agrees(ctx.mpf(48) * (1 + ctx.mpf("0.99") * ctx.mpf(10) ** -DPS))
        assert not agrees(ctx.mpf(48) * (1 + ctx.mpf("1.01") * ctx.mpf(10) ** -DPS))
        assert not agrees(ctx.mpf(48) - ctx.mpf(10) ** -40)
        fields = sh.certified_fields(enclosure, ctx.mpf(48), [], DPS)
    assert fields["lambda_max_enclosure"] == ["48", "48"]
    assert fields["lambda_max_radius"] == "0" and fields["lambda_max_enclosure_digits"] is None


@pytest.mark.parametrize("value", [Fraction(1, 3), Fraction(-2, 3), Fraction(10**40, 7)])
def test_printed_ends_round_outward(value):
    # A ball around an irrational-looking value, printed with 8 digits: lo rounded down, hi
    # up, so [lo, hi] still contains the whole ball (its exact ends).
    with balls.precision(30):
        x = arb(value.numerator) / value.denominator
        lo, hi = (Fraction(end) for end in sh.enclosure_text(x, 8))
        low, high = dyadic(x.lower()), dyadic(x.upper())
    assert lo <= low <= value <= high <= hi
    assert lo < value < hi and hi - lo <= abs(value) / 10**6


def test_pinned_digits():
    assert sh.pinned_digits(arb(2, 2e-10)) == pytest.approx(10.0, abs=0.05)
    assert sh.pinned_digits(arb(0, 1e-10)) == 0.0
    assert sh.pinned_digits(arb(1, 10)) == 0.0  # wider than the midpoint: no digit
    assert sh.pinned_digits(arb(5)) is None


def test_json_fields_with_and_without_the_flag(capsys, tmp_path):
    path = write(tmp_path, GOLDEN_NET)
    both = certified(capsys, path, "--exact")
    names = (
        "lambda_max_enclosure",
        "lambda_max_radius",
        "lambda_max_enclosure_digits",
        "certified_agreement",
        "layer_norms_enclosure",
    )
    assert set(names) <= both.keys() and "lambda_max_exact" in both
    assert 0 < Fraction(both["lambda_max_radius"]) < 1e-60
    assert both["lambda_max_enclosure_digits"] > 60 and both["certified_agreement"] is True
    status, out, _ = run(capsys, "sharpness", str(path), "--json")
    plain = json.loads(out)
    assert status == 0 and not set(names) & plain.keys()
    extra = (*names, "lambda_max_exact", "lambda_max_minimal_polynomial", "lambda_max_interval")
    assert plain == {k: v for k, v in both.items() if k not in extra}


def test_the_table_shows_the_enclosure(capsys, tmp_path):
    status, out, _ = run(capsys, "sharpness", str(EXAMPLES / "scalar_84.json"), "--certified")
    assert status == 0
    cells = {
        row.split("│")[1].strip(): row.split("│")[2].strip()
        for row in out.splitlines()
        if row.count("│") == 3
    }
    assert cells["lambda_max_enclosure"] == "[84, 84]"
    assert cells["lambda_max_radius"] == "0"
    assert cells["layer_norms_enclosure"] == "[1, 1], [2, 2], [4, 4]"
    status, out, _ = run(capsys, "sharpness", str(write(tmp_path, AWAY)), "--certified")
    assert status == 0 and "[20.88929619772549014608" in out
    assert "not a global minimum" in out and "outside its certified enclosure" not in out


def test_no_enclosure_is_one_line_before_other_work(capsys, monkeypatch):
    def refuse(case):
        raise balls.NotEnclosed("the Gershgorin intervals of a 1×1 matrix are not finite")

    def measured(*_):
        raise AssertionError("the mpmath tier ran before the enclosure")

    monkeypatch.setattr(balls, "sharpness", refuse)
    monkeypatch.setattr(sh, "measure", measured)
    status, out, err = run(capsys, "sharpness", str(EXAMPLES / "scalar_48.json"), "--certified")
    assert status == 2 and out == ""
    assert err == (
        "flatminima: error: --certified: Arb found no enclosure at 50 digits: the Gershgorin "
        "intervals of a 1×1 matrix are not finite\n"
    )


def test_a_too_large_full_hessian_is_refused_before_the_balls(capsys, tmp_path, monkeypatch):
    # 7 × 7 × 1 layers, P ≠ T: the full Hessian is 56×56 > 40×40.
    def enclosed(case):
        raise AssertionError("the balls were computed")

    monkeypatch.setattr(balls, "sharpness", enclosed)
    path = write(tmp_path, {"weights": [[[1] * 7] * 7, [[1] * 7]], "target": [[0] * 7]})
    status, _, err = run(capsys, "sharpness", str(path), "--certified")
    assert status == 2 and "the full Hessian is needed: it is 56×56" in err
    assert err.count("\n") == 1


def test_the_enclosure_comes_from_the_lower_precision():
    # At 20 digits the ball is ~10^−(20 + 19) wide, far wider than at 50 digits.
    case = LinearNetwork((rows([1, 1], [0, 1]), rows([1, 0])))
    narrow, _ = sh.enclose(case, 50)
    wide, _ = sh.enclose(case, 20)
    assert wide.rad() > narrow.rad() * 10**20 and wide.contains(narrow)


def test_a_wide_enclosure_is_reported(capsys, monkeypatch):
    monkeypatch.setattr(balls, "sharpness", lambda case: arb(48, 1))
    status, out, _ = run(capsys, "sharpness", str(EXAMPLES / "scalar_48.json"), "--certified")
    assert status == 0
    assert "the certified enclosure pins only 1.7 digits of λ_max, not 50" in out


def test_the_balanced_minimum_is_pinned_at_the_default_precision():
    """Arb's approximate eigenvectors do not converge for this 9×9 M' (repeated eigenvalues):
    balls.py falls back to mpmath's, and the ball pins all 50 digits."""
    lam, _ = sh.enclose(BALANCED, DPS)
    assert lam.contains(48) and sh.pinned_digits(lam) >= DPS


def test_the_printed_enclosure_is_the_lower_precisions():
    # The balls are computed, and their ends printed, at the lower precision alone: at 20
    # digits (131 bits), whatever the higher one, the ends are asked of Arb to
    # ⌈131 log10 2⌉ + 1 = 41 digits (it prints 46 here), lo rounded down, hi up.
    case = LinearNetwork((rows([1, 1], [0, 1]), rows([1, 0])))  # GOLDEN_NET: (5 + √5)/2
    first, second = (sh.report(case, (20, high), certified=True) for high in (32, 40))
    assert (
        first["lambda_max_enclosure"]
        == second["lambda_max_enclosure"]
        == [
            "3.618033988749894848204586834365638117696609783",
            "3.618033988749894848204586834365638117737752089",
        ]
    )
    assert (
        first["layer_norms_enclosure"]
        == second["layer_norms_enclosure"]
        == [
            [
                "1.618033988749894848204586834365638117712038146",
                "1.618033988749894848204586834365638117725262462",
            ],
            ["1", "1"],
        ]
    )
