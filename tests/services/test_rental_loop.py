"""The full rental loop against a real database, checking the ledger and every analytics figure."""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import replace

import pytest
from PIL import Image
from sqlalchemy import func, select

from cksloop.db.models import CareStep, DefectPhoto, Inspection, RentalCycle, RentalPoolStay, RentalTurnaround
from cksloop.domain.clock import utc
from cksloop.domain.errors import IllegalTransition, InvalidDetails
from cksloop.domain.lifecycle import Action, GarmentState, Role
from cksloop.domain.rental_quality import Figures, Thresholds, parse_period
from cksloop.services import (catalogue, garments, rental_attention, rental_figures, rental_reports, rental_rollups,
                              rentals)
from tests.builders import STORE, make_garment, make_user, migrated_again

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
YEAR = parse_period("2026-01-01", "2026-12-31", today=T0.date())
DRESS_MATERIAL = "viscose (LENZING™ ECOVERO™)"


def _days(n: float) -> dt.timedelta:
    return dt.timedelta(days=n)


def _report(session, at):
    return rental_reports.quality_report(session, period=YEAR, now=at)


def _assert_figures(report, expected: Figures, style_number: str = "SS25-0101") -> None:
    """The totals and the one style's rows in every dimension carry exactly ``expected``
    (distinct garments are counted for the totals only)."""
    assert report.totals == replace(expected, garments=expected.garments or 0)
    if expected.is_empty():
        assert report.by_style == report.by_material == report.by_supplier == report.by_season == []
        return
    group = replace(expected, garments=None)
    assert [(r.key, r.figures) for r in report.by_style] == [(style_number, group)]
    assert [(r.key, r.figures) for r in report.by_material] == [(DRESS_MATERIAL, group)]
    assert [(r.key, r.figures) for r in report.by_supplier] == [("Atelier Izmir", group)]
    assert [(r.key, r.figures) for r in report.by_season] == [("SS25", group)]


def _ledger(session, garment):
    return [(e.action, e.to_state) for e in garments.events_of(session, garment)]


def test_full_rental_loop_keeps_ledger_and_every_analytics_figure_right(db_session, world):
    s = db_session
    admin = make_user(s, Role.ADMIN)
    partner = world["partner"]
    g = catalogue.receive_garment(s, style=world["dress"], size="M", location_code=STORE, actor=admin, now=T0)
    _assert_figures(_report(s, T0), Figures())

    # into the pool for Dressr
    rentals.add_to_pool(s, code=g.code, partner_id=partner.id, actor=admin, now=T0)
    t1 = T0 + _days(2)
    _assert_figures(_report(s, t1), Figures(days_in_pool=2.0))
    assert _report(s, t1).totals.utilisation == 0.0

    # out for ten days
    rentals.check_out(s, code=g.code, partner_id=partner.id, due_on=(t1 + _days(10)).date().isoformat(),
                      partner_reference="DR-1001", actor=admin, now=t1)
    t2 = t1 + _days(5)
    report = _report(s, t2)
    _assert_figures(report, Figures(garments=1, cycles=1, days_rented=5.0, days_in_pool=7.0))
    assert report.totals.utilisation == pytest.approx(5 / 7)
    assert report.totals.quality_return_rate is None
    opened, n_open = rentals.open_cycles(s, today=t2.date())
    assert n_open == 1 and opened[0].code == g.code and opened[0].days_overdue == 0

    # back early as a quality return: a snag on the sleeve, graded C → repair
    rentals.record_return(s, code=g.code, actor=admin, now=t2, details={
        "reason": "quality_return", "grade": "C",
        "defects": [{"code": "SNAG", "zone": "sleeve", "severity": 3, "note": "pulled loop at the cuff"}]})
    assert g.state is GarmentState.IN_CARE
    after_quality = Figures(garments=1, cycles=1, days_rented=5.0, days_in_pool=7.0, returns=1,
                            quality_returns=1, defects={"SNAG": 1}, repairs=1)
    report = _report(s, t2)
    _assert_figures(report, after_quality)
    assert report.totals.quality_return_rate == 1.0
    assert report.statement.render() == ("2026-01-01 to 2026-12-31: 1 garment, 1 rental cycle, 1 quality return "
                                         "(reasons: snag, pulled yarn, loop (1))")
    points = rental_attention.attention_points(s, period=YEAR, now=t2, thresholds=Thresholds()).points
    assert {(p.kind, p.key) for p in points} == {("style", "SS25-0101"), ("material", DRESS_MATERIAL)}
    assert all(p.reasons == ["quality_returns"] and not p.acknowledged for p in points)
    assert [d["code"] for d in points[0].evidence[0].defects] == ["SNAG"]
    assert points[0].evidence[0].note == "" and points[0].evidence[0].defects[0]["note"] == "pulled loop at the cuff"

    # three days of repair at € 15, back in the pool
    t3 = t2 + _days(3)
    rentals.finish_care(s, code=g.code, outcome="done", cost_cents=1500, actor=admin, now=t3)
    assert g.state is GarmentState.IN_RENTAL_POOL
    _assert_figures(_report(s, t3), Figures(garments=1, cycles=1, days_rented=5.0, days_in_pool=10.0, returns=1,
                                            quality_returns=1, defects={"SNAG": 1}, repairs=1))

    # out again, then a normal end of rental graded E: cut into offcuts
    rentals.check_out(s, code=g.code, partner_id=partner.id, due_on=(t3 + _days(10)).date(), actor=admin, now=t3)
    t4 = t3 + _days(10)
    _assert_figures(_report(s, t4), Figures(garments=1, cycles=2, days_rented=15.0, days_in_pool=20.0, returns=1,
                                            quality_returns=1, defects={"SNAG": 1}, repairs=1))
    rentals.record_return(s, code=g.code, actor=admin, now=t4, details={
        "reason": "end_of_rental", "grade": "E", "retire_route": "offcuts",
        "defects": [{"code": "ABR", "zone": "hem", "severity": 4}]})
    assert g.state is GarmentState.RETIRED
    t5 = t4 + _days(5)
    final = Figures(garments=1, cycles=2, days_rented=15.0, days_in_pool=20.0, returns=2, quality_returns=1,
                    defects={"SNAG": 1, "ABR": 1}, repairs=1)
    report = _report(s, t5)
    _assert_figures(report, final)
    assert report.totals.utilisation == pytest.approx(0.75)
    assert report.totals.quality_return_rate == 0.5
    assert report.statement.as_dict()["quality_returns"] == 1
    assert report.statement.render().endswith("1 garment, 2 rental cycles, 1 quality return "
                                              "(reasons: snag, pulled yarn, loop (1))")

    # the ledger is the truth: every step recorded, in order, and the garment equals its replay
    assert _ledger(s, g) == [
        (Action.RECEIVE, GarmentState.IN_STOCK),
        (Action.ADD_TO_RENTAL_POOL, GarmentState.IN_RENTAL_POOL),
        (Action.CHECK_OUT_RENTAL, GarmentState.RENTED_OUT),
        (Action.RETURN_RENTAL, GarmentState.IN_CARE),
        (Action.FINISH_CARE, GarmentState.IN_RENTAL_POOL),
        (Action.CHECK_OUT_RENTAL, GarmentState.RENTED_OUT),
        (Action.RETURN_RENTAL, GarmentState.RETIRED),
    ]
    assert garments.replay_matches(s, g)
    cycles = s.scalars(select(RentalCycle).order_by(RentalCycle.id)).all()
    assert [(c.return_reason.value, c.partner_reference) for c in cycles] == [("quality_return", "DR-1001"),
                                                                              ("end_of_rental", None)]
    care = s.scalars(select(CareStep)).all()
    assert [(c.kind.value, c.outcome.value, c.cost_cents) for c in care] == [("repair", "done", 1500)]
    stays = s.scalars(select(RentalPoolStay)).all()
    assert len(stays) == 1 and stays[0].ended_at is not None

    summary = rentals.garment_rental_summary(s, g.id)
    assert (summary.turns, summary.days_rented, summary.quality_returns, summary.repairs, summary.cleanings,
            summary.care_cost_cents) == (2, 15.0, 1, 1, 0, 1500)
    assert summary.public() == {"rental_cycles": 2, "days_rented": 15, "repairs": 1}

    # reproducible for any period: nothing of this happened in 2025
    earlier = parse_period("2025-01-01", "2025-12-31", today=T0.date())
    assert rental_reports.quality_report(s, period=earlier, now=t5).totals == Figures(garments=0)
    assert rental_reports.statement(s, period=earlier, now=t5).render() == (
        "2025-01-01 to 2025-12-31: 0 garments, 0 rental cycles, 0 quality returns (reasons: none)")


def test_a_received_box_of_returns_is_graded_later_and_counts_once(db_session, world, now):
    s = db_session
    admin = make_user(s, Role.ADMIN)
    g = make_garment(s, state=GarmentState.RENTED_OUT, actor=admin, now=now)
    rentals.receive_return(s, code=g.code, actor=admin, now=now + _days(1))
    assert rentals.needs_reason(s, g.id)
    rentals.record_inspection(s, code=g.code, actor=admin, now=now + _days(2), details={
        "reason": "customer_damage", "grade": "B", "defects": [{"code": "STN", "zone": "front", "severity": 2}]})
    rentals.finish_care(s, code=g.code, outcome="failed", actor=admin, now=now + _days(3))
    assert g.state is GarmentState.AWAITING_INSPECTION and not rentals.needs_reason(s, g.id)
    rentals.record_inspection(s, code=g.code, actor=admin, now=now + _days(4),
                              details={"grade": "E", "retire_route": "remanufacturing"})
    assert g.state is GarmentState.RETIRED
    cycle = s.scalar(select(RentalCycle))
    assert cycle.return_reason.value == "customer_damage"
    inspections = s.scalars(select(Inspection).order_by(Inspection.id)).all()
    assert [(i.grade.value, i.rental_cycle_id) for i in inspections] == [("B", cycle.id), ("E", None)]
    period = parse_period("2026-01-01", "2026-12-31", today=now.date())
    totals = rental_reports.quality_report(s, period=period, now=now + _days(5)).totals
    assert (totals.returns, totals.quality_returns, totals.cleanings, totals.defects) == (1, 0, 1, {"STN": 1})


def _png(size=(40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def test_a_defect_photo_is_checked_reencoded_and_kept_with_the_inspection(db_session, world, now, tmp_path):
    s = db_session
    admin = make_user(s, Role.ADMIN)
    g = make_garment(s, state=GarmentState.RENTED_OUT, actor=admin, now=now)
    rentals.record_return(s, code=g.code, actor=admin, now=now, upload_dir=str(tmp_path), photos={0: _png()},
                          details={"reason": "quality_return", "grade": "C",
                                   "defects": [{"code": "SNAG", "zone": "front", "severity": 2}]})
    photo = s.scalar(select(DefectPhoto))
    record, path = rentals.photo(s, photo.id, upload_dir=str(tmp_path))
    assert record.content_type == "image/jpeg" and (record.width, record.height) == (40, 30)
    with Image.open(path) as stored:
        assert stored.format == "JPEG"


def _counts(s):
    return (garments.count_events(s), s.scalar(select(func.count()).select_from(RentalCycle)),
            s.scalar(select(func.count()).select_from(Inspection)),
            s.scalar(select(func.count()).select_from(DefectPhoto)))


def _bomb() -> bytes:
    out = io.BytesIO()
    Image.new("1", (8000, 6000)).save(out, format="PNG")  # 48 megapixels in a few kilobytes
    return out.getvalue()


@pytest.mark.parametrize("details, photos, field", [
    ({"reason": "end_of_rental"}, None, "grade"),
    ({"reason": "quality_return", "grade": "C", "defects": []}, None, "defects"),
    ({"reason": "end_of_rental", "grade": "B", "defects": [{"code": "SNAG", "zone": "front", "severity": 2}]},
     {0: b"<html><script>alert(1)</script></html>"}, "defects.0.photo"),
    ({"reason": "end_of_rental", "grade": "B", "defects": [{"code": "SNAG", "zone": "front", "severity": 2}]},
     {0: b"\xff\xd8\xff" + b"0" * (6 * 1024 * 1024)}, "defects.0.photo"),
    ({"reason": "end_of_rental", "grade": "B", "defects": [{"code": "STN", "zone": "front", "severity": 1}]},
     {0: _bomb()}, "defects.0.photo"),
    ({"reason": "end_of_rental", "grade": "B", "defects": [{"code": "STN", "zone": "front", "severity": 1}]},
     {0: _png()[:60]}, "defects.0.photo"),
])
def test_bad_return_is_refused_with_the_field_and_nothing_is_written(db_session, world, now, tmp_path,
                                                                      details, photos, field):
    s = db_session
    admin = make_user(s, Role.ADMIN)
    g = make_garment(s, state=GarmentState.RENTED_OUT, actor=admin, now=now)
    before = _counts(s)
    with pytest.raises(InvalidDetails) as refused:
        rentals.record_return(s, code=g.code, details=details, photos=photos, upload_dir=str(tmp_path),
                              actor=admin, now=now)
    assert field in refused.value.field_errors
    assert _counts(s) == before
    assert not list(tmp_path.rglob("*.jpg"))


def test_return_of_a_garment_not_rented_out_is_refused(db_session, world, now):
    s = db_session
    admin = make_user(s, Role.ADMIN)
    g = make_garment(s, state=GarmentState.IN_RENTAL_POOL, actor=admin, now=now)
    before = _counts(s)
    with pytest.raises(IllegalTransition):
        rentals.record_return(s, code=g.code, actor=admin, now=now,
                              details={"reason": "end_of_rental", "grade": "A"})
    assert _counts(s) == before


def test_check_out_needs_a_pooled_garment_and_a_due_date_after_the_start(db_session, world, now):
    s = db_session
    admin = make_user(s, Role.ADMIN)
    partner = world["partner"]
    in_stock = make_garment(s, actor=admin, now=now)
    rented = make_garment(s, state=GarmentState.RENTED_OUT, actor=admin, now=now)
    pooled = make_garment(s, state=GarmentState.IN_RENTAL_POOL, actor=admin, now=now)
    before = _counts(s)
    due = (now + _days(10)).date()
    for code in (in_stock.code, rented.code):
        with pytest.raises(IllegalTransition):
            rentals.check_out(s, code=code, partner_id=partner.id, due_on=due, actor=admin, now=now)
    with pytest.raises(InvalidDetails) as refused:
        rentals.check_out(s, code=pooled.code, partner_id=partner.id, due_on=(now - _days(1)).date(),
                          actor=admin, now=now)
    assert "due_on" in refused.value.field_errors
    assert _counts(s) == before


def test_taking_a_garment_out_of_the_pool_ends_its_stay(db_session, world, now):
    s = db_session
    admin = make_user(s, Role.ADMIN)
    g = make_garment(s, actor=admin, now=now)
    rentals.add_to_pool(s, code=g.code, actor=admin, now=now)
    entries, count = rentals.pool(s)
    assert count == 1 and entries[0].code == g.code and entries[0].partner is None
    rentals.take_out_of_pool(s, code=g.code, actor=admin, now=now + _days(4))
    assert rentals.pool(s)[1] == 0
    period = parse_period("2026-01-01", "2026-12-31", today=now.date())
    assert rental_reports.quality_report(s, period=period, now=now + _days(9)).totals.days_in_pool == 4.0


def test_overdue_rentals_are_listed_with_days_overdue(db_session, world, now):
    s = db_session
    admin = make_user(s, Role.ADMIN)
    g = make_garment(s, state=GarmentState.RENTED_OUT, actor=admin, now=now)  # due in ten days
    assert rentals.open_cycles(s, today=(now + _days(10)).date(), overdue_only=True)[1] == 0
    late, n = rentals.open_cycles(s, today=(now + _days(13)).date(), overdue_only=True)
    assert n == 1 and late[0].code == g.code and late[0].days_overdue == 3


def test_an_acknowledged_attention_point_stays_acknowledged_until_new_evidence(db_session, world, now):
    s = db_session
    merch = make_user(s, Role.MERCHANDISER)
    first = make_garment(s, state=GarmentState.RENTED_OUT, actor=merch, now=now)
    second = make_garment(s, state=GarmentState.RENTED_OUT, actor=merch, now=now)
    snag = {"reason": "quality_return", "grade": "C", "defects": [{"code": "SNAG", "zone": "front", "severity": 3}]}
    rentals.record_return(s, code=first.code, details=snag, actor=merch, now=now + _days(1))
    period = parse_period("2026-01-01", "2026-12-31", today=now.date())
    rental_attention.acknowledge(s, kind="style", key="SS25-0101", note="Denser knit for SS27", actor=merch,
                               now=now + _days(2), period=period)
    points = _points_both_ways(s, period, now + _days(2))
    assert points["SS25-0101"].acknowledged and points["SS25-0101"].acknowledgement.note == "Denser knit for SS27"
    assert points["SS25-0101"].acknowledgement.quality_returns == 1
    assert not points[DRESS_MATERIAL].acknowledged
    rentals.record_return(s, code=second.code, details=snag, actor=merch, now=now + _days(3))
    points = _points_both_ways(s, period, now + _days(3))
    assert not points["SS25-0101"].acknowledged and points["SS25-0101"].figures.quality_returns == 2


def _points_both_ways(s, period, now):
    """Attention points with their evidence, after checking that the short form (the analytics
    page's, which reads no evidence) tells the same about which points are acknowledged."""
    full = rental_attention.attention_points(s, period=period, now=now, thresholds=Thresholds()).points
    short = rental_attention.attention_points(s, period=period, now=now, thresholds=Thresholds(),
                                            with_evidence=False).points
    assert [(p.key, p.acknowledged) for p in short] == [(p.key, p.acknowledged) for p in full]
    assert all(p.evidence == [] for p in short) and any(p.evidence for p in full)
    return {p.key: p for p in full}


def test_acknowledgement_without_a_note_is_refused(db_session, world, now):
    s = db_session
    merch = make_user(s, Role.MERCHANDISER)
    period = parse_period("2026-01-01", "2026-12-31", today=now.date())
    with pytest.raises(InvalidDetails) as refused:
        rental_attention.acknowledge(s, kind="style", key="SS25-0101", note="  ", actor=merch, now=now, period=period)
    assert "note" in refused.value.field_errors


def test_partner_names_are_unique_and_rental_days_bounded(db_session, world):
    s = db_session
    with pytest.raises(InvalidDetails) as refused:
        rentals.create_partner(s, name="dressr", default_rental_days=0, contact_email="nope")
    assert set(refused.value.field_errors) == {"name", "default_rental_days", "contact_email"}
    partner = rentals.create_partner(s, name="Rent-a-Look", default_rental_days="14", contact_email="hi@ral.example")
    assert partner.id and partner.default_rental_days == 14
    rentals.update_partner(s, partner_id=partner.id, name="Rent a Look", default_rental_days=7)
    assert [p.name for p in rentals.list_partners(s)] == ["Dressr", "Rent a Look"]


def _rollup_rows(s):
    from cksloop.db.models import RentalDefectRollup, RentalOpenCount, RentalRollup

    s.flush()
    rows = set()
    for model in (RentalRollup, RentalDefectRollup):
        table = model.__table__
        cols = [c for c in table.c if c.name != "id"]
        rows |= {(model.__name__, *r) for r in s.execute(select(*cols)).all()
                 if any(v for c, v in zip(cols, r) if c.name not in ("grain", "bucket_on", "style_id", "partner_id",
                                                                      "code"))}
    rows |= {("open", *r) for r in s.execute(select(RentalOpenCount.__table__)).all() if r[2] or r[3]}
    return rows


def _history(s, world, admin):
    """Rentals spread over month ends and years: straddling, open, lost, received-then-graded."""
    partner = world["partner"].id
    start = dt.datetime(2025, 12, 20, 16, 30, tzinfo=dt.UTC)
    made = []
    for i, style in enumerate([world["dress"], world["blazer"], world["dress"]]):
        g = catalogue.receive_garment(s, style=style, size=style.size_list[0], location_code=STORE, actor=admin,
                                      now=start)
        rentals.add_to_pool(s, code=g.code, partner_id=partner if i != 1 else None, actor=admin, now=start)
        made.append(g)
    a, b, c = made
    t = start + _days(3)
    rentals.check_out(s, code=a.code, partner_id=partner, due_on=(t + _days(30)).date(), actor=admin, now=t)
    rentals.check_out(s, code=b.code, partner_id=partner, due_on=(t + _days(30)).date(), actor=admin, now=t)
    t2 = dt.datetime(2026, 1, 14, 9, 15, tzinfo=dt.UTC)  # back after the new year
    rentals.record_return(s, code=a.code, actor=admin, now=t2, details={
        "reason": "quality_return", "grade": "B", "defects": [{"code": "PILL", "zone": "front", "severity": 2},
                                                              {"code": "PILL", "zone": "back", "severity": 1}]})
    rentals.receive_return(s, code=b.code, actor=admin, now=t2)
    rentals.record_inspection(s, code=b.code, actor=admin, now=t2 + _days(2), details={
        "reason": "quality_return", "grade": "A", "defects": [{"code": "SEAM", "zone": "seam", "severity": 2}]})
    rentals.finish_care(s, code=a.code, outcome="done", actor=admin, now=t2 + _days(1))
    t3 = dt.datetime(2026, 1, 31, 23, 30, tzinfo=dt.UTC)  # already 1 February in Brussels
    rentals.check_out(s, code=c.code, partner_id=partner, due_on=(t3 + _days(10)).date(), actor=admin, now=t3)
    rentals.check_out(s, code=a.code, partner_id=partner, due_on=(t3 + _days(10)).date(), actor=admin, now=t3)
    t4 = dt.datetime(2026, 2, 20, 12, tzinfo=dt.UTC)
    rentals.record_return(s, code=c.code, actor=admin, now=t4, details={"reason": "lost"})
    rentals.take_out_of_pool(s, code=b.code, actor=admin, now=t4)
    return dt.datetime(2026, 3, 5, 8, tzinfo=dt.UTC)  # a is still out


def _by_hand(s, period, now, kind):
    """Days of rentals ("cycles") or pool stays inside the period, summed row by row."""
    from cksloop.domain.clock import utc
    from cksloop.services.rental_figures import bounds_of

    b = bounds_of(period, now=now)
    model = RentalCycle if kind == "cycles" else RentalPoolStay
    start, end = ((RentalCycle.checked_out_at, RentalCycle.returned_at) if kind == "cycles"
                  else (RentalPoolStay.started_at, RentalPoolStay.ended_at))
    total = 0.0
    for lo, hi in s.execute(select(start, end).select_from(model)).all():
        lo, hi = utc(lo), utc(hi) if hi else b.cap
        total += max(0.0, (min(hi, b.cap) - max(lo, b.start)).total_seconds())
    return total / 86400


@pytest.mark.parametrize("first, last", [
    ("2025-01-01", "2025-12-31"), ("2026-01-01", "2026-12-31"), ("2025-12-01", "2026-01-31"),
    ("2026-01-14", "2026-01-14"), ("2026-02-01", "2026-02-28"), ("2025-12-24", "2026-02-01"),
    ("2026-03-01", "2026-03-31"), ("2027-01-01", "2027-01-31"), ("2024-01-01", "2026-12-31"),
])
def test_days_from_the_rollups_equal_the_days_counted_row_by_row(db_session, world, first, last):
    s = db_session
    admin = make_user(s, Role.ADMIN)
    now = _history(s, world, admin)
    period = parse_period(first, last, today=now.date())
    totals = rental_reports.quality_report(s, period=period, now=now).totals
    assert totals.days_rented == pytest.approx(_by_hand(s, period, now, "cycles"), abs=1e-9)
    assert totals.days_in_pool == pytest.approx(_by_hand(s, period, now, "stays"), abs=1e-9)


def test_the_rollups_rebuilt_from_the_rental_tables_equal_the_ones_kept_on_the_way(db_session, world):
    from cksloop.services import rental_rollups

    s = db_session
    admin = make_user(s, Role.ADMIN)
    now = _history(s, world, admin)
    kept = _rollup_rows(s)
    assert kept  # the history left figures behind
    rental_rollups.rebuild(s)
    assert _rollup_rows(s) == kept
    period = parse_period("2025-12-01", "2026-02-28", today=now.date())
    report = rental_reports.quality_report(s, period=period, now=now)
    assert (report.totals.cycles, report.totals.returns, report.totals.quality_returns) == (4, 3, 2)
    assert report.totals.defects == {"PILL": 2, "SEAM": 1}
    assert report.statement.reasons == (("PILL", 1), ("SEAM", 1))
    feb = rental_reports.quality_report(s, period=parse_period("2026-02-01", "2026-02-28", today=now.date()),
                                        now=now)
    assert (feb.totals.cycles, feb.totals.garments, feb.totals.returns) == (2, 2, 1)  # 31 January 23:30 UTC is February in Brussels


def test_garments_rented_in_a_period_count_each_garment_once_per_period_and_partner(db_session, world):
    """The statement counts each garment's first rental in the period (no DISTINCT): checked
    here against a plain distinct count for periods that cut through garments' histories."""
    s = db_session
    admin = make_user(s, Role.ADMIN)
    dressr = world["partner"]
    other = rentals.create_partner(s, name="Second partner")
    back = {"reason": "end_of_rental", "grade": "A", "defects": []}

    def rent(code, partner, at):
        rentals.check_out(s, code=code, partner_id=partner.id, due_on=(at + _days(5)).date(), actor=admin, now=at)
        rentals.record_return(s, code=code, details=back, actor=admin, now=at + _days(3))

    twice = catalogue.receive_garment(s, style=world["dress"], size="S", location_code=STORE, actor=admin, now=T0)
    both = catalogue.receive_garment(s, style=world["dress"], size="M", location_code=STORE, actor=admin, now=T0)
    once = catalogue.receive_garment(s, style=world["dress"], size="L", location_code=STORE, actor=admin, now=T0)
    for g in (twice, both, once):
        rentals.add_to_pool(s, code=g.code, partner_id=dressr.id, actor=admin, now=T0)
    rent(twice.code, dressr, T0 + _days(1))      # March
    rent(twice.code, dressr, T0 + _days(40))     # April
    rent(both.code, dressr, T0 + _days(2))       # March, Dressr
    rent(both.code, other, T0 + _days(10))       # March, the second partner
    rent(both.code, dressr, T0 + _days(45))      # April, Dressr again
    rent(once.code, other, T0 + _days(41))       # April

    def distinct_garments(period, partner=None):
        bounds = rental_figures.bounds_of(period, now=T0 + _days(90))
        query = select(func.count(func.distinct(RentalCycle.garment_id))).where(
            RentalCycle.checked_out_at >= bounds.start, RentalCycle.checked_out_at < bounds.end)
        if partner is not None:
            query = query.where(RentalCycle.partner_id == partner.id)
        return s.scalar(query)

    later = T0 + _days(90)
    march = parse_period("2026-03-01", "2026-03-31", today=later.date())
    april = parse_period("2026-04-01", "2026-04-30", today=later.date())
    spring = parse_period("2026-03-01", "2026-04-30", today=later.date())
    expected = {(march, None): 2, (march, dressr): 2, (march, other): 1, (april, None): 3, (april, dressr): 2,
                (april, other): 1, (spring, None): 3, (spring, dressr): 2, (spring, other): 2}
    for (period, partner), garments_rented in expected.items():
        got = rental_reports.statement(s, period=period, now=later,
                                       partner_id=partner.id if partner is not None else None).garments
        assert got == garments_rented == distinct_garments(period, partner), (period, partner)


def test_each_return_keeps_the_moment_its_garment_was_ready_in_the_pool_again(db_session, world):
    """The turnaround's end, written with the event that puts the garment back: at once for a return
    graded straight into the pool, after the repair for a quality return, never for a retired garment."""
    s = db_session
    admin = make_user(s, Role.ADMIN)
    partner = world["partner"]
    g = catalogue.receive_garment(s, style=world["dress"], size="S", location_code=STORE, actor=admin, now=T0)
    rentals.add_to_pool(s, code=g.code, partner_id=partner.id, actor=admin, now=T0)

    def out_and_back(start, back, **details):
        rentals.check_out(s, code=g.code, partner_id=partner.id, due_on=(start + _days(10)).date(), actor=admin,
                          now=start)
        rentals.record_return(s, code=g.code, actor=admin, now=back, details=details)

    out_and_back(T0, T0 + _days(4), reason="end_of_rental", grade="A", defects=[])
    out_and_back(T0 + _days(5), T0 + _days(9), reason="quality_return", grade="C",
                 defects=[{"code": "SNAG", "zone": "sleeve", "severity": 3}])
    mid_repair = s.scalars(select(RentalCycle.ready_at).order_by(RentalCycle.id)).all()
    assert [_utc(t) for t in mid_repair] == [T0 + _days(4), None]  # in repair: not ready yet
    rentals.finish_care(s, code=g.code, outcome="done", cost_cents=900, actor=admin, now=T0 + _days(12))
    out_and_back(T0 + _days(13), T0 + _days(20), reason="end_of_rental", grade="E", retire_route="offcuts",
                 defects=[{"code": "ABR", "zone": "hem", "severity": 4}])
    s.expire_all()
    cycles = s.scalars(select(RentalCycle).order_by(RentalCycle.id)).all()
    assert [(_utc(c.returned_at), _utc(c.ready_at)) for c in cycles] == [
        (T0 + _days(4), T0 + _days(4)), (T0 + _days(9), T0 + _days(12)), (T0 + _days(20), None)]
    # the same moments as the ledger says: the first event into the pool at or after each return
    into_pool = [_utc(e.occurred_at) for e in garments.events_of(s, g) if e.to_state is GarmentState.IN_RENTAL_POOL]
    for c in cycles:
        assert _utc(c.ready_at) == min((t for t in into_pool if t >= _utc(c.returned_at)), default=None)
    # counted with the moment in the month of each return: ready at once, then after three days of repair
    assert _turnaround_rows(s) == {(T0.date().replace(day=1), g.style_id, partner.id): (2, 3 * 86400)}
    assert _turnaround_rows(s) == rental_rollups.turnarounds_from_cycles(s)


def _turnaround_rows(session):
    return {(r.month, r.style_id, r.partner_id): (r.ready_n, r.ready_s)
            for r in session.scalars(select(RentalTurnaround))}


def _utc(value):
    return None if value is None else utc(value)


def test_the_migration_fills_in_the_ready_moments_the_projection_would_have_written(db_session, world,
                                                                                   database_url):
    """A database from before migration 0018 gets each past return's ready moment from its ledger."""
    s = db_session
    admin = make_user(s, Role.ADMIN)
    partner = world["partner"]
    g = catalogue.receive_garment(s, style=world["dress"], size="L", location_code=STORE, actor=admin, now=T0)
    rentals.add_to_pool(s, code=g.code, partner_id=partner.id, actor=admin, now=T0)
    for start, back, details in (
            (T0, T0 + _days(3), {"reason": "end_of_rental", "grade": "A", "defects": []}),
            (T0 + _days(4), T0 + _days(6), {"reason": "quality_return", "grade": "C",
                                            "defects": [{"code": "SNAG", "zone": "front", "severity": 3}]})):
        rentals.check_out(s, code=g.code, partner_id=partner.id, due_on=(start + _days(10)).date(), actor=admin,
                          now=start)
        rentals.record_return(s, code=g.code, actor=admin, now=back, details=details)
    rentals.finish_care(s, code=g.code, outcome="done", cost_cents=500, actor=admin, now=T0 + _days(8))
    projected = [(c.id, _utc(c.ready_at)) for c in s.scalars(select(RentalCycle).order_by(RentalCycle.id))]
    assert projected[0][1] == T0 + _days(3) and projected[1][1] == T0 + _days(8)
    turnarounds = _turnaround_rows(s)
    assert sum(n for n, _ in turnarounds.values()) == 2
    filled = migrated_again(s, database_url, "0017_events_by_state", lambda fresh: ([
        (i, _utc(t)) for i, t in fresh.execute(select(RentalCycle.id, RentalCycle.ready_at).order_by(RentalCycle.id))],
        _turnaround_rows(fresh)))
    assert filled == (projected, turnarounds)
