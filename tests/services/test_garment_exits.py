"""Garments leaving the loop unsold are kept as exits with the event (migration 0023): the rows must equal
the ledger, the migration must fill the past as the projection would have, and the charter's unsold
figures read from them must equal the lists they drill into."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cksloop.db.models import GarmentExit
from cksloop.domain.clock import utc
from cksloop.domain.lifecycle import Action, GarmentState, Role
from cksloop.domain.offcut_figures import Period
from cksloop.services import charter, discard_evidence, garment_exits, garments, workshop_figures
from tests.builders import make_garment, make_user, migrated_again
from tests.proof_files import png_bytes

NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)
LAST_YEAR = dt.datetime(2025, 6, 1, 9, 0, tzinfo=dt.UTC)


def _exits(s: Session) -> list[tuple[Any, ...]]:
    return [(r.event_id, r.garment_id, r.action, r.to_state, utc(r.occurred_at), r.location_id, r.route, r.ground)
            for r in s.scalars(select(GarmentExit).order_by(GarmentExit.event_id))]


def _story(s: Session, world: dict[str, Any], tmp_path: Path) -> dict[str, str]:
    """Every way out: the retire action by each route (recycling on a ground, with its evidence), an
    inspection graded E that names its route, a write-off, and a retirement the year before."""
    merch = make_user(s, Role.MERCHANDISER)
    evidence = discard_evidence.keep(s, filename="photo.png", raw=png_bytes(), upload_dir=str(tmp_path),
                                     actor=merch, now=NOW).id
    codes = {name: make_garment(s, style=world["dress"]).code for name in ("cut", "blazer", "recycled", "lost")}
    codes["graded"] = make_garment(s, state=GarmentState.AWAITING_INSPECTION).code
    codes["old"] = make_garment(s, now=LAST_YEAR).code
    garments.act(s, code=codes["cut"], action=Action.RETIRE, details={"route": "offcuts"}, actor=merch, now=NOW)
    garments.act(s, code=codes["blazer"], action=Action.RETIRE, details={"route": "remanufacturing"},
                 actor=merch, now=NOW)
    garments.act(s, code=codes["recycled"], action=Action.RETIRE, actor=merch, now=NOW,
                 details={"route": "recycling", "ground": "f_damaged_beyond_repair", "evidence": evidence})
    garments.act(s, code=codes["lost"], action=Action.WRITE_OFF, details={"reason": "stolen"}, actor=merch, now=NOW)
    garments.act(s, code=codes["graded"], action=Action.INSPECT, actor=merch, now=NOW,
                 details={"grade": "E", "retire_route": "offcuts", "note": "torn beyond repair"})
    garments.act(s, code=codes["old"], action=Action.RETIRE, details={"route": "offcuts"}, actor=merch,
                 now=LAST_YEAR)
    return codes


def test_the_exits_kept_with_the_events_equal_the_ledger_and_the_migration_fills_them_alike(
        db_session: Session, world: dict[str, Any], database_url: str, tmp_path: Path) -> None:
    s = db_session
    _story(s, world, tmp_path)
    kept = _exits(s)
    assert [(action, route, ground) for _, _, action, _, _, _, route, ground in kept] == [
        (Action.RETIRE, "offcuts", None), (Action.RETIRE, "remanufacturing", None),
        (Action.RETIRE, "recycling", "f_damaged_beyond_repair"), (Action.WRITE_OFF, None, None),
        (Action.INSPECT, "offcuts", None), (Action.RETIRE, "offcuts", None)]
    rebuilt = garment_exits.from_events(s)
    assert [(r["event_id"], r["garment_id"], r["action"], r["to_state"], utc(r["occurred_at"]), r["location_id"],
             r["route"], r["ground"]) for r in rebuilt] == kept
    assert garment_exits.rebuild(s) == len(kept) and _exits(s) == kept
    s.commit()
    assert migrated_again(s, database_url, "0022_style_size_receipts", _exits) == kept


def test_the_unsold_figures_read_from_the_exits_equal_the_lists_they_drill_into(
        db_session: Session, world: dict[str, Any], tmp_path: Path) -> None:
    s = db_session
    codes = _story(s, world, tmp_path)
    unsold = charter.build_report(s, year=2026, now=NOW).sections["unsold"]
    wanted = {"retired": {codes[n] for n in ("cut", "blazer", "recycled", "graded")},
              "retired_offcuts": {codes["cut"], codes["graded"]}, "retired_remanufacturing": {codes["blazer"]},
              "retired_recycling": {codes["recycled"]}, "discards": {codes["recycled"]},
              "discards_f_damaged_beyond_repair": {codes["recycled"]}, "written_off": {codes["lost"]}}
    for key, expected in wanted.items():
        page = charter.drill(s, year=2026, section="unsold", figure=key, page=1, per_page=50)
        assert unsold[key].value == page.count == len(expected), key
        assert {item["code"] for item in page.items} == expected, key
    assert unsold["retired"].previous == 1  # the year before: the old piece
    # the workshop figures' garments cut into offcuts: the retire action's, not the grading's
    found = workshop_figures.records(s, period=Period.year(2026), store=None)
    assert [g.code for g in found.retired] == [codes["cut"]]
