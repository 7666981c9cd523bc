"""Names and limits the command line and the pytest plugin offer before anything heavy is
imported.

This module imports nothing: the pytest plugin reads it at pytest start-up (`--claims-profile`
choices, the `conjecture_files` default) without loading Hypothesis, mpmath or SymPy.
"""

from __future__ import annotations

PROFILES: dict[str, int] = {"quick": 12, "ci": 30, "thorough": 200}  # cases per claim, cost 1
DEFAULT_PROFILE = "quick"
PATTERNS = ("conj_*.py", "conjectures/*.py")  # conjecture files found below a folder
DEFAULT_DPS: tuple[int, int] = (50, 80)
MIN_DPS = 20  # below this a 64-bit float screen is nearly as good; refuse
MAX_DPS = 2000  # beyond this eigen-solvers and integrators take minutes per case
FIGURE_FAMILIES = ("linear", "dynamics", "perceptron", "nonlinear")  # keys of figures.FIGURES
