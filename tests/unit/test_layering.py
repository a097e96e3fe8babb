"""The dependency rule: domain imports only the standard library; services and db never import Flask."""
from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "cksloop"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", sorted((PACKAGE / "domain").rglob("*.py")), ids=lambda p: p.name)
def test_domain_imports_only_the_standard_library(path: Path) -> None:
    foreign = {m for m in imported_modules(path) if m not in sys.stdlib_module_names and m != "cksloop"}
    assert not foreign, f"{path.name} imports {foreign}"


@pytest.mark.parametrize("path", sorted([*(PACKAGE / "services").rglob("*.py"), *(PACKAGE / "db").rglob("*.py")]),
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_services_and_db_never_import_flask(path: Path) -> None:
    modules = imported_modules(path)
    assert not modules & {"flask", "flask_login", "flask_wtf", "flask_babel", "werkzeug", "wtforms"}


def test_domain_never_imports_cksloop_outside_the_domain() -> None:
    for path in (PACKAGE / "domain").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("cksloop"):
                assert node.module.startswith("cksloop.domain"), f"{path.name}: {node.module}"
