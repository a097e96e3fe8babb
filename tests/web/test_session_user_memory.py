"""A worker remembers the signed-in users it loaded for a second (issue 19): a page does not read its
reader's row again, and what changes who a session is (a deactivation, a sign-out everywhere, a
new role or language) reaches this worker at once and every other worker within 2 s."""
from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

from sqlalchemy.orm import object_session

from cksloop.db.models import User
from cksloop.domain.lifecycle import Role
from cksloop.services import accounts, preferences
from tests.builders import make_user
from tests.conftest import csrf_from, sign_in
from tests.web.test_api_token_cache import ROOT, a_worker, count_statements


def reads_users(statements: list[str]) -> bool:
    return any("FROM users" in sql for sql in statements)


def test_a_page_after_the_first_does_not_read_its_reader(app, login):
    staff = login(Role.STORE_STAFF)
    statements = count_statements(app)
    assert staff.get("/scan").status_code == 200
    statements.clear()
    again = staff.get("/scan")
    assert again.status_code == 200
    assert staff.user.name in again.get_data(as_text=True)  # the top bar still names the reader
    assert not reads_users(statements)


def test_the_remembered_copy_never_joins_a_request_session(app, login, db_session):
    staff = login(Role.STORE_STAFF)
    for _ in range(2):
        assert staff.get("/scan").status_code == 200
    with app.app_context():
        kept = app.extensions["cksloop.memory"].session_users.rows._rows[staff.user.id][0]
    assert object_session(kept) is None
    assert kept.home_location is not None and object_session(kept.home_location) is None
    assert kept.home_location.code == staff.user.home_location.code


def test_what_this_worker_commits_about_a_user_applies_at_once(app, login, db_session, now):
    staff = login(Role.STORE_STAFF)
    assert staff.get("/scan").status_code == 200  # remembered now
    preferences.set_language(db_session, user_id=staff.user.id, language="nl", languages=["nl", "fr", "en"])
    assert 'lang="nl"' in staff.get("/scan").get_data(as_text=True)
    accounts.deactivate_user(db_session, email=staff.user.email, now=now)
    refused = staff.get("/scan")
    assert refused.status_code == 302 and "/login" in refused.headers["Location"]


def test_a_page_can_change_its_own_reader(app, login, db_session):
    """The reader comes from memory and is still the session's own row: the language switch saves it."""
    staff = login(Role.STORE_STAFF)
    assert staff.get("/scan").status_code == 200
    assert staff.get("/scan").status_code == 200  # now from memory
    token = csrf_from(staff.get("/scan").get_data(as_text=True))
    switched = staff.post("/language/fr", data={"next": "/scan", "csrf_token": token})
    assert switched.status_code in (302, 303), switched.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(User, staff.user.id).language == "fr"
    assert 'lang="fr"' in staff.get("/scan").get_data(as_text=True)


def test_a_deactivation_from_another_process_reaches_every_worker_within_two_seconds(
        database_url, tmp_path, db_session, now):
    user = make_user(db_session, Role.STORE_STAFF)
    workers = [a_worker(database_url, tmp_path), a_worker(database_url, tmp_path)]
    clients = [w.test_client() for w in workers]
    try:
        for c in clients:
            assert sign_in(c, user.email).status_code == 302
        statements = [count_statements(w) for w in workers]
        for seen, c in zip(statements, clients):
            assert c.get("/scan").status_code == 200
            seen.clear()
            assert c.get("/scan").status_code == 200
            assert not reads_users(seen)  # the worker answers from memory
        env = {**os.environ, "CKSLOOP_DATABASE_URL": database_url, "CKSLOOP_INSTANCE_PATH": str(tmp_path),
               "CKSLOOP_SECRET_KEY": uuid.uuid4().hex}
        done = subprocess.run([str(Path(sys.executable).parent / "cksloop"), "users", "deactivate", "--email", user.email],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        deactivated_at = time.monotonic()
        refused_after: list[float] = []
        for c in clients:
            while c.get("/scan").status_code == 200:
                assert time.monotonic() - deactivated_at < 5, "a worker still serves the deactivated user"
                time.sleep(0.05)
            refused_after.append(time.monotonic() - deactivated_at)
        assert max(refused_after) <= 2.0, refused_after
        for c in clients:  # and stays signed out
            assert c.get("/scan").status_code == 302
    finally:
        for w in workers:
            w.extensions["cksloop.engine"].dispose()
