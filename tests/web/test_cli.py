"""The ``cksloop`` command line: demo data and first start, users, tokens and CSV import."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from cksloop import cli, create_app
from cksloop.db.models import Garment, GarmentEvent, Style, User
from cksloop.services import accounts, tokens
from tests.builders import PASSWORD, make_user

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
#: a line of the password box: "|  email  role  password  |"
BOX_LINE = re.compile(r"^\|\s+(\S+@cks\.example)\s+(\w+)\s+(\S+)\s+\|$", re.MULTILINE)


def run(runner, *args: str, input: str | None = None):
    return runner.invoke(cli.main, list(args), input=input)


def count(db_session, model) -> int:
    db_session.rollback()  # see what the command committed
    return db_session.scalar(select(func.count()).select_from(model))


# --- demo data and first start ----------------------------------------------------------------


def test_demo_data_fills_an_empty_database_and_prints_each_new_password_once_in_a_box(runner, db_session):
    result = run(runner, "demo-data", "--garments", "20", "--seed", "3")

    assert result.exit_code == 0, result.output
    printed = {email: (role, password) for email, role, password in BOX_LINE.findall(result.output)}
    assert set(printed) == {"admin@cks.example", "merchandiser@cks.example", "store@cks.example",
                            "workshop@cks.example"}
    assert "shown ONLY NOW" in result.output
    # the 20 planned garments, plus the overstock collection, a year of discards and the remanufactured
    # blazers the demo adds for issues 13-15
    assert count(db_session, Garment) == 20 + _demo_extras(db_session)
    for email, (_role, password) in printed.items():
        assert accounts.authenticate(db_session, email=email, password=password) is not None


def test_demo_data_if_empty_does_nothing_the_second_time_and_prints_no_password(runner, db_session):
    first = run(runner, "demo-data", "--if-empty", "--garments", "16")
    garments_after_first = count(db_session, Garment)
    events_after_first = count(db_session, GarmentEvent)

    again = run(runner, "demo-data", "--if-empty")

    assert first.exit_code == again.exit_code == 0, again.output
    assert len(BOX_LINE.findall(first.output)) == 4
    assert "no demo data added" in again.output
    assert BOX_LINE.findall(again.output) == []
    assert (count(db_session, Garment), count(db_session, GarmentEvent)) == (garments_after_first,
                                                                               events_after_first)


def test_demo_data_refuses_a_database_that_already_holds_garments(runner, db_session):
    run(runner, "demo-data", "--garments", "16")
    before = count(db_session, Garment)

    result = run(runner, "demo-data", "--garments", "16")

    assert result.exit_code == 1
    assert f"already holds {before} garments" in result.output
    assert count(db_session, Garment) == before


def test_demo_data_keeps_the_password_of_a_user_that_already_exists(runner, db_session):
    make_user(db_session, "admin", email="admin@cks.example", home_location=None)

    result = run(runner, "demo-data", "--garments", "16")

    assert result.exit_code == 0, result.output
    assert "admin@cks.example already existed: password unchanged" in result.output
    assert "admin@cks.example" not in {email for email, _, _ in BOX_LINE.findall(result.output)}
    assert accounts.authenticate(db_session, email="admin@cks.example", password=PASSWORD) is not None


def test_demo_data_on_a_database_without_tables_says_to_upgrade_first(tmp_path):
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
                      "SECRET_KEY": "x"})

    result = app.test_cli_runner().invoke(cli.main, ["demo-data", "--if-empty"])

    assert result.exit_code == 1
    assert "run `cksloop db upgrade` first" in result.output
    assert isinstance(result.exception, SystemExit)
    app.extensions["cksloop.engine"].dispose()


def test_demo_data_rejects_a_garment_count_too_small_to_show_every_state(runner):
    result = run(runner, "demo-data", "--garments", "3")

    assert result.exit_code == 2
    assert "--garments" in result.output


def _cksloop(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", "from cksloop.cli import main; main()", *args], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=300)


def test_first_start_in_a_fresh_instance_folder_prints_the_admin_password_once(tmp_path, database_url):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CKSLOOP_")}
    env["CKSLOOP_INSTANCE_PATH"] = str(tmp_path / "instance")
    if not database_url.startswith("sqlite"):
        env["CKSLOOP_DATABASE_URL"] = database_url  # on SQLite the default under instance/ is used
    steps = [["db", "upgrade"], ["demo-data", "--if-empty", "--garments", "16"]]

    first = [_cksloop(step, env) for step in steps]
    second = [_cksloop(step, env) for step in steps]

    for done in first + second:
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr
    assert [email for email, _, _ in BOX_LINE.findall(first[1].stdout)].count("admin@cks.example") == 1
    assert "no demo data added" in second[1].stdout and BOX_LINE.findall(second[1].stdout) == []
    assert (tmp_path / "instance" / "secret_key").exists()
    if database_url.startswith("sqlite"):
        assert (tmp_path / "instance" / "cksloop.sqlite3").exists()


# --- users and tokens -----------------------------------------------------------------------


def test_users_list_shows_email_role_and_home_location(runner, db_session):
    make_user(db_session, "store_staff", email="lotte@cks.example", home_location="GENT-VELD")
    make_user(db_session, "admin", email="boss@cks.example", home_location=None)

    result = run(runner, "users", "list")

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["email", "role", "home", "location"]
    assert re.search(r"^lotte@cks\.example\s+store_staff\s+GENT-VELD \(CKS Gent Veldstraat\)$", result.output,
                     re.MULTILINE)
    assert re.search(r"^boss@cks\.example\s+admin\s+-$", result.output, re.MULTILINE)


def test_users_list_on_an_empty_database_says_how_to_start(runner):
    result = run(runner, "users", "list")

    assert result.exit_code == 0
    assert "No users yet" in result.output


def test_users_create_takes_a_home_location_and_a_password_from_standard_input(runner, db_session, world):
    result = run(runner, "users", "create", "--email", "Jan@CKS.example", "--role", "store_staff",
                 "--location", "GENT-VELD", "--password-stdin", input="a long enough secret\n")

    assert result.exit_code == 0, result.output
    db_session.rollback()  # end the read snapshot taken before the command wrote
    user = db_session.scalar(select(User).where(User.email == "jan@cks.example"))
    assert (user.role.value, user.home_location.code) == ("store_staff", "GENT-VELD")
    assert accounts.authenticate(db_session, email="jan@cks.example", password="a long enough secret")


@pytest.mark.parametrize("email, extra, stdin, message", [
    ("new@cks.example", ["--location", "NOWHERE"], "a long enough secret\n", "home_location: No such location"),
    ("new@cks.example", [], "short\n", "at least 10 characters"),
    ("not-an-email", [], "a long enough secret\n", "Not a valid email"),
])
def test_users_create_with_bad_details_explains_and_creates_nobody(runner, db_session, world, email, extra,
                                                                   stdin, message):
    result = run(runner, "users", "create", "--email", email, "--role", "merchandiser", *extra,
                 "--password-stdin", input=stdin)

    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    assert count(db_session, User) == 0


def test_tokens_create_prints_a_new_working_token_each_time(runner, db_session):
    user = make_user(db_session, "merchandiser")

    first = run(runner, "tokens", "create", "--email", user.email, "--label", "Dressr")
    second = run(runner, "tokens", "create", "--email", user.email)

    assert first.exit_code == second.exit_code == 0
    printed = [first.output.strip(), second.output.strip()]
    db_session.rollback()
    assert printed[0] != printed[1]
    assert all(tokens.user_for_token(db_session, t).id == user.id for t in printed)


def test_tokens_revoke_stops_the_revoked_tokens_and_keeps_the_others(runner, db_session):
    user = make_user(db_session, "merchandiser")
    dressr = run(runner, "tokens", "create", "--email", user.email, "--label", "Dressr").output.strip()
    till = run(runner, "tokens", "create", "--email", user.email, "--label", "till").output.strip()

    result = run(runner, "tokens", "revoke", "--email", user.email, "--label", "Dressr")

    assert result.exit_code == 0
    assert "Revoked 1 token(s)" in result.output
    db_session.rollback()
    assert tokens.user_for_token(db_session, dressr) is None
    assert tokens.user_for_token(db_session, till).id == user.id


def test_tokens_create_for_an_unknown_email_says_so(runner, db_session):
    result = run(runner, "tokens", "create", "--email", "ghost@cks.example")

    assert result.exit_code == 1
    assert "No user with email ghost@cks.example" in result.output


# --- CSV import -----------------------------------------------------------------------------


@pytest.fixture
def admin(db_session, world):
    return make_user(db_session, "admin", home_location=None)


def test_import_of_the_example_files_adds_the_styles_then_receives_the_garments(runner, db_session, admin):
    styles = run(runner, "import", "styles", str(EXAMPLES / "styles.csv"))
    garments = run(runner, "import", "garments", str(EXAMPLES / "garments.csv"))

    assert styles.exit_code == 0, styles.output
    assert "Imported 3 styles" in styles.output
    assert garments.exit_code == 0, garments.output
    assert "Imported 5 garments" in garments.output
    assert count(db_session, Garment) == 5
    receivers = set(db_session.scalars(select(GarmentEvent.actor_id)))
    assert receivers == {admin.id}


def test_import_dry_run_checks_the_file_and_writes_nothing(runner, db_session, admin):
    before = count(db_session, Style)

    result = run(runner, "import", "styles", str(EXAMPLES / "styles.csv"), "--dry-run")

    assert result.exit_code == 0, result.output
    assert "Dry run: all 3 styles" in result.output and "nothing was written" in result.output
    assert count(db_session, Style) == before


def test_import_with_bad_rows_prints_row_column_and_reason_and_imports_nothing(runner, db_session, admin, tmp_path):
    path = tmp_path / "garments.csv"
    path.write_text("code,style_number,size,location,price\n,SS25-0101,S,ANT-MEIR,\n"
                    ",SS25-0101,XXL,ANT-MEIR,\n,NOPE,S,NOWHERE,12.50\n", encoding="utf-8")

    result = run(runner, "import", "garments", str(path))

    assert result.exit_code == 1
    assert "nothing was imported" in result.stderr
    assert "row 3, column size: SS25-0101 has no size XXL" in result.stderr
    assert "row 4, column style_number: No style with number NOPE" in result.stderr
    assert "row 4, column location: No location with code NOWHERE" in result.stderr
    assert count(db_session, Garment) == 0


@pytest.mark.parametrize("content", [b"", b"\x00\x01\x02\xff\xfe binary", b"just,some,words\n"])
def test_import_of_a_hostile_file_fails_cleanly(runner, db_session, admin, tmp_path, content):
    path = tmp_path / "hostile.csv"
    path.write_bytes(content)

    result = run(runner, "import", "garments", str(path))

    assert result.exit_code == 1
    assert "nothing was imported" in result.stderr
    assert isinstance(result.exception, SystemExit)
    assert count(db_session, Garment) == 0


def test_import_of_a_missing_file_is_a_usage_error(runner, tmp_path):
    result = run(runner, "import", "styles", str(tmp_path / "missing.csv"))

    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_import_garments_records_the_named_receiver(runner, db_session, world):
    store = make_user(db_session, "store_staff")
    path = EXAMPLES / "garments.csv"
    run(runner, "import", "styles", str(EXAMPLES / "styles.csv"))

    result = run(runner, "import", "garments", str(path), "--by", store.email)

    assert result.exit_code == 0, result.output
    assert count(db_session, Garment) == 5
    assert set(db_session.scalars(select(GarmentEvent.actor_id))) == {store.id}


def test_import_garments_without_any_admin_asks_for_one_or_a_receiver(runner, db_session, world):
    result = run(runner, "import", "garments", str(EXAMPLES / "garments.csv"))

    assert result.exit_code == 1
    assert "no admin yet" in result.output


def _demo_extras(session) -> int:
    from cksloop.db.models import RemanufacturedGarment
    from cksloop.demo.buyer_proof import DISCARDS
    from cksloop.demo.overstock import plan_overstock
    from tests.conftest import FIXED_NOW

    blazers = session.scalar(select(func.count()).select_from(RemanufacturedGarment)) or 0
    return len(plan_overstock(FIXED_NOW).units) + len(DISCARDS) + blazers
