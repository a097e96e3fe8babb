"""Rental use cases under one name for the web layer: partners, actions and grading, reads.

Each job lives in its own module (``rental_partners``, ``rental_actions``, ``rental_lists``;
the read-model projection is ``rental_tables``); this module only gathers their public names.
"""
from __future__ import annotations

from cksloop.services.rental_actions import (add_to_pool, check_out, finish_care, receive_return,
                                             record_inspection, record_return, start_care, take_out_of_pool)
from cksloop.services.rental_lists import (PAGE_SIZE, CareEntry, GarmentRentalSummary, InspectionView,
                                           OpenCycle, PoolCount, PoolEntry, awaiting_inspection, defects_for,
                                           garment_rental_summary, inspections_of, iter_rows, needs_reason,
                                           open_care, open_cycles, photo, pool, pool_counts)
from cksloop.services.rental_partners import (create_partner, get_partner, list_partners, partner_locations,
                                              update_partner)
from cksloop.services.rental_tables import RENTAL_STATES, open_cycle

__all__ = [
    "PAGE_SIZE", "RENTAL_STATES", "CareEntry", "GarmentRentalSummary", "InspectionView", "OpenCycle",
    "PoolCount", "PoolEntry", "add_to_pool", "awaiting_inspection", "check_out", "create_partner",
    "defects_for", "finish_care", "garment_rental_summary", "get_partner", "inspections_of", "iter_rows",
    "list_partners", "needs_reason", "open_care", "open_cycle", "open_cycles", "partner_locations", "photo",
    "pool", "pool_counts", "receive_return", "record_inspection", "record_return", "start_care",
    "take_out_of_pool", "update_partner",
]
