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


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def module_graph() -> dict[str, set[str]]:
    """Every cksloop module → the cksloop modules it imports at module level (function-level
    imports are deferred on purpose and cannot form a cycle at import time)."""
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets: set[str] = set()
        for node in ast.parse(path.read_text(encoding="utf-8")).body:  # module level only
            found: list[str] = []
            if isinstance(node, ast.Import):
                found = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join([*package.split(".")[:len(package.split(".")) - node.level + 1], *filter(None, [base])])
                found = [f"{base}.{alias.name}" for alias in node.names] + [base]
            for target in found:
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                # a package's __init__ runs before its modules anyway: an edge to an enclosing
                # package is no cycle
                if target and target != name and not name.startswith(target + "."):
                    targets.add(target)
        graph[name] = targets
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle in ``graph`` as the list of modules around it, or None."""
    done: set[str] = set()
    for start in sorted(graph):
        stack: list[tuple[str, list[str]]] = [(start, [start])]
        on_path: set[str] = set()
        while stack:
            node, path = stack.pop()
            if node in done:
                continue
            for nxt in sorted(graph.get(node, ())):
                if nxt in path:
                    return [*path[path.index(nxt):], nxt]
            on_path.add(node)
            stack.extend((nxt, [*path, nxt]) for nxt in sorted(graph.get(node, ())) if nxt not in done)
        done.add(start)
    return None


def test_the_cycle_finder_finds_a_cycle_and_accepts_a_tree() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_no_import_cycle_among_cksloop_modules() -> None:
    graph = module_graph()
    assert "cksloop.services.garments" in graph and graph["cksloop.services.garments"]
    assert find_cycle(graph) is None, " → ".join(find_cycle(graph) or [])


def test_services_and_db_never_import_web() -> None:
    for name, targets in module_graph().items():
        if name.startswith(("cksloop.services", "cksloop.db")):
            assert not {t for t in targets if t.startswith("cksloop.web")}, name
    for path in [*(PACKAGE / "services").rglob("*.py"), *(PACKAGE / "db").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):  # deferred imports too
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith("cksloop.web"), f"{path.name}: {node.module}"


# --- what STYLE.md draws for the web layer and the adapters ---------------------------------------

#: the one web module that wires the app to the database (sessions per request) and the error
#: backstop that recognises a database error: everything else reads through services or queries
WEB_DATABASE_WIRING = {"cksloop.web.database", "cksloop.web.errors"}
#: what a web module may take from the database layer: the read modules and the models' types
WEB_MAY_READ = ("cksloop.db.queries", "cksloop.db.models")
#: SQL-building names that never belong in a view
SQL_BUILDERS = {"select", "insert", "update", "delete", "text", "func", "and_", "or_", "exists"}


def _web_modules() -> dict[str, Path]:
    return {_module_name(p): p for p in (PACKAGE / "web").rglob("*.py")}


def test_web_reaches_the_database_only_through_services_or_the_read_modules() -> None:
    for name, path in _web_modules().items():
        if name in WEB_DATABASE_WIRING:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                if node.module.startswith("cksloop.db"):
                    modules = [node.module] if node.module != "cksloop.db" else \
                        [f"cksloop.db.{alias.name}" for alias in node.names]
                    assert all(m.startswith(WEB_MAY_READ) for m in modules), f"{name} imports {node.module}"
                if node.module.split(".")[0] == "sqlalchemy":
                    names = {alias.name for alias in node.names}
                    assert not names & SQL_BUILDERS, f"{name} builds SQL with {names & SQL_BUILDERS}"


def test_adapters_are_called_from_services_not_from_web_or_the_domain() -> None:
    for path in [*(PACKAGE / "web").rglob("*.py"), *(PACKAGE / "domain").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith("cksloop.adapters"), f"{path.relative_to(PACKAGE)}"
            if isinstance(node, ast.Import):
                assert not any(a.name.startswith("cksloop.adapters") for a in node.names), f"{path.relative_to(PACKAGE)}"
