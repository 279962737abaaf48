"""The layout's rules, as CONTRIBUTING states them: the stages import only the stages below
them (import-linter's layers contract, in ``pyproject.toml``), and an import inside a function
never hides a cycle: it is there for start-up time or memory, and says so."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import require

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "publisher"


def _lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    tool = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    require(tool, "lint-imports (import-linter) is not installed")
    assert tool is not None
    return subprocess.run(
        [tool, "--no-cache", "--config", str(root / "pyproject.toml")],
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": str(Path(sys.executable).parent)},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_layers_contract_holds() -> None:
    done = _lint_imports(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    ("module", "upward"),
    [
        ("model/slugs.py", "from publisher.renderers import base"),  # the model asks a renderer
        ("renderers/feed/renderer.py", "from publisher.pipeline import runner"),
        ("speech/script.py", "from publisher.checks import validate"),
    ],
)
def test_an_import_against_the_pipeline_breaks_it(tmp_path: Path, module: str, upward: str) -> None:
    shutil.copytree(PACKAGE, tmp_path / "publisher", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    changed = tmp_path / "publisher" / module
    changed.write_text(changed.read_text("utf-8") + f"\n{upward}  # noqa\n", "utf-8")
    done = _lint_imports(tmp_path)
    assert done.returncode != 0
    assert "BROKEN" in done.stdout and module.removesuffix(".py").replace("/", ".") in done.stdout


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


def _targets(node: ast.Import | ast.ImportFrom, module: str, known: dict[str, Path]) -> set[str]:
    """The modules of the package an import statement loads (with their packages)."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        if node.level:
            package = module.split(".")
            if known[module].name != "__init__.py":
                package = package[:-1]
            package = package[: len(package) - node.level + 1]
            base = ".".join([*package, base] if base else package)
        names = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
    out = set()
    for name in names:
        parts = name.split(".")
        out |= {".".join(parts[:i]) for i in range(1, len(parts) + 1)} & known.keys()
    return out


def _imports() -> tuple[dict[str, set[str]], list[tuple[str, str, Path, int]]]:
    """Each module's imports at its top level, and every import inside a function."""
    known = _modules()
    top: dict[str, set[str]] = {name: set() for name in known}
    inner: list[tuple[str, str, Path, int]] = []
    for name, path in known.items():
        tree = ast.parse(path.read_text("utf-8"))
        for node in tree.body:
            if isinstance(node, ast.Import | ast.ImportFrom):
                top[name] |= _targets(node, name, known)
        for function in ast.walk(tree):
            if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                for node in ast.walk(function):
                    if isinstance(node, ast.Import | ast.ImportFrom):
                        inner += [(name, t, path, node.lineno) for t in _targets(node, name, known)]
    return top, inner


def _reaches(top: dict[str, set[str]], start: str, goal: str) -> bool:
    seen, stack = {start}, [start]
    while stack:
        for nxt in top[stack.pop()]:
            if nxt == goal:
                return True
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return False


def test_no_import_inside_a_function_hides_a_cycle() -> None:
    top, inner = _imports()
    hidden = [
        f"{path.relative_to(ROOT)}:{line}: {module} imports {target}, which imports it back"
        for module, target, path, line in inner
        if not module.startswith(target + ".")  # a package's own __init__ is loaded first
        and _reaches(top, target, module)
    ]
    assert hidden == []


def test_each_import_inside_a_function_says_why() -> None:
    """Outside the CLI (whose package docstring gives the one reason for all its commands),
    a comment on the import or on the lines just above it."""
    _, inner = _imports()
    silent = []
    for module, _target, path, line in inner:
        if module.startswith("publisher.cli"):
            continue
        lines = path.read_text("utf-8").splitlines()
        if not any("#" in text for text in lines[max(0, line - 4) : line]):
            silent.append(f"{path.relative_to(ROOT)}:{line}")
    assert sorted(set(silent)) == []
