"""Bad input, everywhere (issue 15): one table of malformed network files, conjecture files
and options, each with the exit status and the message it must give (never a traceback, in a
few seconds). The same table is docs/reliability.md's "Bad input" section: the test checks
the section is the table's rendering (`python tests/test_bad_input.py` rewrites it)."""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from doc_sections import rewrite, section

from verify.cli import main

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "reliability.md"
FLATMINIMA = Path(sys.executable).parent / "flatminima"


def conj(claim_id: str, body: str, cases: str = "cases.scalar_minima(target=1)") -> str:
    return (
        "from hypothesis import strategies as st\nfrom verify import cases, conjecture\n\n"
        f'@conjecture("{claim_id}", "a user conjecture", cases={cases})\n'
        f"def check(m):\n    {body}\n"
    )


OK = conj("X1", "return True")


def square(n: int, k: int = 2) -> list:
    w = [[(i * 7 + j * 3) % 5 - 2 + 3 * (i == j) for j in range(n)] for i in range(n)]
    return [w] * k


@dataclass(frozen=True)
class Sized:
    """A file of `size` bytes that are not written (sparse: only its size is ever read)."""

    size: int


@dataclass(frozen=True)
class Case:
    """One bad input: files to create (name → text, bytes or `Sized`; a `->` value is a
    symlink) and their modes (name → mode; a name not among the files is made a folder), the
    command ({d} = the folder holding them), the exit status and the message expected (a regex
    searched for in stderr + stdout, shown in the docs with {d} as `DIR`)."""

    what: str
    argv: str
    status: int
    message: str
    files: dict = field(default_factory=dict)
    interrupt: bool = False  # run as a subprocess; SIGINT once DIR/started exists, or
    after: float | None = None  # this many seconds after the start (during start-up)
    modes: dict = field(default_factory=dict)
    nobody: bool = False  # run as a subprocess as user nobody, for whom the modes hold


def nobody(what: str, argv: str, message: str, files: dict, modes: dict) -> Case:
    """A row run as user nobody, for whom `modes` hold (the tests run as root): exit 2."""
    return Case(f"{what} (as nobody)", argv, 2, message, files, modes=modes, nobody=True)


NET = "sharpness {d}/net.json"
NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]  # user nobody
VERIFY = "verify --conjectures {d}/conj_x.py"
TABLE = [
    # network files (flatminima sharpness)
    Case(
        "malformed JSON",
        NET,
        2,
        r"{d}/net.json:1:19: not valid JSON: Expecting ',' delimiter",
        {"net.json": '{"weights": [[[1]]'},
    ),
    Case("empty file", NET, 2, r"{d}/net.json is empty", {"net.json": ""}),
    Case("not an object", NET, 2, r'expected an object with "weights"', {"net.json": "[1, 2]"}),
    Case(
        "weights of the wrong type",
        NET,
        2,
        r'"weights" must be a non-empty list of matrices',
        {"net.json": '{"weights": "W"}'},
    ),
    Case(
        "ragged rows",
        NET,
        2,
        r"weights\[0\] is ragged: row 2 has 1 entries, row 1 has 2",
        {"net.json": '{"weights": [[[1, 2], [3]]]}'},
    ),
    Case(
        "mismatched shapes",
        NET,
        2,
        r"weights\[1\] has 2 columns but weights\[0\] has 1 rows: the layers are not conformable",
        {"net.json": '{"weights": [[[1, 2]], [[1, 2]]]}'},
    ),
    Case(
        "target of the wrong shape",
        NET,
        2,
        r"target must be 1×1",
        {"net.json": '{"weights": [[[2]]], "target": [[1, 2]]}'},
    ),
    Case(
        "unknown key",
        NET,
        2,
        r'unknown key "sigma" \(the keys are weights, sigma_x, target\)',
        {"net.json": '{"weights": [[[2]]], "sigma": [[1]]}'},
    ),
    Case(
        "NaN entry",
        NET,
        2,
        r"weights\[0\]\[0\]\[0\] is not a finite number: NaN",
        {"net.json": '{"weights": [[[NaN]]]}'},
    ),
    Case(
        "Infinity entry",
        NET,
        2,
        r"weights\[0\]\[0\]\[0\] is not a finite number: -Infinity",
        {"net.json": '{"weights": [[[-Infinity]]]}'},
    ),
    Case(
        "1e400",
        NET,
        2,
        r"weights\[0\]\[0\]\[0\] = 1e400 is out of range \(\|entry\| ≤ 1e300\)",
        {"net.json": '{"weights": [[[1e400]]]}'},
    ),
    Case(
        '"1e999999999" (a huge exponent)',
        NET,
        2,
        r"= 1e999999999 is out of range",
        {"net.json": '{"weights": [[["1e999999999"]]]}'},
    ),
    Case(
        '"1/0"',
        NET,
        2,
        r'weights\[0\]\[0\]\[0\] is not a number: "1/0" divides by zero',
        {"net.json": '{"weights": [[["1/0"]]]}'},
    ),
    Case(
        'complex entry "1+2j"',
        NET,
        2,
        r'weights\[0\]\[0\]\[0\] is not a number: "1\+2j"',
        {"net.json": '{"weights": [[["1+2j"]]]}'},
    ),
    Case(
        "boolean entry",
        NET,
        2,
        r"weights\[0\]\[0\]\[0\] is not a number: true",
        {"net.json": '{"weights": [[[true]]]}'},
    ),
    Case(
        "null entry",
        NET,
        2,
        r"weights\[0\]\[0\]\[0\] is not a number: null",
        {"net.json": '{"weights": [[[null]]]}'},
    ),
    nobody(
        "a file of mode 000",
        NET,
        r"Invalid value for 'FILE': Path '{d}/net.json' is not readable",
        {"net.json": '{"weights": [[[2]]]}'},
        {"net.json": 0o000},
    ),
    nobody(
        "a file in a folder of mode 000",
        "sharpness {d}/shut/net.json",
        r"cannot read {d}/shut/net.json: Permission denied",
        {"shut/net.json": '{"weights": [[[2]]]}'},
        {"shut": 0o000},
    ),
    Case("a directory", "sharpness {d}", 2, r"cannot read {d}: it is a folder"),
    Case("a missing file", NET, 2, r"cannot read {d}/net.json: No such file or directory"),
    Case(
        "a dangling symlink",
        NET,
        2,
        r"cannot read {d}/net.json: a dangling symbolic link",
        {"net.json": "->nowhere.json"},
    ),
    Case(
        "UTF-8 BOM (read)",
        NET,
        0,
        r"50 digits agree between 50- and 80-digit",
        {"net.json": b'\xef\xbb\xbf{"weights": [[[2]], [[3]]]}'},
    ),
    Case(
        "non-UTF-8 bytes",
        NET,
        2,
        r"{d}/net.json is not UTF-8 text \(byte 0xff at offset 14\)",
        {"net.json": b'{"weights": [[\xff]]}'},
    ),
    Case(
        "UTF-16 file",
        NET,
        2,
        r"{d}/net.json is UTF-16 text, not UTF-8 \(save it as UTF-8\)",
        {"net.json": '{"weights": [[[2]]]}'.encode("utf-16")},
    ),
    Case(
        "5000-digit integer",
        NET,
        2,
        r"{d}/net.json holds an integer of more than 4300 digits",
        {"net.json": '{"weights": [[[' + "7" * 5000 + "]]]}"},
    ),
    Case(
        "100k-deep nesting",
        NET,
        2,
        r"{d}/net.json is not usable JSON: nested too deeply",
        {"net.json": "[" * 100_000 + "]" * 100_000},
    ),
    Case(
        "huge file (65 MB)",
        NET,
        2,
        r"{d}/net.json is 65,000,000 bytes; the limit is 64,000,000",
        {"net.json": Sized(65_000_000)},
    ),
    Case(
        "too many parameters (1500×1500 layer, 7 MB)",
        NET,
        2,
        r"the network has 2,250,000 parameters; the limit is 2,000,000 \(sharpness forms each "
        r"layer's Gram matrices and refines their top eigenvalue at two precisions\)",
        {"net.json": json.dumps({"weights": [[[1] * 1500] * 1500]})},
    ),
    Case(
        "large and not a minimum (4-30-30-4 layers)",
        NET,
        2,
        r"not a global minimum, so the full Hessian is needed: it is 1140×1140; the limit is "
        r"40×40",
        {
            "net.json": json.dumps(
                {
                    "weights": [[[1] * 4] * 30, [[1] * 30] * 30, [[1] * 30] * 4],
                    "target": [[0] * 4] * 4,
                }
            )
        },
    ),
    Case(
        "M too large for the dense route (8×8 layers)",
        NET,
        2,
        r"output × input dimension is 64; the limit is 40 \(the curvature matrix M is 64×64, "
        r"dense, at two precisions\)",
        {"net.json": json.dumps({"weights": square(8)})},
    ),
    Case(
        "full Hessian too large (6×6 layers, not a minimum)",
        NET,
        2,
        r"not a global minimum, so the full Hessian is needed: it is 72×72; the limit is 40×40",
        {"net.json": json.dumps({"weights": square(6), "target": [[0] * 6] * 6})},
    ),
    # conjecture files (flatminima verify --conjectures)
    Case(
        "syntax error",
        VERIFY,
        2,
        r"conjecture error: {d}/conj_x.py:1: syntax error: .*\nflatminima: error: no conjecture "
        r"loaded from {d}/conj_x.py: nothing to verify",
        {"conj_x.py": "def f(:\n"},
    ),
    Case(
        "non-UTF-8 bytes",
        VERIFY,
        2,
        r"conjecture error: {d}/conj_x.py:1: syntax error: .*'utf-8' codec can't decode byte 0xff",
        {"conj_x.py": b'x = "\xff"\n'},
    ),
    Case(
        "UTF-8 BOM (read)",
        VERIFY,
        0,
        r"1 verified, 0 refuted, 0 inconclusive, 0 error; all as expected",
        {"conj_x.py": b"\xef\xbb\xbf" + OK.encode()},
    ),
    Case(
        "empty file",
        VERIFY,
        2,
        r"no conjecture loaded from {d}/conj_x.py: nothing to verify",
        {"conj_x.py": ""},
    ),
    Case(
        "folder without conjectures",
        "verify --conjectures {d}",
        2,
        r"no conjecture loaded from {d}: nothing to verify",
    ),
    Case(
        "a missing file", VERIFY, 2, r"conjecture error: {d}/conj_x.py: no such file or directory"
    ),
    Case(
        "a dangling symlink",
        VERIFY,
        2,
        r"conjecture error: {d}/conj_x.py: no such file or directory",
        {"conj_x.py": "->nowhere.py"},
    ),
    nobody(
        "a file of mode 000",
        VERIFY,
        r"Invalid value for '--conjectures': Path '{d}/conj_x.py' is not readable",
        {"conj_x.py": OK},
        {"conj_x.py": 0o000},
    ),
    nobody(
        "a file in a folder of mode 000",
        "verify --conjectures {d}/shut/conj_x.py",
        r"conjecture error: cannot read {d}/shut/conj_x.py: Permission denied",
        {"shut/conj_x.py": OK},
        {"shut": 0o000},
    ),
    nobody(
        "a folder holding a file of mode 000",
        "verify --conjectures {d}",
        r"conjecture error: cannot read {d}/conj_x.py: Permission denied\nflatminima: error: no "
        r"conjecture loaded from {d}: nothing to verify",
        {"conj_x.py": OK},
        {"conj_x.py": 0o000},
    ),
    Case(
        "raises on import",
        VERIFY,
        2,
        r"conjecture error: {d}/conj_x.py:1: ZeroDivisionError: division by zero",
        {"conj_x.py": "1 / 0\n"},
    ),
    Case(
        "sys.exit on import",
        VERIFY,
        2,
        r"conjecture error: {d}/conj_x.py:2: SystemExit: 3",
        {"conj_x.py": "import sys\nsys.exit(3)\n"},
    ),
    Case(
        "UTF-16 file",
        VERIFY,
        2,
        r"conjecture error: {d}/conj_x.py:1: syntax error: source code string cannot contain "
        r"null bytes",
        {"conj_x.py": OK.encode("utf-16")},
    ),
    Case(
        "100k-deep nesting",
        VERIFY,
        2,
        r"conjecture error: {d}/conj_x.py:1: syntax error: too many nested parentheses",
        {"conj_x.py": "x = " + "(" * 100_000 + ")" * 100_000 + "\n"},
    ),
    Case(
        "cost= negative",
        VERIFY,
        2,
        r"conjecture error: {d}/conj_x.py:4: ValueError: cost must be a positive number below "
        r"1e6, not -1",
        {"conj_x.py": conj("X4", "return True", "cases.scalar_minima(target=1), cost=-1")},
    ),
    Case(
        "lost_digits= not an integer",
        VERIFY,
        2,
        r"conjecture error: {d}/conj_x.py:4: ValueError: lost_digits must be a non-negative "
        r"integer, not 'x'",
        {"conj_x.py": conj("X4", "return True", "cases.scalar_minima(target=1), lost_digits='x'")},
    ),
    Case(
        "rule= not a Rule",
        VERIFY,
        2,
        r"conjecture error: {d}/conj_x.py:4: TypeError: rule must be a verify.population.Rule, "
        r"not str",
        {"conj_x.py": conj("X4", "return True", "cases.scalar_minima(target=1), rule='mean'")},
    ),
    Case(
        "cases= not a strategy",
        VERIFY,
        2,
        r"conjecture error: {d}/conj_x.py:4: claim X4: cases must be a Hypothesis strategy \(from "
        r"verify.cases or hypothesis.strategies\), not list",
        {"conj_x.py": conj("X4", "return True", "[1, 2]")},
    ),
    Case(
        "status= unknown",
        VERIFY,
        2,
        r"conjecture error: {d}/conj_x.py:4: ValueError: status must be one of",
        {
            "conj_x.py": conj("X4", "return True").replace(
                '"a user conjecture",', '"a user conjecture", status="sure",'
            )
        },
    ),
    Case(
        "duplicate claim ID (of the catalogue)",
        VERIFY,
        2,
        r"conjecture error: {d}/conj_x.py:4: duplicate claim ID F1",
        {"conj_x.py": conj("F1", "return True")},
    ),
    Case(
        "one good file, one broken",
        VERIFY + " --conjectures {d}/conj_y.py",
        1,
        r"1 verified, 0 refuted, 0 inconclusive, 0 error; all as expected; 1 conjecture load "
        r"error \(above\)",
        {"conj_x.py": OK, "conj_y.py": "def f(:\n"},
    ),
    Case(
        "check raises",
        VERIFY,
        1,
        r"X2 error: ConjectureError: {d}/conj_x.py:6: RuntimeError: boom\n  error on the case: ",
        {"conj_x.py": conj("X2", 'raise RuntimeError("boom")')},
    ),
    Case(
        "check raises at the higher precision only",
        VERIFY,
        1,
        r"X2 error: ConjectureError: {d}/conj_x.py:8: RuntimeError: at 80\n  error on the case: ",
        {
            "conj_x.py": conj(
                "X2",
                'mp = m.ctx\n    if m.ctx.dps > 60:\n        raise RuntimeError(f"at {mp.dps}")\n '
                "   return True",
            )
        },
    ),
    Case(
        "check returns a str",
        VERIFY,
        1,
        r"X3 error: ConjectureError: {d}/conj_x.py:4: a check must return a residual, a bool, "
        r"equal\(...\)/at_most\(...\) or Evidence, not str",
        {"conj_x.py": conj("X3", 'return "yes"')},
    ),
    Case(
        "check returns NaN",
        VERIFY,
        1,
        r"X3 error: ConjectureError: {d}/conj_x.py:4: the check returned a non-finite number: "
        r"residual = nan",
        {"conj_x.py": conj("X3", "return m.ctx.nan")},
    ),
    Case(
        "check returns inf (was verified)",
        VERIFY,
        1,
        r"X3 error: ConjectureError: {d}/conj_x.py:4: the check returned a non-finite number: "
        r"residual = \+inf",
        {"conj_x.py": conj("X3", 'return float("inf")')},
    ),
    Case(
        "check calls sys.exit",
        VERIFY,
        1,
        r"X3 error: ConjectureError: {d}/conj_x.py:7: SystemExit: 4",
        {"conj_x.py": "import sys\n" + conj("X3", "sys.exit(4)")},
    ),
    Case(
        "cases= a strategy that raises",
        VERIFY,
        1,
        r"X3 error: the search raised {d}/conj_x.py:4: ZeroDivisionError: division by zero",
        {"conj_x.py": conj("X3", "return True", "st.integers().map(lambda x: 1 / 0)")},
    ),
    Case(
        "cases= an empty strategy",
        VERIFY,
        1,
        r"X3 error: the search raised Unsatisfiable: Cannot generate test cases from empty "
        r"strategy",
        {"conj_x.py": conj("X3", "return True", "st.nothing()")},
    ),
    Case(
        "check fails, then raises at the confirming precision",
        VERIFY,
        1,
        r"X3 error: fails at \(50, 80\) digits; the 160-digit confirmation raised "
        r"ConjectureError: {d}/conj_x.py:7: RuntimeError: at 160",
        {
            "conj_x.py": conj(
                "X3",
                'if m.ctx.dps > 100:\n        raise RuntimeError(f"at {m.ctx.dps}")\n'
                "    return False",
            )
        },
    ),
    # options
    Case(
        "--dps below the range",
        "sharpness {d}/net.json --dps 19",
        2,
        r"--dps 19 is outside the supported range 20..2000 \(checks run at N and 1.6·N digits\)",
        {"net.json": '{"weights": [[[2]]]}'},
    ),
    Case(
        "--dps above the range",
        VERIFY + " --dps 2001",
        2,
        r"--dps 2001 is outside the supported range 20..2000",
        {"conj_x.py": OK},
    ),
    Case(
        "--dps not an integer",
        VERIFY + " --dps 1e3",
        2,
        r"Invalid value for '--dps': '1e3' is not a valid integer",
        {"conj_x.py": OK},
    ),
    Case(
        "--dps 2000 (the maximum works: 2000 and 3200)",
        "sharpness {d}/net.json --dps 2000 --json",
        0,
        r'"digits": 2000.0,\s+"dps": \[\s+2000,\s+3200\s+\]',
        {"net.json": '{"weights": [[[2]], [[2]]]}'},
    ),
    Case(
        "--seed not an integer",
        VERIFY + " --seed x",
        2,
        r"Invalid value for '--seed': 'x' is not a valid integer",
        {"conj_x.py": OK},
    ),
    Case(
        "--profile unknown",
        VERIFY + " --profile huge",
        2,
        r"unknown profile 'huge' \(choose from quick, ci, thorough\)",
        {"conj_x.py": OK},
    ),
    Case(
        "plot --steps 10^12",
        "plot dynamics -o {d}/out --steps 1000000000000",
        2,
        r"the number of steps must be at most 1,000,000 \(about a minute\), got "
        r"1,000,000,000,000",
    ),
    Case(
        "plot --eta nan",
        "plot dynamics -o {d}/out --eta nan",
        2,
        r"Invalid value for '--eta': nan is not a finite number",
    ),
    Case(
        "plot --alpha inf",
        "plot perceptron -o {d}/out --alpha inf",
        2,
        r"Invalid value for '--alpha': inf is not a finite number",
    ),
    Case(
        "plot --n 100000",
        "plot perceptron -o {d}/out --n 100000",
        2,
        r"N = 100000 is outside 1..24: exhaustive enumeration visits 2\^N weight vectors",
    ),
    Case("unknown claim ID", "verify NOPE", 2, r"unknown claim NOPE \(known: H1, "),
    Case(
        "--json a folder",
        VERIFY + " --json {d}",
        2,
        r"cannot write {d}: it is a folder",
        {"conj_x.py": OK},
    ),
    Case(
        "--json below a file",
        VERIFY + " --json {d}/conj_x.py/out.json",
        2,
        r"cannot write {d}/conj_x.py/out.json: {d}/conj_x.py is a file, not a folder",
        {"conj_x.py": OK},
    ),
    Case(
        "--json in an unwritable folder (sysfs)",
        VERIFY + " --json /sys/flatminima.json",
        2,
        r"cannot write /sys/flatminima.json: Permission denied",
        {"conj_x.py": OK},
    ),
    Case(
        "latex -o in an unwritable folder (sysfs)",
        "latex -o /sys/flatminima.tex",
        2,
        r"cannot write /sys/flatminima.tex: Permission denied",
    ),
    nobody(
        "--json in a folder of mode 555",
        VERIFY + " --json {d}/ro/out.json",
        r"cannot write {d}/ro/out.json: Permission denied",
        {"conj_x.py": OK},
        {"ro": 0o555},
    ),
    nobody(
        "report -o in a folder of mode 555",
        "report --from {r}/docs/results/quick.json -o {d}/ro/out",
        r"cannot create {d}/ro/out: Permission denied",
        {},
        {"ro": 0o555},
    ),
    Case(
        "--json /dev/full",
        VERIFY + " --json /dev/full",
        2,
        r"cannot write /dev/full: No space left on device",
        {"conj_x.py": OK},
    ),
    Case(
        "report -o a file",
        "report --from {r}/docs/results/quick.json -o {d}/out",
        2,
        r"cannot create {d}/out: {d}/out is a file, not a folder",
        {"out": "x"},
    ),
    Case(
        "report --from: not a run",
        "report --from {d}/run.json -o {d}/out",
        2,
        r"{d}/run.json: not a `flatminima verify --json` document \(no claims list\)",
        {"run.json": '{"claims": 1}'},
    ),
    Case(
        "report --from: claims lack fields",
        "report --from {d}/run.json -o {d}/out",
        2,
        r"{d}/run.json: claim F1 lacks statement, source, .*, as_expected \(not from `verify "
        r"--json`\?\)",
        {
            "run.json": json.dumps(
                {
                    "profile": "quick",
                    "seed": 0,
                    "dps": [50, 80],
                    "summary": {},
                    "claims": [{"id": "F1"}],
                }
            )
        },
    ),
    Case(
        "report --from: non-UTF-8",
        "report --from {d}/run.json -o {d}/out",
        2,
        r"{d}/run.json is not UTF-8 text",
        {"run.json": b"\xff{}"},
    ),
    Case(
        "latex --from: deep nesting",
        "latex --from {d}/run.json -o {d}/out.tex",
        2,
        r"{d}/run.json is not usable JSON: nested too deeply",
        {"run.json": "[" * 100_000 + "]" * 100_000},
    ),
    Case(
        "Ctrl-C during verify",
        "verify --conjectures {d}/conj_x.py",
        130,
        r"flatminima: interrupted",
        {
            "conj_x.py": conj(
                "X9",
                "import pathlib, time\n    pathlib.Path(__file__).with_name('started').touch()\n"
                "    time.sleep(0.2)\n    return True",
            )
        },
        interrupt=True,
    ),
    *(
        Case(
            f"Ctrl-C {after:g} s after the start",
            "verify",
            130,
            r"flatminima: interrupted",
            interrupt=True,
            after=after,
        )
        for after in (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 1.0)
    ),
]


def _make(folder: Path, files: dict, modes: dict) -> None:
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str) and content.startswith("->"):
            path.symlink_to(folder / content[2:])
        elif isinstance(content, bytes):
            path.write_bytes(content)
        elif isinstance(content, Sized):
            with path.open("wb") as out:
                out.truncate(content.size)
        else:
            path.write_text(content, encoding="utf-8")
    for name, mode in modes.items():
        if not (folder / name).exists():
            (folder / name).mkdir()
        (folder / name).chmod(mode)


def _listing(folder: Path) -> list[str]:
    """Every path below `folder`, relative to it (what a failed command must leave alone)."""
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*"))


@functools.cache
def _unprivileged() -> list[str]:
    """The command prefix that runs as a user for whom file modes hold: none if not root,
    else setpriv to nobody (skips if it is missing or nobody cannot run flatminima)."""
    if os.geteuid() != 0:
        return []
    if shutil.which(NOBODY[0]) is None:
        pytest.skip("running as root and setpriv is missing: file modes cannot be tested")
    probe = subprocess.run([*NOBODY, str(FLATMINIMA), "--version"], capture_output=True, timeout=60)
    if probe.returncode != 0:
        pytest.skip(f"user nobody cannot run {FLATMINIMA}: {probe.stderr.decode()[-200:]}")
    return NOBODY


@pytest.fixture
def open_tmp():
    """A folder every user may write in (pytest's tmp_path is root's own, mode 700)."""
    folder = Path(tempfile.mkdtemp())
    folder.chmod(0o777)
    yield folder
    shutil.rmtree(folder)


def _run(case: Case, folder: Path, capsys) -> tuple[int, str]:
    argv = [a.replace("{d}", str(folder)).replace("{r}", str(ROOT)) for a in case.argv.split()]
    if not (case.interrupt or case.nobody):
        status = main(argv)
        out, err = capsys.readouterr()
        return status, err + out
    process = subprocess.Popen(
        [*(_unprivileged() if case.nobody else []), str(FLATMINIMA), *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=folder.parent,
    )
    try:
        if case.after is not None:
            time.sleep(case.after)
        elif case.interrupt:
            started = folder / "started"  # the check touches it: imports are done, cases running
            deadline = time.monotonic() + 60
            while not started.exists() and process.poll() is None and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(0.3)
        if case.interrupt:
            process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        pytest.fail(f"flatminima {case.argv} outlived its bounds: {err + out}")
    return process.returncode, err + out


@pytest.mark.parametrize("case", TABLE, ids=[f"{i:02d}-{c.what}" for i, c in enumerate(TABLE)])
def test_bad_input(case, tmp_path, capsys, monkeypatch, request):
    if "/dev/full" in case.argv and not Path("/dev/full").is_char_device():
        pytest.skip("no /dev/full here")
    if "/sys/" in case.argv and not Path("/sys/kernel").is_dir():
        pytest.skip("no sysfs here")
    monkeypatch.setenv("COLUMNS", "300")  # rich wraps no message
    monkeypatch.chdir(tmp_path)  # counterexamples, if any, go below the test's own folder
    folder = (request.getfixturevalue("open_tmp") if case.nobody else tmp_path) / "in"
    folder.mkdir()
    _make(folder, case.files, case.modes)
    made = _listing(folder)
    start = time.perf_counter()
    status, text = _run(case, folder, capsys)
    assert time.perf_counter() - start < 15
    assert "Traceback" not in text and "KeyboardInterrupt" not in text, text
    assert status == case.status, text
    assert re.search(case.message.replace("{d}", re.escape(str(folder))), text), text
    problems = [line for line in text.splitlines() if line.startswith("flatminima:")]
    if status == 130:
        assert problems == ["flatminima: interrupted"], text
    if status == 2:
        assert _listing(folder) == made  # no partial output left
        assert problems and all(re.match(r"flatminima: (conjecture )?error: ", p) for p in problems)
        assert re.match(r"flatminima: (conjecture )?error: ", text.lstrip()), text


def _shown(pattern: str) -> str:
    """A message regex as readers see it, as Markdown code: unescaped, {d} as DIR, `\\s+` as a
    space, `\\n` as ⏎."""
    text = pattern.replace(r"\s+", " ").replace(r"\n", " ⏎ ")
    text = re.sub(r"\\(.)", r"\1", text).replace("{d}", "DIR").replace("|", "\\|")
    return f"`` {text} ``" if "`" in text else f"`{text}`"


def render() -> str:
    lines = [
        "## Bad input",
        "",
        "Every malformed network file, conjecture file and option tried, and what `flatminima`",
        "says: one line `flatminima: error: …` naming the problem (file:line for conjecture",
        "files) and exit 2 for bad input, exit 1 when a claim is not as expected (a check that",
        "raises is an `error` verdict, shown with the case it failed on, not as a",
        "counterexample), 130 for Ctrl-C; never a traceback, each in a few seconds, and a",
        "failed command leaves no file behind. DIR is the folder holding the file, ROOT the",
        "project's; each message is searched for in the output (`.*` is any text, ⏎ a line",
        "break). `tests/test_bad_input.py` runs this table and checks this section is its",
        "rendering (`python tests/test_bad_input.py` rewrites it).",
        "",
        "Ctrl-C is the one line `flatminima: interrupted` and exit 130 from the first line of",
        "flatminima's code: the command (`verify.entry:main`) imports the CLI, and with it click,",
        "rich, SymPy, mpmath and Hypothesis (about 0.7 s), only once it handles Ctrl-C, and the",
        "handler records the interrupt, so one that lands where it is swallowed (a bare",
        "`except:`, a gc callback, whose report is dropped) still stops the command: after the",
        "imports, or at the next case of `verify`. The rows `Ctrl-C N s after the start` send",
        "SIGINT that long after the process starts. Before that code runs, in Python's own",
        "start-up (about the first 25 ms, measured with an editable install, whose import hook",
        "runs then; over 50 ms on a loaded machine, so the rows start at 0.1 s), Ctrl-C still",
        "gets Python's traceback.",
        "The tests run as root, for whom file modes do not hold: the rows `as nobody` run",
        "`flatminima` as user nobody (`setpriv --reuid=65534`, skipped if it is missing), in",
        "a folder of mode 777.",
        "",
        "Limits, stated in the errors: network files up to 64,000,000 bytes, results files",
        "50,000,000; a network has at most 2,000,000 parameters (above 400, a global minimum is",
        "measured by `verify/linear/fastroute.py`, whose products over ℚ may take at most 2e11",
        "multiply-adds × numerator bits, about 30 s), and the dense symmetric eigenproblem of",
        "`sharpness` is at most 40×40 (M, of side output × input dimension, at a global minimum;",
        "the full Hessian, of side the parameter count, elsewhere), because it is solved at N and",
        "1.6·N digits (two 8×8 layers: 8 s at a minimum, over a minute elsewhere; two 20×20",
        "layers: over two minutes); entries have |x| ≤ 1e300.",
        "`--dps N` takes N in 20..2000 and checks at N and round(1.6·N) (so up to 3200 digits).",
        "`--seed` takes any integer.",
        "",
        "| input | command | exit | message |",
        "|---|---|---|---|",
    ]
    for case in TABLE:
        command = "flatminima " + case.argv.replace("{d}", "DIR").replace("{r}", "ROOT")
        message = _shown(case.message)
        lines.append(f"| {case.what} | `{command}` | {case.status} | {message} |")
    return "\n".join(lines) + "\n"


def test_docs_table_is_the_test_table():
    assert section(DOC.read_text(encoding="utf-8"), "Bad input").rstrip() == render().rstrip(), (
        "docs/reliability.md's Bad input section differs: run `python tests/test_bad_input.py`"
    )


if __name__ == "__main__":
    rewrite(DOC, "Bad input", render())
    print(f"wrote {DOC.relative_to(ROOT)}")
