"""Read a linear network from JSON, exactly, with one-line errors naming the problem.

{"weights": [W1, W2, ...], "sigma_x": Σx (optional, default I), "target": T (optional,
default the product)}; W1 is the input layer, every matrix a list of rows, every entry a
number or a string such as "1/100" or "2.5e-3".
"""

from __future__ import annotations

import json
import re
from fractions import Fraction
from pathlib import Path

from verify.errors import FlatminimaError
from verify.jsonfile import read_json
from verify.linear.network import LinearNetwork, Rows


class InputError(FlatminimaError, ValueError):
    """A malformed network description."""


MAX_ENTRY = 10**300  # |entry| above this is almost surely a mistake (and beyond float64)
# Up to MAX_MPMATH_PARAMETERS `sharpness` works on dense mpmath matrices at N and 1.6 N
# digits; above, a global minimum takes verify/linear/fastroute.py (products over ℚ, top
# eigenvalues refined from float64), up to MAX_PARAMETERS: [4, 1000, 1000, 1000, 4] (2.0M)
# with 4-decimal entries takes ~17 s on 2 cores, 1.1 GB (docs/performance.md; longer entries
# are bounded by fastroute.MAX_EXACT_WORK). A file of MAX_PARAMETERS 17-digit floats is
# ~42 MB; MAX_BYTES leaves room for longer entries.
MAX_MPMATH_PARAMETERS = 400
MAX_PARAMETERS = 2_000_000
MAX_BYTES = 32 * MAX_PARAMETERS
MAX_DENSE = 40  # side of the dense symmetric eigenproblem (M, or the full Hessian) allowed
_EXPONENT = re.compile(r"[eE]\s*([+-]?\d+)\s*$")


def _number(value: object, where: str) -> Fraction:
    if isinstance(value, _Constant):
        raise InputError(f"{where} is not a finite number: {value}")
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise InputError(f"{where} is not a number: {json.dumps(value)}")
    text = str(value).strip()
    exponent = _EXPONENT.search(text) if not isinstance(value, int) else None
    if exponent and abs(int(exponent.group(1))) > 1000:  # Fraction would build 10**exponent
        raise InputError(f"{where} = {text} is out of range (|entry| ≤ 1e300)")
    try:
        number = Fraction(text) if not isinstance(value, int) else Fraction(value)
    except ZeroDivisionError:
        raise InputError(f"{where} is not a number: {json.dumps(value)} divides by zero") from None
    except ValueError:
        raise InputError(f"{where} is not a number: {json.dumps(value)}") from None
    if abs(number) > MAX_ENTRY:
        raise InputError(f"{where} = {text} is out of range (|entry| ≤ 1e300)")
    return number


_PLAIN = re.compile(r"[-+]?[0-9]{1,300}(?:\.[0-9]+)?")  # a decimal, |x| < 1e300, no exponent


def _plain(value: object) -> Fraction | None:
    """`_number(value)` when value is an int in range or a plain decimal string ("-0.1234",
    as JSON floats arrive), built from two ints (about 4× faster than Fraction(text)); else
    None, for `_number` to convert or reject."""
    if type(value) is int:  # not bool, not _Constant
        return Fraction(value) if -MAX_ENTRY <= value <= MAX_ENTRY else None
    if type(value) is not str or not _PLAIN.fullmatch(value):
        return None
    whole, _, decimals = value.partition(".")
    return Fraction(int(whole + decimals), 10 ** len(decimals))


def _shape(value: object, where: str) -> tuple[int, int]:
    """(rows, columns) of a non-empty rectangular list of rows (entries not looked at)."""
    if not isinstance(value, list) or not value or not all(isinstance(r, list) for r in value):
        raise InputError(f"{where} must be a non-empty list of rows")
    width = len(value[0])
    if width == 0:
        raise InputError(f"{where} has an empty row")
    for i, row in enumerate(value):
        if len(row) != width:
            raise InputError(
                f"{where} is ragged: row {i + 1} has {len(row)} entries, row 1 has {width}"
            )
    return len(value), width


def _entries(value: list, where: str) -> Rows:
    """The entries of a list of rows whose shape `_shape` has checked."""
    out = []
    for i, row in enumerate(value):
        numbers = [_plain(x) for x in row]
        for j in [j for j, y in enumerate(numbers) if y is None]:
            numbers[j] = _number(row[j], f"{where}[{i}][{j}]")
        out.append(tuple(numbers))
    return tuple(out)


def _matrix(value: object, where: str) -> Rows:
    _shape(value, where)
    return _entries(value, where)


def _check_sigma(sigma: Rows, d0: int) -> None:
    if len(sigma) != d0 or len(sigma[0]) != d0:
        raise InputError(f"sigma_x must be {d0}×{d0} (the input dimension of weights[0])")
    if any(sigma[i][j] != sigma[j][i] for i in range(d0) for j in range(i)):
        raise InputError("sigma_x is not symmetric")
    # Exact Cholesky: every pivot must be positive (else singular or indefinite).
    work = [list(row) for row in sigma]
    for k in range(d0):
        if work[k][k] <= 0:
            raise InputError("sigma_x is singular or not positive definite")
        for i in range(k + 1, d0):
            factor = work[i][k] / work[k][k]
            for j in range(k, d0):
                work[i][j] -= factor * work[k][j]


KEYS = ("weights", "sigma_x", "target")  # a misspelt key would silently change the network


def parse_network(data: object) -> LinearNetwork:
    """Validate decoded JSON and build the exact network."""
    if not isinstance(data, dict) or "weights" not in data:
        raise InputError('expected an object with "weights": [W1, W2, ...] (input layer first)')
    unknown = sorted(set(data) - set(KEYS))
    if unknown:
        shown = ", ".join(f'"{k}"' for k in unknown)
        raise InputError(f"unknown key {shown} (the keys are {', '.join(KEYS)})")
    layers = data["weights"]
    if not isinstance(layers, list) or not layers:
        raise InputError('"weights" must be a non-empty list of matrices')
    shapes = [_shape(w, f"weights[{k}]") for k, w in enumerate(layers)]  # entries: below
    for k in range(1, len(shapes)):
        if shapes[k][1] != shapes[k - 1][0]:
            raise InputError(
                f"weights[{k}] has {shapes[k][1]} columns but weights[{k - 1}] has "
                f"{shapes[k - 1][0]} rows: the layers are not conformable"
            )
    parameters = sum(rows * cols for rows, cols in shapes)
    if parameters > MAX_PARAMETERS:
        raise InputError(
            f"the network has {parameters:,} parameters; the limit is {MAX_PARAMETERS:,} "
            "(sharpness forms each layer's Gram matrices and refines their top eigenvalue at "
            "two precisions)"
        )
    side = shapes[-1][0] * shapes[0][1]
    if side > MAX_DENSE:
        raise InputError(
            f"output × input dimension is {side}; the limit is {MAX_DENSE} (the curvature "
            f"matrix M is {side}×{side}, dense, at two precisions)"
        )
    weights = tuple(_entries(w, f"weights[{k}]") for k, w in enumerate(layers))
    sigma = _matrix(data["sigma_x"], "sigma_x") if data.get("sigma_x") is not None else None
    if sigma is not None:
        _check_sigma(sigma, len(weights[0][0]))
    target = _matrix(data["target"], "target") if data.get("target") is not None else None
    if target is not None:
        shape = (len(weights[-1]), len(weights[0][0]))
        if (len(target), len(target[0])) != shape:
            raise InputError(f"target must be {shape[0]}×{shape[1]} (output × input dimension)")
    return LinearNetwork(weights, sigma, target, "input")


def load_network(path: Path) -> LinearNetwork:
    """Read and validate FILE.json."""
    data = read_json(path, InputError, MAX_BYTES, parse_float=str, parse_constant=_constant)
    return parse_network(data)


class _Constant(str):
    """NaN, Infinity or -Infinity in a network file, kept to be reported with its place."""


def _constant(name: str) -> str:
    return _Constant(name)
