"""The ledgers cksloop keeps and the projections each one feeds: the one list a capability adds to.

A new capability that follows garment events (overstock rollups, buyer lots …) adds its
projection to ``GARMENTS`` here; a new ledger (offcut lots) adds a Stream of its own. Nothing is
registered at import time elsewhere.
"""
from __future__ import annotations

from cksloop.db.models import Garment, GarmentEvent, OffcutLot, OffcutLotEvent
from cksloop.services.garment_exits import GarmentExits
from cksloop.services.ledger import Stream
from cksloop.services.overstock_rollups import ReceiptsRollup, SalesRollup
from cksloop.services.rental_rollups import Rollups
from cksloop.services.rental_tables import RentalTables

GARMENTS = Stream(
    name="garments", table=Garment.__table__, events=GarmentEvent.__table__, key="garment_id",
    # the rental tables gather rollup additions, so the rollups come after them
    projections=(RentalTables(), Rollups(), SalesRollup(), ReceiptsRollup(), GarmentExits()),
)

#: issue 15: offcut lots keep a ledger of their own (events carry ``lot_id`` and ``seq``)
OFFCUT_LOTS = Stream(
    name="offcut_lots", table=OffcutLot.__table__, events=OffcutLotEvent.__table__, key="lot_id",
)
