"""First start on a new machine: the steps say what they did, links follow the port it runs on."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from cksloop import create_app

ROOT = Path(__file__).resolve().parents[2]
MIGRATIONS = len(list((ROOT / "migrations" / "versions").glob("[0-9]*.py")))


def _cksloop(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", "from cksloop.cli import main; main()", *args], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=300)


def test_a_new_database_is_reported_as_created_with_its_migrations_and_an_upgraded_one_as_up_to_date(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CKSLOOP_") and k != "PORT"}
    env["CKSLOOP_INSTANCE_PATH"] = str(tmp_path / "instance")

    first = _cksloop(["db", "upgrade"], env)
    again = _cksloop(["db", "upgrade"], env)

    assert first.returncode == 0 and again.returncode == 0, first.stderr + again.stderr
    database = tmp_path / "instance" / "cksloop.sqlite3"
    assert f"Created the database at {database} and applied {MIGRATIONS} migrations." in first.stdout
    assert "Database is up to date." not in first.stdout
    assert again.stdout.strip() == "Database is up to date."


def test_without_a_base_url_links_follow_the_port_the_app_is_started_on(tmp_path, monkeypatch):
    monkeypatch.delenv("CKSLOOP_BASE_URL", raising=False)
    monkeypatch.setenv("PORT", "8080")
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": f"sqlite:///{tmp_path / 'a.sqlite3'}"})
    assert app.config["BASE_URL"] == "http://127.0.0.1:8080"
    monkeypatch.setenv("CKSLOOP_BASE_URL", "https://loop.cks.example/")
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": f"sqlite:///{tmp_path / 'b.sqlite3'}"})
    assert app.config["BASE_URL"] == "https://loop.cks.example"  # an explicit base URL wins


def test_scripts_run_passes_its_port_to_every_step() -> None:
    script = (ROOT / "scripts" / "run").read_text()
    assert 'export PORT="${PORT:-5000}"' in script
    assert script.index("export PORT") < script.index("cksloop demo-data")
