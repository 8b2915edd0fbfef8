"""Layout rules: SQL stays in oasis/platform; the stdlib ``platform`` is not shadowed."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import oasis

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "oasis"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_sqlalchemy_is_imported_only_by_the_platform():
    offenders = [
        str(path.relative_to(ROOT))
        for path in PACKAGE.rglob("*.py")
        if "sqlalchemy" in imported_modules(path)
        and "platform" not in path.relative_to(PACKAGE).parts[:1]
    ]
    assert offenders == []


def test_import_platform_is_the_standard_library():
    code = "import platform, oasis.platform; print(platform.python_version())"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == ".".join(map(str, sys.version_info[:3]))


def test_every_test_directory_is_a_package():
    missing = [
        str(d.relative_to(ROOT))
        for d in (ROOT / "tests").rglob("*")
        if d.is_dir()
        and d.name != "__pycache__"
        and any(d.glob("test_*.py"))
        and not (d / "__init__.py").exists()
    ]
    assert missing == []


def test_public_names_are_exported():
    for name in oasis.__all__:
        assert getattr(oasis, name) is not None


def test_importing_is_free_of_heavy_work():
    code = (
        "import sys, oasis, oasis.platform, oasis.core.actions;"
        "print(sorted(m for m in ('ray', 'vllm', 'torch', 'faiss') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"
    importlib.import_module("oasis.platform")
