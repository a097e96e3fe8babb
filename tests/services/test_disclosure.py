"""The unsold-goods disclosure from the ledger, against figures computed by hand on a small year."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cksloop.db.models import DiscardEvidence, GarmentEvent, User
from cksloop.domain.disclosure import Treatment
from cksloop.domain.errors import InvalidDetails
from cksloop.domain.lifecycle import Action, GarmentState, Role
from cksloop.services import catalogue, discard_evidence, disclosure, garments, settings
from tests.builders import OUTLET, make_garment, make_user
from tests.proof_files import RENAMED_HTML, pdf_bytes, png_bytes

YEAR = 2026


@pytest.fixture
def merch(db_session: Session) -> User:
    return make_user(db_session, Role.MERCHANDISER)


@pytest.fixture
def evidence_id(db_session: Session, merch: User, now: dt.datetime, tmp_path: Path) -> int:
    return discard_evidence.keep(db_session, filename="photo.png", raw=png_bytes(), upload_dir=str(tmp_path),
                                 actor=merch, now=now).id


def _discard(session: Session, code: str, ground: str, evidence: int, merch: User, now: dt.datetime) -> None:
    garments.act(session, code=code, action=Action.RETIRE, actor=merch, now=now,
                 details={"route": "recycling", "ground": ground, "evidence": evidence})


@pytest.fixture
def year_of_discards(db_session: Session, world: dict[str, Any], merch: User, now: dt.datetime,
                     evidence_id: int) -> dict[str, Any]:
    """3 dresses (CN 6104, 350 g) and 1 blazer (CN 6204, 900 g) discarded in 2026, one style
    without a CN code, a 2025 discard, and measures: an outlet sale, a rental, offcuts, remanufacturing."""
    dress, blazer = world["dress"], world["blazer"]
    loose = catalogue.create_style(db_session, style_number="SS26-0303", name="Scarf Mila", season="SS26",
                                   category="scarf", colour="red", sizes=["S", "L"], country_of_manufacture="IT",
                                   supplier="Como", retail_price_cents=3995, materials=[("silk", 100, False, "")])
    db_session.commit()
    dresses = [make_garment(db_session, style=dress).code for _ in range(3)]
    for code, ground in zip(dresses, ["f_damaged_beyond_repair", "f_damaged_beyond_repair", "g_unfixable_defects"]):
        _discard(db_session, code, ground, evidence_id, merch, now)
    jacket = make_garment(db_session, style=blazer).code
    _discard(db_session, jacket, "a_dangerous", evidence_id, merch, now)
    scarf = make_garment(db_session, style=loose).code
    _discard(db_session, scarf, "b_non_compliant", evidence_id, merch, now)
    last_year = dt.datetime(2025, 6, 1, 9, 0, tzinfo=dt.UTC)
    old = make_garment(db_session, style=dress, now=last_year).code
    _discard(db_session, old, "f_damaged_beyond_repair", evidence_id, merch, last_year)
    make_garment(db_session, state=GarmentState.SOLD, location=OUTLET)  # outlet sale: a measure
    make_garment(db_session, state=GarmentState.SOLD)  # a store sale: neither discard nor measure
    make_garment(db_session, state=GarmentState.RENTED_OUT)  # one rental cycle
    make_garment(db_session, state=GarmentState.RETIRED)  # cut into offcuts for workshops
    reman = make_garment(db_session, style=blazer).code
    garments.act(db_session, code=reman, action=Action.RETIRE, details={"route": "remanufacturing"},
                 actor=merch, now=now)
    return {"dresses": dresses, "jacket": jacket, "scarf": scarf, "old": old}


def test_the_disclosure_matches_the_figures_computed_by_hand(db_session: Session, year_of_discards, now, merch):
    settings.set_value(db_session, key=settings.LEGAL_ENTITY_IDENTIFIER, value="BE 0400.000.000", actor=merch,
                       now=now)
    found, read = disclosure.disclosure(db_session, year=YEAR)
    answer = disclosure.as_answer(found, read)
    assert answer["year"] == YEAR
    assert answer["entity"] == {"name": "CKS", "identifier": "BE 0400.000.000"}
    recycled_only = {t.value: 0.0 for t in Treatment} | {"recycling": 100.0}
    assert answer["categories"] == [
        {"cn_code": "61", "units": 3, "weight_kg": 1.05,  # 3 × 350 g
         "grounds": {"f_damaged_beyond_repair": 2, "g_unfixable_defects": 1}, "treatment_pct": recycled_only},
        {"cn_code": "62", "units": 1, "weight_kg": 0.9, "grounds": {"a_dangerous": 1}, "treatment_pct": recycled_only},
    ]
    assert answer["measures"] == [
        {"measure": "outlet", "units": 1, "weight_kg": 0.35},
        {"measure": "rental", "units": 1, "weight_kg": 0.35},
        {"measure": "workshops", "units": 1, "weight_kg": 0.35},
        {"measure": "remanufacturing", "units": 1, "weight_kg": 0.9},
    ]
    assert read.unclassified == [year_of_discards["scarf"]] and answer["unclassified_units"] == 1
    for category in found.categories:
        assert sum(category.treatment_pct.values()) == Decimal(100)


def test_the_garments_behind_each_figure_are_as_many_as_the_figure(db_session: Session, year_of_discards):
    found, _ = disclosure.disclosure(db_session, year=YEAR)
    for category in found.categories:
        behind = disclosure.drill(db_session, year=YEAR, cn_code=category.cn_code)
        assert len(behind) == category.units and tuple(behind) == category.garments
        for ground, units in category.grounds.items():
            assert len(disclosure.drill(db_session, year=YEAR, cn_code=category.cn_code, ground=ground)) == units
        for treatment in Treatment:
            count = len(disclosure.drill(db_session, year=YEAR, cn_code=category.cn_code, treatment=treatment.value))
            assert count == (category.units if treatment is Treatment.RECYCLING else 0)
    assert disclosure.drill(db_session, year=YEAR, cn_code="61") == sorted(year_of_discards["dresses"])
    assert disclosure.drill(db_session, year=2025) == [year_of_discards["old"]]
    with pytest.raises(InvalidDetails) as refused:
        disclosure.drill(db_session, year=YEAR, ground="end_of_season", treatment="burning", cn_code="6")
    assert set(refused.value.field_errors) == {"ground", "treatment", "cn_code"}


@pytest.mark.parametrize("details, fields", [
    ({"route": "recycling"}, {"ground", "evidence"}),
    ({"route": "recycling", "ground": "f_damaged_beyond_repair"}, {"evidence"}),
    ({"route": "recycling", "ground": "end_of_season", "evidence": "$evidence"}, {"ground"}),
    ({"route": "recycling", "ground": "overproduction", "evidence": "$evidence"}, {"ground"}),
    ({"route": "recycling", "evidence": "$evidence"}, {"ground"}),
    ({"route": "recycling", "ground": "f_damaged_beyond_repair", "evidence": 999_999}, {"evidence"}),
])
def test_a_discard_without_a_ground_or_stored_evidence_is_refused_and_writes_nothing(
        db_session: Session, merch: User, now, evidence_id: int, details: dict[str, Any], fields: set[str]):
    garment = make_garment(db_session)
    before = db_session.scalar(select(func.count()).select_from(GarmentEvent))
    filled = {k: (evidence_id if v == "$evidence" else v) for k, v in details.items()}
    with pytest.raises(InvalidDetails) as refused:
        garments.act(db_session, code=garment.code, action=Action.RETIRE, details=filled, actor=merch, now=now)
    assert set(refused.value.field_errors) == fields
    db_session.expire_all()
    assert db_session.scalar(select(func.count()).select_from(GarmentEvent)) == before
    assert garments.get_garment(db_session, garment.code).state is GarmentState.IN_STOCK


def test_evidence_is_checked_by_content_and_kept_five_years(db_session: Session, merch: User, now, tmp_path: Path):
    for raw in (RENAMED_HTML, b"", b"GIF89a" + bytes(20)):
        with pytest.raises(InvalidDetails) as refused:
            discard_evidence.keep(db_session, filename="evidence.pdf", raw=raw, upload_dir=str(tmp_path), actor=merch,
                                  now=now)
        assert set(refused.value.field_errors) == {"evidence_file"}
    assert db_session.scalar(select(func.count()).select_from(DiscardEvidence)) == 0
    row = discard_evidence.keep(db_session, filename="report.pdf", raw=pdf_bytes("lab report"),
                                upload_dir=str(tmp_path), actor=merch, now=now)
    assert row.keep_until == dt.date(2031, 11, 25) and row.content_type == "application/pdf"
    _, path = discard_evidence.evidence_file(db_session, evidence_id=row.id, upload_dir=str(tmp_path))
    assert Path(path).read_bytes() == pdf_bytes("lab report")
