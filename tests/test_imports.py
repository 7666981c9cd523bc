"""Import rules, read from the source (AST, not grep): theory/ never imports verify/; only the
catalogue imports verify.claims; the printers in verify/report/ import no claims and no
training code, and no numeric package at run time; verify/cases.py imports no claim module."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
# the printers in verify/report/ import none of these at run time (types: under TYPE_CHECKING)
NUMERIC = (
    "verify.linear",
    "verify.nonlinear",
    "verify.dynamics",
    "verify.perceptron",
    "verify.stats",
    "verify.claims",
    "verify.cases",
    "verify.scalar",
)
TRAINING = (
    "verify.linear.train",
    "verify.linear.runs",
    "verify.linear.run_strategies",
    "verify.linear.resnet",
    "verify.linear.polish",
    "verify.nonlinear.training",
    "verify.nonlinear.practice",
    "verify.dynamics.trajectories",
    "verify.dynamics.runs",
    "verify.perceptron.enumerate",
    "verify.perceptron.scaling",
)


def _module(path: Path, root: Path = ROOT) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking(test: ast.expr) -> bool:
    """`if TYPE_CHECKING:` or `if typing.TYPE_CHECKING:`."""
    name = test.attr if isinstance(test, ast.Attribute) else getattr(test, "id", None)
    return name == "TYPE_CHECKING"


def imported(path: Path, root: Path = ROOT, runtime_only: bool = False) -> set[str]:
    """Every module an `import` or `from … import` in `path` names, anywhere in the file (lazy
    imports inside functions count; with `runtime_only`, not those under `if TYPE_CHECKING:`);
    `from a import b` counts as a and a.b; relative imports are resolved in the package."""
    name = _module(path, root)
    here = (name if path.name == "__init__.py" else name.rsplit(".", 1)[0]).split(".")
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        skip = runtime_only and isinstance(node, ast.If) and _type_checking(node.test)
        children = node.orelse if skip else list(ast.iter_child_nodes(node))
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            anchor = here[: len(here) + 1 - node.level] if node.level else []
            base = ".".join([*anchor, node.module] if node.module else anchor)
            found.update({base} | {f"{base}.{alias.name}" for alias in node.names})
        for child in children:
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return found


def sources(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def _names(modules: set[str], prefix: str) -> set[str]:
    return {m for m in modules if m == prefix or m.startswith(prefix + ".")}


def _numeric(modules: set[str]) -> set[str]:
    return {m for prefix in NUMERIC for m in _names(modules, prefix)}


def test_the_rules_see_lazy_relative_and_type_checking_imports(tmp_path):
    package = tmp_path / "pkg" / "sub"
    package.mkdir(parents=True)
    (package / "mod.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "import typing\n"
        "if TYPE_CHECKING:\n    from verify.linear.found import FoundMinimum\n"
        "if typing.TYPE_CHECKING:\n    import verify.stats\nelse:\n    import verify.cases\n"
        "def f():\n    from verify import scalar\n    from ..dynamics import data\n"
    )
    runtime = imported(package / "mod.py", tmp_path, runtime_only=True)
    assert _numeric(runtime) == {"verify.cases", "verify.scalar"}
    assert {"pkg.dynamics", "pkg.dynamics.data"} <= runtime
    everything = imported(package / "mod.py", tmp_path)
    assert {"verify.linear.found", "verify.stats"} <= everything - runtime
    assert not _numeric({"verify.claim", "verify.report.figure_files", "verify.scalars"})


@pytest.mark.parametrize("path", sources("theory"), ids=lambda p: p.name)
def test_theory_never_imports_verify(path):
    assert not _names(imported(path), "verify"), f"{path} imports verify"


@pytest.mark.parametrize("path", sources("verify"), ids=lambda p: str(p.relative_to(ROOT)))
def test_only_the_catalogue_imports_the_claims(path):
    inside = path.is_relative_to(ROOT / "verify" / "claims")
    if inside or path == ROOT / "verify" / "catalogue.py":
        return
    assert not _names(imported(path), "verify.claims"), f"{path} imports verify.claims"


@pytest.mark.parametrize(
    "path", sources("verify/claims"), ids=lambda p: str(p.relative_to(ROOT / "verify"))
)
def test_claim_modules_import_no_other_family(path):
    """A family's module imports claims only of its own package (an __init__ gathering them)."""
    own = _module(path) if path.name == "__init__.py" else _module(path).rsplit(".", 1)[0]
    others = {m for m in _names(imported(path), "verify.claims") if not m.startswith(own)}
    assert not others, f"{path} imports {others}"


@pytest.mark.parametrize("path", sources("verify/report"), ids=lambda p: p.name)
def test_printers_import_no_claims_and_no_training(path):
    """Printers draw what they are given: no numeric package at run time, and no claims or
    training code even for types."""
    assert not _numeric(imported(path, runtime_only=True)), f"{path} computes"
    found = imported(path)
    assert not _names(found, "verify.claims") and not _names(found, "verify.catalogue")
    trained = {m for prefix in TRAINING for m in _names(found, prefix)}
    assert not trained, f"{path} imports training code {trained}"


def test_cases_import_no_claim_module():
    assert not _names(imported(ROOT / "verify" / "cases.py"), "verify.claims")


def test_no_test_folder_shadows_a_package():
    """`pytest` (not only `python -m pytest`) puts tests/ on sys.path: a folder there named
    like a package (theory, verify) would be imported in its place."""
    assert not {p.name for p in (ROOT / "tests").iterdir() if p.is_dir()} & {"theory", "verify"}


HEAVY = ("sympy", "hypothesis", "matplotlib", "mpmath", "numpy", "rich")


@pytest.mark.parametrize("module", ["verify.cli", "verify.entry"])
def test_the_command_line_starts_without_heavy_packages(module):
    """`flatminima --help` imports only click and light modules: each heavy package is imported
    inside the command that uses it (checked in a fresh interpreter)."""
    code = (
        f"import sys, {module}\n"
        "from verify.cli import main\n"
        "assert main(['--help']) == 0\n"
        f"print('heavy:', *(m for m in {HEAVY!r} if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "heavy:"


def test_the_plot_choices_are_the_families_with_figures():
    from verify.figures import FIGURES
    from verify.names import FIGURE_FAMILIES

    assert tuple(family.value for family in FIGURES) == FIGURE_FAMILIES
