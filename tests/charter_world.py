"""A small chain spanning 2025 and 2026, written through the real services, for the charter report tests.

The figures each test expects are worked out by hand from what happens here (see the comments).
"""
from __future__ import annotations

import datetime as dt
import tempfile
from typing import Any

from sqlalchemy.orm import Session

from cksloop.domain.buyer_lots import Shipment
from cksloop.domain.destinations import EndUse
from cksloop.domain.lifecycle import Action, Role
from cksloop.domain.rental_quality import Period
from cksloop.services import (buyer_lots, buyers, catalogue, discard_evidence, garments, offcut_lots, rental_attention,
                              rentals)
from tests.builders import OUTLET, STORE, make_user, seed_world
from tests.proof_files import png_bytes


def at(year: int, month: int, day: int) -> dt.datetime:
    return dt.datetime(year, month, day, 10, 0, tzinfo=dt.UTC)


def build(session: Session) -> dict[str, Any]:
    """G1 rents twice in 2025 (one quality return with a snag) and once in 2026; G2 sells at the outlet and
    G3 in a store in 2025; G4 is recycled on ground (f) in 2025; one offcut lot lives in 2025; G5 sells
    in a store in 2026 and G6 ships to a buyer in NL for reuse in 2026."""
    world = seed_world(session)
    admin = make_user(session, Role.ADMIN, home_location=STORE)
    organiser = make_user(session, Role.WORKSHOP_ORGANISER, home_location=STORE)
    dress, blazer, partner = world["dress"], world["blazer"], world["partner"]

    def receive(style: Any, when: dt.datetime, where: str = STORE) -> str:
        return catalogue.receive_garment(session, style=style, size=style.size_list[1], location_code=where,
                                         actor=admin, now=when).code

    def act(code: str, action: Action, when: dt.datetime, **details: Any) -> None:
        garments.act(session, code=code, action=action, details=details, actor=admin, now=when)

    g1 = receive(dress, at(2025, 2, 1))
    rentals.add_to_pool(session, code=g1, partner_id=partner.id, actor=admin, now=at(2025, 2, 2))
    rentals.check_out(session, code=g1, partner_id=partner.id, due_on="2025-03-11", actor=admin, now=at(2025, 3, 1))
    rentals.record_return(session, code=g1, actor=admin, now=at(2025, 3, 11),
                          details={"reason": "end_of_rental", "grade": "A"})  # ready at once: 0 days
    rentals.check_out(session, code=g1, partner_id=partner.id, due_on="2025-04-11", actor=admin, now=at(2025, 4, 1))
    rentals.record_return(session, code=g1, actor=admin, now=at(2025, 4, 11), details={
        "reason": "quality_return", "grade": "C",
        "defects": [{"code": "SNAG", "zone": "sleeve", "severity": 3, "note": "pulled loop"}]})
    rentals.finish_care(session, code=g1, outcome="done", actor=admin, now=at(2025, 4, 15))  # ready: 4 days
    rental_attention.acknowledge(session, kind="style", key=dress.style_number, note="Snag-prone knit: denser yarn",
                                 actor=admin, now=at(2025, 4, 20), period=Period(dt.date(2025, 1, 1),
                                                                                  dt.date(2025, 12, 31)))

    g2 = receive(dress, at(2025, 2, 1), OUTLET)
    act(g2, Action.SELL, at(2025, 6, 1), price_cents=6500)
    g3 = receive(blazer, at(2025, 9, 1))
    act(g3, Action.SELL, at(2025, 10, 1), price_cents=18995)
    g4 = receive(blazer, at(2025, 9, 1))
    # a discard needs its evidence on file (Regulation 2024/1781): a photo, kept outside static/
    evidence = discard_evidence.keep(session, filename="burn.png", raw=png_bytes(), upload_dir=tempfile.mkdtemp(),
                                     actor=admin, now=at(2025, 11, 1))
    act(g4, Action.RETIRE, at(2025, 11, 1), route="recycling", ground="f_damaged_beyond_repair",
        note="burnt by an iron", evidence=evidence.id)

    lot = offcut_lots.create(session, actor=organiser, now=at(2025, 5, 1), details={
        "material": "denim", "composition": [{"fibre": "cotton", "pct": 100}], "colour": "indigo",
        "weight_g": 1000, "location": STORE})["code"]
    offcut_lots.act(session, code=lot, action="consume", details={"grams": 300, "note": "jewellery pouches"},
                    actor=organiser, now=at(2025, 5, 10))
    offcut_lots.act(session, code=lot, action="reweigh", details={"weight_g": 600, "reason": "cutting_loss"},
                    actor=organiser, now=at(2025, 5, 20))

    rentals.check_out(session, code=g1, partner_id=partner.id, due_on="2026-02-11", actor=admin, now=at(2026, 2, 1))
    rentals.record_return(session, code=g1, actor=admin, now=at(2026, 2, 11),
                          details={"reason": "end_of_rental", "grade": "A"})
    g5 = receive(dress, at(2026, 1, 10))
    act(g5, Action.SELL, at(2026, 3, 1), price_cents=12995)
    g6 = receive(blazer, at(2026, 1, 10))
    buyer = buyers.create_buyer(session, name="Opkoop NV", vat_number="BE0417497106", country="BE",
                                contact_email="inkoop@opkoop.example", now=at(2026, 1, 1))
    buyers.add_contract(session, buyer_id=buyer.id, valid_from=dt.date(2026, 1, 1), valid_to=None,
                        restrictions=buyers.Restrictions(), actor_id=admin.id, now=at(2026, 1, 1))
    lot_id = buyer_lots.create_lot(session, buyer_id=buyer.id, destination_country="NL", end_use=EndUse.REUSE,
                                   planned_ship_on=dt.date(2026, 5, 1), codes=[g6], actor=admin, now=at(2026, 4, 20))
    buyer_lots.confirm(session, lot_id=lot_id, actor=admin, now=at(2026, 4, 21))
    buyer_lots.ship(session, lot_id=lot_id, shipment=Shipment(dt.date(2026, 5, 1), "DHL", "CMR-2026-001", 2500),
                    actor=admin, now=at(2026, 5, 1))
    return {"admin": admin, "codes": {"g1": g1, "g2": g2, "g3": g3, "g4": g4, "g5": g5, "g6": g6},
            "offcut_lot": lot, "buyer_lot": lot_id}
