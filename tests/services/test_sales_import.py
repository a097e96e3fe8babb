"""`cksloop import sales`: each receipt line once, row errors listed and nothing written, labelled garments
sold through the ledger, unlabelled units counted in the rollup exactly as a rebuild counts them."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from cksloop import cli
from cksloop.db.models import Garment, GarmentEvent, PosSale
from cksloop.domain.lifecycle import Action, GarmentState, Role
from cksloop.services import imports, overstock
from cksloop.services.overstock_rollups import rebuild, sums_from_events
from tests.builders import OTHER_STORE, OUTLET, STORE, make_garment, make_user, seed_world
from tests.services.test_overstock import rollup_rows

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
HEADER = "date,store,item_code,style_number,size,quantity,price_paid_cents,receipt_id,line\n"


def _counts(session) -> tuple[int, int]:
    session.rollback()
    return (session.scalar(select(func.count()).select_from(PosSale)),
            session.scalar(select(func.count()).select_from(GarmentEvent).where(GarmentEvent.action == Action.SELL)))


def test_labelled_and_unlabelled_lines_are_counted_once_however_often_the_file_is_imported(db_session, now):
    admin = make_user(db_session, Role.ADMIN)
    garment = make_garment(db_session, now=now)  # SS25-0101 size S at the Antwerp store, 12995
    data = (HEADER + f"2026-11-24,{STORE},{garment.code.lower()},,,,9995,R-1,1\n"
            f"2026-11-24,{STORE},,SS25-0101,M,3,38985,R-1,2\n"
            f"2026-11-23,{OUTLET},,SS25-0101,L,1,6000,R-9,1\n").encode()
    first = imports.import_sales(db_session, data=data, actor=admin, now=now)
    assert first.ok and first.imported == 3 and first.skipped == 0
    db_session.refresh(garment)
    assert garment.state is GarmentState.SOLD
    sale = db_session.scalars(select(GarmentEvent).where(GarmentEvent.garment_id == garment.id,
                                                        GarmentEvent.action == Action.SELL)).one()
    assert sale.details["price_cents"] == 9995 and sale.details["receipt"] == "R-1#1"
    again = imports.import_sales(db_session, data=data, actor=admin, now=now)
    assert again.ok and again.imported == 0 and again.skipped == 3
    assert _counts(db_session) == (3, 1)
    kept = rollup_rows(db_session)
    assert kept == sums_from_events(db_session)
    assert sum(r["sold"] for r in kept.values()) == 5  # one garment, three and one unlabelled units
    (line,) = [x.as_dict() for x in overstock.review(db_session, season="SS25", as_of=now.date()).lines]
    assert line["sold_by_channel"]["store"] == 4 and line["sold_by_channel"]["outlet"] == 1
    rebuild(db_session)
    db_session.commit()
    assert rollup_rows(db_session) == kept


def test_every_bad_row_is_listed_and_nothing_is_imported(db_session, now):
    admin = make_user(db_session, Role.ADMIN)
    sold = make_garment(db_session, state=GarmentState.SOLD, now=now)
    elsewhere = make_garment(db_session, location=OTHER_STORE, now=now)
    fine = make_garment(db_session, now=now)
    data = (HEADER + f"2026-11-24,{STORE},{fine.code},,,,100,R-1,1\n"          # fine, but the file fails
            f"2026-11-24,NOWHERE,,SS25-0101,M,1,100,R-1,2\n"                    # 3 unknown store
            f"2026-11-24,{STORE},CKS-99999,,,,100,R-1,3\n"                      # 4 unknown code
            f"2026-11-24,{STORE},,NOPE-1,M,1,100,R-1,4\n"                       # 5 unknown style
            f"2026-11-24,{STORE},,SS25-0101,M,1,100,R-1,1\n"                    # 6 duplicate line
            f"2026-11-24,{STORE},,SS25-0101,M,-2,100,R-1,6\n"                   # 7 negative quantity
            f"2026-11-24,{STORE},{sold.code},,,,100,R-1,7\n"                    # 8 not sellable
            f"2026-11-24,{STORE},{elsewhere.code},,,,100,R-1,8\n"               # 9 at another store
            f"2026-11-26,{STORE},,SS25-0101,M,1,100,R-1,9\n").encode()          # 10 in the future
    before = _counts(db_session)
    report = imports.import_sales(db_session, data=data, actor=admin, now=now)
    assert [(e.row, e.column) for e in report.errors] == [
        (3, "store"), (4, "item_code"), (5, "style_number"), (6, "line"), (7, "quantity"), (8, "item_code"),
        (9, "store"), (10, "date")]
    texts = [e.render() for e in report.errors]
    assert texts[0] == "No store or outlet with code NOWHERE."
    assert texts[3] == "Receipt R-1 line 1 is already on row 2."
    assert texts[4] == "A negative number is not allowed here."
    assert texts[5] == f"{sold.code} cannot be sold: it is sold."
    assert report.imported == 0 and _counts(db_session) == before
    db_session.refresh(fine)
    assert fine.state is GarmentState.IN_STOCK


def test_the_example_sales_import_after_the_example_styles_and_garments(db_session, now):
    seed_world(db_session)
    admin = make_user(db_session, Role.ADMIN)
    assert imports.import_styles(db_session, data=(EXAMPLES / "styles.csv").read_bytes()).ok
    assert imports.import_garments(db_session, data=(EXAMPLES / "garments.csv").read_bytes(), actor=admin,
                                   now=now).ok
    report = imports.import_sales(db_session, data=(EXAMPLES / "sales.csv").read_bytes(), actor=admin, now=now)
    assert report.ok and report.imported == 4, [e.render() for e in report.errors]
    assert db_session.scalar(select(Garment.state).where(Garment.code == "CKS-A26002")) is GarmentState.SOLD


def test_the_command_line_dry_run_writes_nothing_and_the_import_skips_lines_seen(runner, db_session, now, tmp_path):
    make_user(db_session, Role.ADMIN)
    path = tmp_path / "sales.csv"
    path.write_text(HEADER + f"2026-11-24,{STORE},,SS25-0101,M,2,100,R-5,1\n")
    dry = runner.invoke(cli.main, ["import", "sales", str(path), "--dry-run"])
    assert dry.exit_code == 0 and "nothing was written" in dry.output and _counts(db_session)[0] == 0
    done = runner.invoke(cli.main, ["import", "sales", str(path)])
    assert done.exit_code == 0 and "Imported 1 sale from" in done.output
    twice = runner.invoke(cli.main, ["import", "sales", str(path)])
    assert twice.exit_code == 0 and "Skipped 1 line(s) imported before." in twice.output
    assert _counts(db_session)[0] == 1
