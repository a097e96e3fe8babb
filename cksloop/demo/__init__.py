"""Demo seeding, a tool rather than a use case: a believable CKS chain written through the services.

Stores, the CRG warehouse, the outlet, the rental partner Dressr and the remanufacturing partner
Rebelle Antwerp; three collections (SS25, AW25, SS26) of styles with sizes, GTINs and material
compositions; a few hundred garments spread over every lifecycle state reachable today. Every
change goes through ``catalogue.receive_garment`` and ``garments.act`` with backdated times, so
each garment's state equals the replay of its events. A seeded ``random.Random`` makes the data
reproducible for the same seed and clock; passwords are the one thing that is never reproducible.

``chain`` holds the fixed data, ``plans`` and ``stories`` plan histories in memory, ``load`` writes.
"""
from __future__ import annotations

from cksloop.demo.chain import DEFAULT_GARMENTS, DEFAULT_SEED, STYLES, DemoStyle, demo_gtin, demo_gtins
from cksloop.demo.load import (DemoResult, database_ready, ensure_catalogue, ensure_users, garment_count,
                               load_demo_data)
from cksloop.demo.plans import sale_price
from cksloop.demo.stories import STORIES, plan_garments

__all__ = ["DEFAULT_GARMENTS", "DEFAULT_SEED", "STORIES", "STYLES", "DemoResult", "DemoStyle", "database_ready",
           "demo_gtin", "demo_gtins", "ensure_catalogue", "ensure_users", "garment_count", "load_demo_data",
           "plan_garments", "sale_price"]
