"""Configuration: defaults → instance/config.py → CKSLOOP_* environment → test config."""
from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

ENV_KEYS = {
    "CKSLOOP_DATABASE_URL": "DATABASE_URL",
    "CKSLOOP_BASE_URL": "BASE_URL",
    "CKSLOOP_SECRET_KEY": "SECRET_KEY",
    "CKSLOOP_UPLOAD_DIR": "UPLOAD_DIR",
}


def defaults(instance_path: str) -> dict[str, Any]:
    return {
        "DATABASE_URL": f"sqlite:///{Path(instance_path) / 'cksloop.sqlite3'}",
        "BASE_URL": default_base_url(),
        "UPLOAD_DIR": str(Path(instance_path) / "uploads"),  # outside static/: never served as-is
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": False,  # set True behind HTTPS (see README, production)
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "PERMANENT_SESSION_LIFETIME": 12 * 3600,  # one shop day
        "MAX_CONTENT_LENGTH": 8 * 1024 * 1024,
        "WTF_CSRF_TIME_LIMIT": None,  # a form left open at the counter still submits
        "BABEL_DEFAULT_LOCALE": "nl",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Brussels",
        "LANGUAGES": ["nl", "fr", "en"],
        # wrong API tokens one address may send in the window before it must wait (a shop behind one
        # NAT address shares it; a valid token is never paused)
        "THROTTLE_PER_ADDRESS": 20,
        # reverse proxies in front of the app; their X-Forwarded-For gives the client's address,
        # which the sign-in throttle counts per address (0: no proxy, trust no such header)
        "PROXY_HOPS": 0,
        # absolute, so the catalogs are found whatever the app's root_path or working directory
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).resolve().parent / "translations"),
    }


def default_base_url() -> str:
    """Without CKSLOOP_BASE_URL, labels and sign-in links point where scripts/run starts the
    app: 127.0.0.1 on $PORT (5000 when unset), so `PORT=8080 scripts/run` prints port 8080."""
    port = os.environ.get("PORT", "")
    return f"http://127.0.0.1:{int(port) if port.isdecimal() and 0 < int(port) < 65536 else 5000}"


def secret_key_from_instance(instance_path: str) -> str:
    """A random key generated once and kept in instance/ (never committed)."""
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def from_environment() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for env, key in ENV_KEYS.items():
        if os.environ.get(env):
            out[key] = os.environ[env]
    hops = os.environ.get("CKSLOOP_PROXY_HOPS", "")
    if hops.isdecimal() and 0 < int(hops) < 10:
        out["PROXY_HOPS"] = int(hops)
    if os.environ.get("CKSLOOP_SECURE_COOKIES", "").lower() in {"1", "true", "yes"}:
        out["SESSION_COOKIE_SECURE"] = True
        out["REMEMBER_COOKIE_SECURE"] = True
    return out
