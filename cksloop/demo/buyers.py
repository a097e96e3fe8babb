"""Demo bulk buyers (issue 14): two buyers with amended contracts and a lot in each state, through the services.

Every step is written at a backdated time after the chosen garments' own histories, so each garment's
ledger still runs forward in time; the contract dates are relative to ``now`` for the same reason.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cksloop.db.models import Buyer, Garment, GarmentEvent, Location, User
from cksloop.domain.buyer_contracts import OnwardSale, ProofKind, Restrictions
from cksloop.domain.buyer_lots import JOINABLE_PLACES, Shipment
from cksloop.domain.clock import local_date
from cksloop.domain.country_groups import CountryGroup
from cksloop.domain.destinations import EndUse
from cksloop.domain.lifecycle import GarmentState
from cksloop.services import buyer_lots, buyers

DAY = dt.timedelta(days=1)
#: garments for the lots: shipped 8, cancelled 4, confirmed 6, and 3 more for the draft
NEEDED = 21


@dataclass(frozen=True)
class DemoBuyers:
    buyer_ids: tuple[int, ...]
    lot_ids: dict[str, int]  # lot status → lot id


def _quiet_stock(session: Session, *, before: dt.datetime, count: int) -> list[str]:
    """Codes of unsold garments in stock at a store, the warehouse or the outlet, untouched since ``before``."""
    last = (select(GarmentEvent.garment_id, func.max(GarmentEvent.occurred_at).label("at"))
            .group_by(GarmentEvent.garment_id).subquery())
    rows = session.scalars(
        select(Garment.code).join(last, last.c.garment_id == Garment.id)
        .join(Location, Location.id == Garment.location_id)
        .where(Garment.state == GarmentState.IN_STOCK, Location.kind.in_(JOINABLE_PLACES), last.c.at < before)
        .order_by(Garment.code).limit(count))
    return list(rows)


def _contracts(session: Session, buyer_id: int, versions: Sequence[tuple[dt.date, dt.date | None, Restrictions]],
               *, actor: User, now: dt.datetime) -> None:
    for number, (start, end, terms) in enumerate(versions):
        buyers.add_contract(session, buyer_id=buyer_id, valid_from=start, valid_to=end, restrictions=terms,
                            actor_id=actor.id, now=now - dt.timedelta(days=400 - 100 * number))


def load_buyers(session: Session, *, merchandiser: User, now: dt.datetime) -> DemoBuyers | None:
    """Two buyers, contract amendments, and lots draft, confirmed, shipped and cancelled; None when
    the database already holds buyers or too few quiet garments."""
    if session.scalar(select(func.count()).select_from(Buyer)):
        return None
    codes = _quiet_stock(session, before=now - 30 * DAY, count=NEEDED)
    if len(codes) < NEEDED:
        return None
    today = local_date(now)
    broad = buyers.create_buyer(session, name="Textiel Opkoop NV", vat_number="BE0417497106", country="BE",
                                contact_email="inkoop@textielopkoop.example", now=now - 400 * DAY)
    _contracts(session, broad.id, [
        (today - 365 * DAY, today - 150 * DAY, Restrictions()),
        # the amendment adds two OECD countries, forbids one, and shortens the proof deadline
        (today - 149 * DAY, None, Restrictions(
            allowed_groups=frozenset({CountryGroup.EU, CountryGroup.EEA}),
            allowed_countries=frozenset({"CH", "GB"}), forbidden_countries=frozenset({"HU"}),
            allowed_end_uses=frozenset({EndUse.REUSE, EndUse.LICENSED_SORTING, EndUse.LICENSED_RECYCLING}),
            sub_buyers=("Sorteercentrum Gent BV",), proof_days=45))], actor=merchandiser, now=now)
    narrow = buyers.create_buyer(session, name="Tweedehands Noord BV", vat_number="NL100000009B01", country="NL",
                                 contact_email="inkoop@tweedehandsnoord.example", now=now - 300 * DAY)
    narrow_terms = Restrictions(allowed_countries=frozenset({"BE", "NL", "FR"}), allowed_groups=frozenset(),
                                allowed_end_uses=frozenset({EndUse.REUSE}), exclude_home_market=True,
                                onward_sale=OnwardSale.NOT_ALLOWED,
                                proof=frozenset({ProofKind.DESTINATION_DECLARATION, ProofKind.TRANSPORT_DOCUMENT}))
    _contracts(session, narrow.id, [
        (today - 270 * DAY, None, narrow_terms),
        # amended: the same places and use, proof within 30 days instead of 60
        (today - 90 * DAY, None, replace(narrow_terms, proof_days=30))],
        actor=merchandiser, now=now)

    def at(days: int) -> dt.datetime:
        return now - days * DAY

    lots: dict[str, int] = {}
    shipped_on = local_date(at(25))
    lots["shipped"] = buyer_lots.create_lot(session, buyer_id=narrow.id, destination_country="NL",
                                            end_use=EndUse.REUSE, planned_ship_on=shipped_on, codes=codes[:8],
                                            actor=merchandiser, now=at(28))
    buyer_lots.confirm(session, lot_id=lots["shipped"], actor=merchandiser, now=at(27))
    buyer_lots.ship(session, lot_id=lots["shipped"], actor=merchandiser, now=at(25), shipment=Shipment(
        shipped_on=shipped_on, carrier="Bpost", transport_document="CMR-BE-2026-0412", gross_weight_g=6_350))

    lots["cancelled"] = buyer_lots.create_lot(session, buyer_id=broad.id, destination_country="PL",
                                              end_use=EndUse.REUSE, planned_ship_on=local_date(at(15)),
                                              codes=codes[8:12], actor=merchandiser, now=at(20))
    buyer_lots.confirm(session, lot_id=lots["cancelled"], actor=merchandiser, now=at(19))
    buyer_lots.cancel(session, lot_id=lots["cancelled"], actor=merchandiser, now=at(18))

    lots["confirmed"] = buyer_lots.create_lot(session, buyer_id=broad.id, destination_country="DE",
                                              end_use=EndUse.LICENSED_SORTING, planned_ship_on=today + 2 * DAY,
                                              codes=codes[12:18], actor=merchandiser, now=at(10))
    buyer_lots.confirm(session, lot_id=lots["confirmed"], actor=merchandiser, now=at(9))

    # the cancelled lot's garments are free again: the draft takes them, and changes its mind once
    lots["draft"] = buyer_lots.create_lot(session, buyer_id=narrow.id, destination_country="FR",
                                          end_use=EndUse.REUSE, planned_ship_on=today + 7 * DAY,
                                          codes=codes[8:12] + codes[18:20], actor=merchandiser, now=at(3))
    buyer_lots.change_garments(session, lot_id=lots["draft"], add=codes[20:21], remove=[], actor=merchandiser,
                               now=at(2))
    buyer_lots.change_garments(session, lot_id=lots["draft"], add=[], remove=codes[18:19], actor=merchandiser,
                               now=at(1))
    return DemoBuyers(buyer_ids=(broad.id, narrow.id), lot_ids=lots)
