"""The crash script, short: gunicorn killed with SIGKILL mid-run loses no acknowledged write."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from tests import conftest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "crash_load.py"


def _crash_load():
    spec = importlib.util.spec_from_file_location("crash_load", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["crash_load"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_server_killed_mid_run_keeps_every_acknowledged_write_and_every_replay():
    figures = _crash_load().run(
        "crash", duration=16, clients=4, workers=2, max_requests=20_000, garments=120, seed=6,
        use_postgresql=conftest.test_database_kind() == "postgresql", keep=False, say=lambda *_: None,
        demo_garments=80)
    assert figures["problems"] == [], figures
    assert figures["5xx"] == 0
    assert figures["cksloop check exit"] == 0
    assert figures["lost (acknowledged, not in ledger)"] == 0
    assert figures["in ledger but never acknowledged"] == 0
    # the kill really fell in the middle of the writing
    assert figures["acknowledged writes before the kill"] > 0
    assert figures["acknowledged writes after the restart"] > 0
    assert figures["events written by the load"] == figures["acknowledged writes"]
