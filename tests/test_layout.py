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


# --- Layering: import chains checked in fresh interpreters, so indirect imports count. ---


def loaded_after(*modules: str) -> set[str]:
    """The modules a fresh interpreter holds after importing ``modules``."""
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in modules)
        + "print('\\n'.join(sorted(sys.modules)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return set(out.stdout.split())


def package_modules(package: str) -> list[str]:
    """Every module of ``package`` (a dotted name under oasis), by its file."""
    folder = ROOT.joinpath(*package.split("."))
    return sorted(
        ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for path in folder.rglob("*.py")
    )


def test_agent_workers_and_shards_load_no_sql_and_no_experiment_config():
    loaded = loaded_after(*package_modules("oasis.agents"))
    assert not {"sqlalchemy", "oasis.config", "oasis.platform"} & loaded


def test_the_loop_loads_no_web_stack():
    loaded = loaded_after(*package_modules("oasis.loop"), "oasis.cli")
    assert not {"fastapi", "uvicorn", "starlette", "oasis.api"} & loaded


def test_recsys_loads_no_sql():
    loaded = loaded_after(*package_modules("oasis.recsys"))
    assert not {"sqlalchemy", "oasis.platform"} & loaded


def test_the_platform_loads_no_llm_client_and_no_ray():
    loaded = loaded_after(*package_modules("oasis.platform"))
    assert not {"openai", "aiohttp", "ray", "oasis.agents"} & loaded


def test_the_package_imports_no_layer_above_it_statically():
    """The rules as the import statements say them (a faster, file-by-file view of the above)."""
    rules = {
        "agents": ("oasis.platform", "oasis.config", "oasis.loop", "oasis.api", "sqlalchemy"),
        "recsys": ("oasis.platform", "oasis.config", "oasis.loop", "oasis.api", "sqlalchemy"),
        "platform": ("oasis.agents", "oasis.loop", "oasis.api", "oasis.config", "openai", "ray"),
        "loop": ("oasis.api", "fastapi", "uvicorn"),
        "core": ("oasis.platform", "oasis.agents", "oasis.loop", "oasis.config", "sqlalchemy"),
    }
    offenders = [
        f"{path.relative_to(ROOT)} imports {name}"
        for package, banned in rules.items()
        for path in (PACKAGE / package).rglob("*.py")
        for name in full_imports(path)
        if any(name == b or name.startswith(b + ".") for b in banned)
    ]
    assert offenders == []


BASE_PACKAGES = ("platform", "agents", "recsys", "datasets", "analysis")


def test_the_base_packages_import_only_core_errors_and_themselves():
    offenders = [
        f"{path.relative_to(ROOT)} imports {name}"
        for package in BASE_PACKAGES
        for path in (PACKAGE / package).rglob("*.py")
        for name in full_imports(path)
        if name.startswith("oasis.") and name.split(".")[1] not in (package, "core", "errors")
    ]
    assert offenders == []


def full_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def attribute_chain(node: ast.AST) -> str:
    """``np.random.default_rng`` for the expression ``np.random.default_rng``; '' otherwise."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return ""


READS = ("os.environ", "environ", "os.getenv", "getenv")


def environment_lines(path: Path) -> set[int]:
    """Lines of ``path`` that read the environment (``envvar=`` options count too).

    ``os.environ.setdefault`` lines are left out: they give a library we start (Ray) a default,
    they do not make our behaviour depend on the environment.
    """
    tree = ast.parse(path.read_text(), filename=str(path))
    reads, defaults = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and attribute_chain(node.func).endswith("environ.setdefault"):
            defaults.add(node.lineno)
        elif isinstance(node, ast.Attribute | ast.Name) and attribute_chain(node) in READS:
            reads.add(node.lineno)
        elif isinstance(node, ast.keyword) and node.arg == "envvar":
            reads.add(node.value.lineno)
    return reads - defaults


def test_environment_variables_are_read_only_by_the_config_module():
    offenders = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in PACKAGE.rglob("*.py")
        if path != PACKAGE / "config.py"
        for line in sorted(environment_lines(path))
    ]
    assert offenders == []


GENERATOR_MAKERS = ("default_rng", "Generator", "SeedSequence", "RandomState")


def test_random_generators_are_made_only_in_rng():
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if path == PACKAGE / "core" / "rng.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if not isinstance(node, ast.Call):
                continue
            chain = attribute_chain(node.func)
            in_random = chain.startswith(("np.random.", "numpy.random.", "random."))
            if in_random or chain.split(".")[-1] in GENERATOR_MAKERS:
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} {chain}")
    assert offenders == []


def test_no_function_of_the_loop_is_longer_than_forty_lines():
    long = [
        f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({length} lines)"
        for path in (PACKAGE / "loop").rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path)))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and (length := (node.end_lineno or node.lineno) - node.lineno + 1) > 40
    ]
    assert long == []


def test_only_the_closed_unpickler_imports_pickle():
    """Issue #25.1: a curves file is data; ``pickle.load`` elsewhere could run code from one."""
    offenders = [
        str(path.relative_to(ROOT))
        for path in PACKAGE.rglob("*.py")
        if path != PACKAGE / "analysis" / "safe_pickle.py"
        and {"pickle", "dill", "cloudpickle", "joblib"} & imported_modules(path)
    ]
    assert offenders == []


def test_settings_sections_share_one_base():
    """Issue #26.5: a frozen section that refuses unknown keys is ``core.settings.Section``."""
    offenders = [
        str(path.relative_to(ROOT))
        for path in PACKAGE.rglob("*.py")
        if path != PACKAGE / "core" / "settings.py"
        and 'frozen=True, extra="forbid"' in path.read_text()
    ]
    assert offenders == []


# --- No import cycle: the modules of oasis/ import each other without a loop. ---


def module_name(path: Path) -> str:
    """``oasis.loop.roster`` for ``oasis/loop/roster.py`` (a package by its ``__init__.py``)."""
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def runtime_imports(path: Path) -> set[str]:
    """The oasis modules ``path`` imports, when it loads or in a function (not for typing only).

    ``from package import name`` counts as an import of ``package.name`` where that is a module.
    An import inside a function counts: deferring one half of a cycle hides it, not removes it.
    """
    known = {module_name(p) for p in PACKAGE.rglob("*.py")}
    names: set[str] = set()
    pending = list(ast.parse(path.read_text(), filename=str(path)).body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            pending += node.orelse
            continue
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            subs = {f"{node.module}.{alias.name}" for alias in node.names} & known
            names.update(subs or {node.module})
        pending += [child for child in ast.iter_child_nodes(node) if isinstance(child, ast.stmt)]
    return {name for name in names if name in known} - {module_name(path)}


def import_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One cycle of ``graph`` (a module, what it imports, ..., the module again), or []."""
    state: dict[str, str] = {}  # "open" while its imports are walked, then "done"
    for start in sorted(graph):
        stack = [(start, iter(sorted(graph[start])))]
        path = [start]
        state.setdefault(start, "open")
        if state[start] == "done":
            continue
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = "done"
                stack.pop()
                path.pop()
            elif state.get(child) == "open":
                return [*path[path.index(child) :], child]
            elif child not in state:
                state[child] = "open"
                stack.append((child, iter(sorted(graph.get(child, ())))))
                path.append(child)
    return []


def test_no_import_cycle_between_modules():
    graph = {module_name(p): runtime_imports(p) for p in PACKAGE.rglob("*.py")}
    assert import_cycle(graph) == []


def test_the_cycle_check_finds_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert import_cycle(graph) == ["a", "b", "c", "a"]
    assert import_cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) == []
