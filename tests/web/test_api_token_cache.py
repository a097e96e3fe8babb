"""A worker remembers the tokens it confirmed for a second (issue 19): no statement for a known
caller, and a revocation made anywhere reaches every worker within 2 s."""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

from sqlalchemy import event

from cksloop import create_app
from cksloop.domain.lifecycle import Role
from cksloop.services import preferences, tokens
from tests.builders import make_user

ROOT = Path(__file__).resolve().parents[2]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def count_statements(app):
    seen: list[str] = []
    event.listen(app.extensions["cksloop.engine"], "before_cursor_execute",
                 lambda _c, _cur, sql, *_a: seen.append(sql))
    return seen


def a_worker(database_url: str, tmp_path: Path):
    """An app as one gunicorn worker runs it: its own engine, its own token cache."""
    return create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": uuid.uuid4().hex,
                       "BASE_URL": "https://loop.cks.example", "UPLOAD_DIR": str(tmp_path / "uploads"),
                       "BABEL_DEFAULT_LOCALE": "en"})


def test_a_confirmed_token_answers_without_a_statement(app, client, db_session, now):
    user = make_user(db_session, Role.STORE_STAFF)
    token = tokens.create_token(db_session, email=user.email, label="till", now=now)
    statements = count_statements(app)
    first = client.get("/api/v1/me", headers=bearer(token))
    assert first.status_code == 200
    assert any("api_tokens" in sql for sql in statements)
    statements.clear()
    again = client.get("/api/v1/me", headers=bearer(token))
    assert again.get_json() == first.get_json()
    assert statements == []  # the caller came from the worker's memory


def test_what_this_worker_commits_about_callers_applies_at_once(app, client, db_session, now):
    user = make_user(db_session, Role.STORE_STAFF)
    token = tokens.create_token(db_session, email=user.email, label="till", now=now)
    english = client.get("/api/v1/garments/CKS-NOPE", headers=bearer(token)).get_json()["message"]
    preferences.set_language(db_session, user_id=user.id, language="fr", languages=["nl", "fr", "en"])
    french = client.get("/api/v1/garments/CKS-NOPE", headers=bearer(token)).get_json()["message"]
    assert french != english  # the remembered caller's language was forgotten with the change
    tokens.revoke_tokens(db_session, email=user.email, now=now)
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401


def test_an_expiry_is_kept_even_by_a_remembered_token(app, client, db_session, now):
    user = make_user(db_session, Role.STORE_STAFF)
    token = tokens.create_token(db_session, email=user.email, label="till", now=now,
                                expires_at=now + dt.timedelta(minutes=5))
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    app.config["NOW"] = now + dt.timedelta(minutes=5)  # the request clock moves past the expiry
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401


def test_a_revocation_from_another_process_reaches_every_worker_within_two_seconds(
        database_url, tmp_path, db_session, now):
    user = make_user(db_session, Role.STORE_STAFF)
    token = tokens.create_token(db_session, email=user.email, label="till", now=now)
    workers = [a_worker(database_url, tmp_path), a_worker(database_url, tmp_path)]
    clients = [w.test_client() for w in workers]
    try:
        statements = [count_statements(w) for w in workers]
        for seen, c in zip(statements, clients):
            assert c.get("/api/v1/me", headers=bearer(token)).status_code == 200
            seen.clear()
            # asked again at once, within the memory's second (asked after the other worker's first
            # request, a busy machine let it lapse: CI once saw the statements)
            assert c.get("/api/v1/me", headers=bearer(token)).status_code == 200
            assert seen == []  # the worker answers from memory
        # the administrator revokes it on the command line: another process, whose commit
        # these workers do not see happen
        env = {**os.environ, "CKSLOOP_DATABASE_URL": database_url, "CKSLOOP_INSTANCE_PATH": str(tmp_path),
               "CKSLOOP_SECRET_KEY": uuid.uuid4().hex}
        done = subprocess.run([str(Path(sys.executable).parent / "cksloop"), "tokens", "revoke", "--email", user.email],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        assert "Revoked 1 token(s)" in done.stdout
        revoked_at = time.monotonic()
        refused_after: list[float] = []
        for c in clients:
            while c.get("/api/v1/me", headers=bearer(token)).status_code == 200:
                assert time.monotonic() - revoked_at < 5, "a worker still accepts the revoked token"
                time.sleep(0.05)
            refused_after.append(time.monotonic() - revoked_at)
        assert max(refused_after) <= 2.0, refused_after
        for c in clients:  # and it stays refused
            assert c.get("/api/v1/me", headers=bearer(token)).status_code == 401
    finally:
        for w in workers:
            w.extensions["cksloop.engine"].dispose()
