"""Buyer lots after shipping, built through the real services: on time, past the proof deadline, proven."""
from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from cksloop.db.models import User
from cksloop.domain.buyer_contracts import Restrictions
from cksloop.domain.buyer_lots import Shipment
from cksloop.domain.destinations import EndUse
from cksloop.services import buyer_lots, buyer_proof, buyers
from tests.builders import make_garment
from tests.proof_files import pdf_bytes

#: the contract's proof days: a lot shipped on 1 September owes its proof by 1 October
PROOF_DAYS = 30
#: long before the tests' today (25 November 2026): a lot shipped then is overdue
LONG_AGO = dt.date(2026, 9, 1)


def make_buyer(session: Session, *, now: dt.datetime, name: str = "Textiel Opkoop NV") -> int:
    """A buyer whose contract (from 1 January 2026, the defaults but 30 proof days) owes the default proof."""
    buyer = buyers.create_buyer(session, name=name, vat_number="BE0417497106", country="BE",
                                contact_email="inkoop@opkoop.example", now=now)
    buyers.add_contract(session, buyer_id=buyer.id, valid_from=dt.date(2026, 1, 1), valid_to=None,
                        restrictions=Restrictions(proof_days=PROOF_DAYS), actor_id=None, now=now)
    return buyer.id


def make_shipped_lot(session: Session, *, buyer_id: int, actor: User, now: dt.datetime, shipped_on: dt.date,
                     garments: int = 1) -> int:
    """A lot of ``garments`` new garments declared, confirmed and shipped on ``shipped_on``; its id."""
    codes = [make_garment(session, now=now).code for _ in range(garments)]
    lot_id = buyer_lots.create_lot(session, buyer_id=buyer_id, destination_country="NL", end_use=EndUse.REUSE,
                                   planned_ship_on=shipped_on, codes=codes, actor=actor, now=now)
    buyer_lots.confirm(session, lot_id=lot_id, actor=actor, now=now)
    buyer_lots.ship(session, lot_id=lot_id, actor=actor, now=now, shipment=Shipment(
        shipped_on=shipped_on, carrier="DHL", transport_document="CMR-2026-77", gross_weight_g=1200))
    return lot_id


def prove_lot(session: Session, *, lot_id: int, actor: User, now: dt.datetime, upload_dir: str) -> None:
    """Upload every proof the lot owes (a small PDF each) and accept it: the lot is proven."""
    owed = buyer_proof.lot_answer(session, lot_id, today=now.date())["proof_missing"]
    for kind in owed:
        buyer_proof.upload_proof(session, lot_id=lot_id, kind=kind, filename=f"{kind}.pdf", raw=pdf_bytes(kind),
                                 upload_dir=upload_dir, actor=actor, now=now)
    buyer_proof.accept_proof(session, lot_id=lot_id, actor=actor, now=now)
