"""`cksloop import plans`: every row checked, errors by row and column, nothing written on any error; the example file imports."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from cksloop import cli
from cksloop.db.models import Style, StylePlan
from cksloop.services import imports
from tests.builders import seed_world

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def plans(db_session) -> dict[str, tuple[int, int]]:
    db_session.rollback()
    return {n: (p, s) for n, p, s in db_session.execute(
        select(Style.style_number, StylePlan.planned_units, StylePlan.short_term_pct)
        .join(Style, Style.id == StylePlan.style_id))}


def test_the_example_plans_import_after_the_example_styles(db_session, now):
    seed_world(db_session)
    assert imports.import_styles(db_session, data=(EXAMPLES / "styles.csv").read_bytes()).ok
    report = imports.import_plans(db_session, data=(EXAMPLES / "plans.csv").read_bytes(), now=now)
    assert report.ok and report.imported == 3
    assert plans(db_session) == {"AW26-4001": (240, 30), "AW26-4002": (180, 20), "AW26-4003": (300, 0)}


def test_a_second_import_revises_a_plan(db_session, now, world):
    imports.import_plans(db_session, data=b"style_number,planned_units\nSS25-0101,100\n", now=now)
    imports.import_plans(db_session, data=b"style_number,planned_units,short_term_pct\nss25-0101,80,25\n", now=now)
    assert plans(db_session) == {"SS25-0101": (80, 25)}


def test_bad_rows_are_listed_by_row_and_column_and_nothing_is_imported(db_session, now, world):
    data = ("style_number,planned_units,short_term_pct\n"
            "SS25-0101,120,10\n"
            "NOPE-1,10,0\n"
            "AW25-0202,-5,0\n"
            "AW25-0202,5,101\n"
            "SS25-0101,7,0\n").encode()
    report = imports.import_plans(db_session, data=data, now=now)
    assert [(e.row, e.column) for e in report.errors] == [
        (3, "style_number"), (4, "planned_units"), (5, "short_term_pct"), (6, "style_number")]
    assert report.errors[0].render() == "No style has number NOPE-1."
    assert report.errors[3].render() == "The style number SS25-0101 is already on row 2."
    assert report.imported == 0 and plans(db_session) == {}


def test_the_command_line_dry_run_checks_and_writes_nothing(runner, db_session, world, tmp_path):
    path = tmp_path / "plans.csv"
    path.write_text("style_number,planned_units\nSS25-0101,50\n")
    dry = runner.invoke(cli.main, ["import", "plans", str(path), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "nothing was written" in dry.output and plans(db_session) == {}
    done = runner.invoke(cli.main, ["import", "plans", str(path)])
    assert done.exit_code == 0 and "Imported 1 plan from" in done.output
    assert plans(db_session) == {"SS25-0101": (50, 0)}


def test_the_command_line_lists_each_bad_row_and_fails(runner, db_session, world, tmp_path):
    path = tmp_path / "plans.csv"
    path.write_text("style_number,planned_units\nSS25-0101,many\n")
    result = runner.invoke(cli.main, ["import", "plans", str(path)])
    assert result.exit_code == 1
    assert "row 2, column planned_units: “many” is not a whole number of units from 0 to 1000000." in result.output
    assert plans(db_session) == {}
