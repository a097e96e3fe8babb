"""The README's run command works in a fresh clone: set-up, first start with its password, sign-in.

Clones the committed HEAD into a temporary folder and runs ``scripts/run`` there exactly as a
newcomer would (its own .venv, the SQLite default under CKSLOOP_INSTANCE_PATH), waits for the
server, signs in with the admin password the first start printed, then starts it a second time
to show the command is safe to repeat. pip starts with an empty cache of its own, so every
package of requirements.lock is fetched from the index as on a new machine: a release the index
changes or withdraws fails this test the day it happens. Marked ``fresh_clone``: scripts/test runs
it once, with the SQLite pass (it does not use the test database).
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
FIRST_START_TIMEOUT = 600  # seconds: a new .venv and a pip install with nothing cached, on a busy two-core machine
RESTART_TIMEOUT = 90

pytestmark = pytest.mark.fresh_clone


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _newcomer_env(instance: Path, port: int, pip_cache: Path) -> dict[str, str]:
    """The environment of a person in a new shell on a new machine: no test settings, no activated
    virtualenv, an empty pip cache, and no local wheel folders or extra indexes from this machine's
    pip configuration, so every package comes from the package index as it is today."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("CKSLOOP_", "PYTEST", "VIRTUAL_ENV", "FLASK_", "PIP_NO_CACHE", "PIP_FIND_LINKS",
                                "PIP_EXTRA_INDEX_URL", "PIP_CONSTRAINT"))}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if "/.venv/" not in p + "/")
    env.update(CKSLOOP_INSTANCE_PATH=str(instance), PORT=str(port), PYTHONUNBUFFERED="1",
               PIP_CACHE_DIR=str(pip_cache), PIP_CONFIG_FILE=os.devnull)
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


def _pinned(lock: Path) -> dict[str, str]:
    """name → version of every line of requirements.lock that applies on this machine (Linux, CPython)."""
    pins = {}
    for line in lock.read_text().splitlines():
        match = re.match(r"([A-Za-z0-9._-]+)==(\S+)\s*(?:;\s*([^#]+))?", line)
        if match and "win32" not in (match.group(3) or ""):
            pins[re.sub(r"[-_.]+", "-", match.group(1)).lower()] = match.group(2)
    return pins


def _installed(venv_python: Path) -> dict[str, str]:
    listing = subprocess.run([str(venv_python), "-m", "pip", "list", "--format=freeze", "--disable-pip-version-check"],
                             capture_output=True, text=True, check=True, timeout=120).stdout
    return {re.sub(r"[-_.]+", "-", name).lower(): version
            for name, _, version in (line.partition("==") for line in listing.split())}


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
    assert not (clone / ".venv").exists() and not list(clone.glob("cksloop/translations/*/LC_MESSAGES/*.mo"))
    port = _free_port()
    pip_cache = tmp_path / "pip-cache"  # empty: nothing downloaded before counts
    pip_cache.mkdir()
    env = _newcomer_env(tmp_path / "instance", port, pip_cache)
    base = f"http://127.0.0.1:{port}"

    started = time.monotonic()
    first = Started(clone, env, tmp_path / "first-start.log")
    try:
        first.wait_for(f"{base}/login", FIRST_START_TIMEOUT)
        print(f"fresh clone: first start answered after {time.monotonic() - started:.0f} s")
        installed = _installed(clone / ".venv" / "bin" / "python")
        pins = _pinned(clone / "requirements.lock")
        assert {"flask", "sqlalchemy", "babel", "alembic", "psycopg", "reportlab"} <= installed.keys()
        unpinned = {name: (version, pins[name]) for name, version in installed.items()
                    if name in pins and version != pins[name]}
        assert not unpinned, f"scripts/run installed other versions than requirements.lock: {unpinned}"
        dutch = urllib.request.Request(f"{base}/login", headers={"Accept-Language": "nl"})
        with urllib.request.urlopen(dutch, timeout=30) as response:
            assert "Wachtwoord" in response.read().decode(), "the Dutch catalogue was not compiled at install"
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
