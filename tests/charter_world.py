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
                              remanufacturing, rentals, workshops)
from tests.builders import OTHER_STORE, OUTLET, STORE, make_user, seed_world
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


def _lot(session: Session, organiser: Any, when: dt.datetime, grams: int, where: str) -> str:
    return offcut_lots.create(session, actor=organiser, now=when, details={
        "material": "wool", "composition": [{"fibre": "wool", "pct": 100}], "colour": "grey", "weight_g": grams,
        "location": where})["code"]


def _workshop(session: Session, organiser: Any, starts: dt.datetime, where: str) -> int:
    return workshops.plan(session, store=where, starts_at=starts, theme="Pouches and bracelets", capacity=12,
                          organiser=None, actor=organiser, now=starts - dt.timedelta(days=10))["id"]


def add_workshops(session: Session, chain: dict[str, Any]) -> dict[str, Any]:
    """Workshops and remanufactured blazers on top of ``build``'s chain, with the figures worked out by hand.

    2025: lots W1 (2000 g, Antwerp) and W2 (1000 g, Ghent) on 1 March. Workshop A in Antwerp on 10 June:
    8 participants, 6 jewellery pouches and 4 bracelets, 300 g of W1 of which 40 g came back (260 g).
    Workshop B in Ghent on 15 September: 5 participants and 3 toiletry bags from 400 g of W2, corrected
    on the 20th to 6 participants and 2 toiletry bags from 350 g (a correction entry: +1, −1, 50 g back).
    Workshop C in Antwerp on 1 December is planned only (not held). A remanufacturing project takes 500 g
    of W1 on 1 October; two blazers come back on 1 November into Antwerp; B1 sells there on 10 December.
    2026: workshop D in Antwerp on 5 March: 10 participants, 10 bracelets from 120 g of W1. B2 sells on
    1 February; B1 is taken back on 15 January and sells again on 1 April (one garment, sold in both years).
    """
    admin = chain["admin"]
    organiser = make_user(session, Role.WORKSHOP_ORGANISER, home_location=STORE)
    w1 = _lot(session, organiser, at(2025, 3, 1), 2000, STORE)
    w2 = _lot(session, organiser, at(2025, 3, 1), 1000, OTHER_STORE)
    a = _workshop(session, organiser, at(2025, 6, 10), STORE)
    workshops.log(session, workshop_id=a, participants=8, actor=organiser, now=at(2025, 6, 10) + dt.timedelta(hours=3),
                  products=[{"type": "jewellery_pouch", "quantity": 6}, {"type": "bracelet", "quantity": 4}],
                  lots=[{"code": w1, "grams": 300}], leftovers=[{"code": w1, "grams": 40}])
    b = _workshop(session, organiser, at(2025, 9, 15), OTHER_STORE)
    workshops.log(session, workshop_id=b, participants=5, actor=organiser, now=at(2025, 9, 15) + dt.timedelta(hours=3),
                  products=[{"type": "toiletry_bag", "quantity": 3}], lots=[{"code": w2, "grams": 400}])
    workshops.correct(session, workshop_id=b, participants=6, actor=organiser, now=at(2025, 9, 20),
                      products=[{"type": "toiletry_bag", "quantity": 2}], lots=[{"code": w2, "grams": 350}],
                      note="one more participant, one bag fewer; 50 g came back")
    _workshop(session, organiser, at(2025, 12, 1), STORE)
    project = remanufacturing.start(session, partner_location="DRESSR-ANT", name="Blazers from offcuts",
                                    lots=[{"code": w1, "grams": 500}], actor=organiser, now=at(2025, 10, 1))
    blazers = [remanufacturing.add_product(session, project_id=project["id"], style_number="REMADE-BLZ", size="M",
                                           price_cents=24900, location=STORE, actor=admin,
                                           now=at(2025, 11, 1))["code"] for _ in range(2)]

    def act(code: str, action: Action, when: dt.datetime, **details: Any) -> None:
        garments.act(session, code=code, action=action, details=details, actor=admin, now=when)

    act(blazers[0], Action.SELL, at(2025, 12, 10), price_cents=24900)
    d = _workshop(session, organiser, at(2026, 3, 5), STORE)
    workshops.log(session, workshop_id=d, participants=10, actor=organiser, now=at(2026, 3, 5) + dt.timedelta(hours=3),
                  products=[{"type": "bracelet", "quantity": 10}], lots=[{"code": w1, "grams": 120}])
    act(blazers[1], Action.SELL, at(2026, 2, 1), price_cents=24900)
    act(blazers[0], Action.CUSTOMER_RETURN, at(2026, 1, 15), location=STORE)
    act(blazers[0], Action.SELL, at(2026, 4, 1), price_cents=24900)
    return {"lots": [w1, w2], "workshops": [a, b, d], "blazers": blazers}
