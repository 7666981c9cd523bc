"""Import rules, read from the source (AST, not grep): theory/ never imports verify/; only the
catalogue imports verify.claims; the printers in verify/report/ import no claims and no
training code; verify/cases.py imports no claim module."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
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


def imported(path: Path, root: Path = ROOT) -> set[str]:
    """Every module an `import` or `from … import` in `path` names, anywhere in the file (lazy
    imports inside functions count); `from a import b` counts as a and a.b."""
    found = set()
    name = _module(path, root)
    package = name.rsplit(".", 1)[0] if path.name != "__init__.py" else name
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names}
    return found


def sources(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def _names(modules: set[str], prefix: str) -> set[str]:
    return {m for m in modules if m == prefix or m.startswith(prefix + ".")}


def test_the_rules_see_lazy_and_relative_imports(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    source = "def f():\n    from .other import g\n    import verify.claims\n"
    (package / "mod.py").write_text(source)
    found = imported(package / "mod.py", tmp_path)
    assert {"pkg.other", "pkg.other.g", "verify.claims"} <= found


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
    found = imported(path)
    assert not _names(found, "verify.claims") and not _names(found, "verify.catalogue")
    trained = {m for prefix in TRAINING for m in _names(found, prefix)}
    assert not trained, f"{path} imports training code {trained}"


def test_cases_import_no_claim_module():
    assert not _names(imported(ROOT / "verify" / "cases.py"), "verify.claims")
