"""Schemathesis, from outside, against a real server: every operation of the OpenAPI document, with
every check (stateful links included), as an admin and as store staff; any finding fails the suite.

Bounded so it fits a CI run on two cores: a fixed seed and a fixed number of examples per
operation, so the same requests are sent every time. Run it alone with
``.venv/bin/pytest tests/web/test_schemathesis.py -q`` (README: "The fuzzer alone").
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cksloop.domain.lifecycle import GarmentState, Role
from cksloop.services import tokens
from tests.builders import make_garment, make_user

SEED = 20261204
EXAMPLES = int(os.environ.get("CKSLOOP_FUZZ_EXAMPLES", "15"))
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
CONFIG = Path(__file__).with_name("schemathesis.toml")


def _garments(session, now) -> None:
    """A few garments in the states the actions start from, so stateful runs find real flows."""
    for state in (GarmentState.IN_STOCK, GarmentState.IN_STOCK, GarmentState.IN_RENTAL_POOL,
                  GarmentState.RENTED_OUT, GarmentState.AWAITING_INSPECTION):
        make_garment(session, state=state, now=now)


@pytest.mark.parametrize("role", [Role.ADMIN, Role.STORE_STAFF])
def test_schemathesis_finds_nothing_wrong_with_the_api(app, db_session, world, now, live_server, tmp_path,
                                                     role):
    _garments(db_session, now)
    # the fuzzer sends wrong tokens from one address on purpose, for every operation; with the
    # production budget the pause (429) would answer its later probes instead of the 401 they test
    # (the pause itself is tested in test_lockout_per_address.py)
    app.config["THROTTLE_PER_ADDRESS"] = 10_000
    user = make_user(db_session, role)
    token = tokens.create_token(db_session, email=user.email, label="fuzzer", now=now)
    db_session.commit()
    report = tmp_path / "schemathesis.xml"
    run = subprocess.run(
        [str(SCHEMATHESIS), "--config-file", str(CONFIG), "run", f"{live_server}/api/v1/openapi.json", "--url", live_server,
         "--header", f"Authorization: Bearer {token}",
         "--checks", "all", "--phases", "examples,coverage,fuzzing,stateful",
         "--max-examples", str(EXAMPLES), "--seed", str(SEED), "--workers", "1",
         "--no-color", "--output-truncate", "true", "--suppress-health-check", "all",
         "--report", "junit", "--report-junit-path", str(report)],
        # in tmp_path: Schemathesis keeps a cache of its findings in the working directory
        capture_output=True, text=True, timeout=600, env={**os.environ, "NO_COLOR": "1"}, check=False,
        cwd=tmp_path)
    assert run.returncode == 0, run.stdout[-20000:] + run.stderr[-5000:]
