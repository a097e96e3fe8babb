"""The README's run command works in a fresh clone: set-up, first start with its password, sign-in.

Clones the committed HEAD into a temporary folder and runs ``scripts/run`` there exactly as a
newcomer would (its own .venv, the SQLite default under CKSLOOP_INSTANCE_PATH), waits for the
server, signs in with the admin password the first start printed, then starts it a second time
to show the command is safe to repeat. pip reuses the machine's download cache. Marked
``fresh_clone``: scripts/test runs it once, with the SQLite pass (it does not use the test database).
"""
from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FIRST_START_TIMEOUT = 300  # seconds: a new .venv and pip install on a busy two-core machine
RESTART_TIMEOUT = 90

pytestmark = pytest.mark.fresh_clone


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _newcomer_env(instance: Path, port: int) -> dict[str, str]:
    """The environment of a person in a new shell: no test settings, no activated virtualenv."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("CKSLOOP_", "PYTEST", "VIRTUAL_ENV", "FLASK_"))}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if "/.venv/" not in p + "/")
    env.update(CKSLOOP_INSTANCE_PATH=str(instance), PORT=str(port), PYTHONUNBUFFERED="1")
    return env


class Started:
    """``scripts/run`` running in its own process group, its output in a log file."""

    def __init__(self, clone: Path, env: dict[str, str], log: Path):
        self.log = log
        self.handle = log.open("wb")
        self.process = subprocess.Popen(["scripts/run"], cwd=clone, env=env, stdin=subprocess.DEVNULL,
                                        stdout=self.handle, stderr=subprocess.STDOUT, start_new_session=True)

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for(self, url: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"scripts/run exited with {self.process.returncode}:\n{self.output()[-4000:]}")
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(1)
        pytest.fail(f"{url} did not answer within {timeout:.0f} s:\n{self.output()[-4000:]}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=20)
        self.handle.close()


def _sign_in(base: str, email: str, password: str) -> str:
    """Sign in like a browser; the home page's HTML."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    page = opener.open(f"{base}/login", timeout=30).read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"email": email, "password": password, "csrf_token": token}).encode()
    with opener.open(f"{base}/login", data=form, timeout=30) as response:
        assert urllib.parse.urlsplit(response.url).path == "/", "sign-in did not lead to the home page"
        return response.read().decode()


def test_readme_run_command_works_in_a_fresh_clone(tmp_path):
    clone = tmp_path / "cksloop"
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(clone)], check=True, timeout=120)
    readme = (clone / "README.md").read_text()
    assert "scripts/run" in readme and "scripts/test" in readme, "the README must name both commands"
    port = _free_port()
    env = _newcomer_env(tmp_path / "instance", port)
    base = f"http://127.0.0.1:{port}"

    first = Started(clone, env, tmp_path / "first-start.log")
    try:
        first.wait_for(f"{base}/login", FIRST_START_TIMEOUT)
        output = first.output()
        admin = re.search(r"^\|\s+(\S+@\S+)\s+admin\s+(\S+)\s+\|$", output, re.MULTILINE)
        assert admin, f"no admin password printed on first start:\n{output[-4000:]}"
        home = _sign_in(base, admin.group(1), admin.group(2))
        assert "logout" in home.lower() or "sign out" in home.lower()
    finally:
        first.stop()
    assert (tmp_path / "instance" / "cksloop.sqlite3").exists(), "the database is not under the instance folder"
    assert not (clone / "instance" / "cksloop.sqlite3").exists()

    again = Started(clone, env, tmp_path / "second-start.log")
    try:
        again.wait_for(f"{base}/login", RESTART_TIMEOUT)
        output = again.output()
        assert "no demo data added" in output
        assert admin.group(2) not in output, "a password was printed a second time"
    finally:
        again.stop()
