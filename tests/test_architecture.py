"""The shape of the code holds: the import-linter layers contract (pyproject.toml), no
import cycle between any two modules, and no import hidden inside a function to dodge one."""

import ast
import subprocess
import sys
from pathlib import Path

import grimp
from django.apps import apps
from django.conf import settings

from .layout import PACKAGES, PYPROJECT, ROOT


def test_the_layers_contract_is_kept():
    linter = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(linter)], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_one_list_of_the_packages():
    """Ruff's first-party list, the layers and the local apps all name the same packages."""
    assert sorted(PYPROJECT["tool"]["ruff"]["lint"]["isort"]["known-first-party"]) == sorted(
        PACKAGES
    )
    layered = {
        name.strip()
        for layer in PYPROJECT["tool"]["importlinter"]["contracts"][0]["layers"]
        for name in layer.split("|")
    }
    assert layered == set(PACKAGES)
    local_apps = {app.name for app in apps.get_app_configs() if (ROOT / app.name).is_dir()}
    assert local_apps == set(PACKAGES) - {"config", "ops"}
    assert all((ROOT / package / "__init__.py").exists() for package in PACKAGES)
    assert "petition" in settings.INSTALLED_APPS


def test_no_module_imports_itself_through_others():
    graph = grimp.build_graph(*PACKAGES)
    cycles = []
    for importer in sorted(graph.modules):
        for imported in graph.find_modules_directly_imported_by(importer):
            if graph.chain_exists(importer=imported, imported=importer):
                cycles.append(f"{importer} <-> {imported}")
    assert cycles == []


def _local_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    found = []
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if function.name == "ready":  # AppConfig.ready: models exist only from there on
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.Import | ast.ImportFrom):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} in {function.name}()")
    return found


def test_no_function_imports_inside_the_application():
    found = []
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" not in path.parts:
                found += _local_imports(path)
    assert found == []
