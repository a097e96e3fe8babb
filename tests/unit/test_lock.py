"""requirements.lock pins exactly what pyproject.toml asks for: every dependency, within its bounds."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
FIX = "edit pyproject.toml, then run scripts/lock and commit both files"


def locked() -> dict[str, Version]:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            requirement = Requirement(line)
            assert re.fullmatch(r"==[^,*]+", str(requirement.specifier)), f"not an exact pin: {line}"
            pins[canonicalize_name(requirement.name)] = Version(str(requirement.specifier)[2:])
    return pins


def declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return [Requirement(r) for r in [*project["dependencies"], *project["optional-dependencies"]["test"]]]


def test_every_dependency_and_test_dependency_is_pinned_within_the_bounds_of_pyproject():
    pins = locked()
    missing = [str(r) for r in declared() if canonicalize_name(r.name) not in pins]
    outside = [(str(r), str(pins[canonicalize_name(r.name)])) for r in declared()
               if canonicalize_name(r.name) in pins and not r.specifier.contains(pins[canonicalize_name(r.name)])]
    assert not missing, f"not in requirements.lock ({FIX}): {missing}"
    assert not outside, f"pinned outside the bounds of pyproject.toml ({FIX}): {outside}"


def test_the_lock_holds_transitive_dependencies_and_the_tools_of_issue_20():
    pins = locked()
    assert {"werkzeug", "jinja2", "babel", "psycopg-binary"} <= pins.keys()  # reached only through others
    assert {"schemathesis", "axe-playwright-python"} <= pins.keys()
