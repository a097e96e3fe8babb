"""Demo workshops and remanufacturing (issue 15): held and planned workshops in several stores, and a
CKS x Rebelle Antwerp project whose blazers are for sale; everything written through the services."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cksloop.db.models import OffcutLot, Style, User, Workshop
from cksloop.demo.chain import demo_gtin
from cksloop.services import offcut_lots, remanufacturing, workshops

PARTNER = "REBELLE-ANT"
#: (store, material, colour, fibres, grams) of the lots made when the branch has none yet; the
#: material is a fibre and the colour one of the catalogue's, so every language names them
LOTS = [
    ("ANT-MEIR", "cotton", "mid blue", [("cotton", 98), ("elastane", 2)], 4200),
    ("ANT-MEIR", "viscose", "navy", [("viscose", 100)], 1800),
    ("GENT-VELD", "wool", "camel", [("wool", 70), ("polyester", 30)], 2600),
    ("BRU-NIEUW", "cotton", "white", [("cotton", 100)], 1500),
    ("WH-WOMMELGEM", "wool", "charcoal", [("wool", 80), ("polyamide", 20)], 9000),
]
#: (store, days from now, hour, theme, capacity, participants, products) — past ones are logged.
#: A theme is free text the organiser types: in Dutch in Antwerp and Ghent, in French in Brussels.
WORKSHOPS = [
    ("ANT-MEIR", -40, 14, "Juwelenzakjes uit denim", 12, 11, [("jewellery_pouch", 11), ("bracelet", 6)]),
    ("GENT-VELD", -21, 15, "Toilettasjes uit wollen flanel", 8, 8, [("toiletry_bag", 8)]),
    ("BRU-NIEUW", -7, 14, "Bracelets pour enfants", 15, 14, [("bracelet", 20)]),
    ("ANT-MEIR", 5, 14, "Toilettasjes uit viscose", 10, 0, []),
    ("GENT-VELD", 12, 15, "Juwelenzakjes", 12, 0, []),
    ("BRU-NIEUW", 19, 10, "Bracelets et pochettes", 15, 0, []),
]
LINE = "RBL-BLZ-24"
#: the remanufactured line's style number in the demo's GTIN range, after the chain's own styles
LINE_GTIN_INDEX = 900
BLAZERS = [("RBL-BLZ-24", "38", 24900), ("RBL-BLZ-24", "40", 24900), ("RBL-BLZ-24", "42", 26900)]


def _lots_by_store(session: Session, organiser: User, now: dt.datetime) -> dict[str, list[str]]:
    if not session.scalar(select(func.count()).select_from(OffcutLot)):
        for store, material, colour, fibres, grams in LOTS:
            offcut_lots.create(session, actor=organiser, now=now - dt.timedelta(days=60), details={
                "material": material, "colour": colour, "weight_g": grams, "location": store,
                "composition": [{"fibre": f, "pct": p} for f, p in fibres]})
    found: dict[str, list[str]] = {}
    for lot in offcut_lots.list_lots(session, per_page=200)[0]:
        if lot["remaining_g"] > 0 and lot["location"]:
            found.setdefault(lot["location"], []).append(lot["code"])
    return found


def load_workshops(session: Session, *, users: dict[str, User], now: dt.datetime) -> int:
    """Workshops (past ones logged against the store's lots) and a remanufacturing project; the
    number of workshops written (none when the demo already has some)."""
    if session.scalar(select(func.count()).select_from(Workshop)):
        return 0
    organiser, merchandiser = users["workshop"], users["merchandiser"]
    lots = _lots_by_store(session, organiser, now)
    written = 0
    for store, days, hour, theme, capacity, participants, products in WORKSHOPS:
        day = (now + dt.timedelta(days=days)).date()
        starts = dt.datetime(day.year, day.month, day.day, hour - 1, tzinfo=dt.UTC)  # about 14:00 in Brussels
        planned = workshops.plan(session, store=store, starts_at=starts, theme=theme, capacity=capacity,
                                 organiser=organiser.id, actor=organiser, now=now)
        written += 1
        if participants and lots.get(store):
            workshops.log(session, workshop_id=planned["id"], participants=participants, actor=organiser,
                          now=starts + dt.timedelta(hours=2),
                          products=[{"type": k, "quantity": q} for k, q in products],
                          lots=[{"code": code} for code in lots[store][:2]])
    sent = lots.get("WH-WOMMELGEM", [])[:1]
    if sent:
        if session.scalar(select(Style.id).where(Style.style_number == LINE)) is None:
            sizes = sorted({size for _, size, _ in BLAZERS})
            # GTINs, so these labels are GS1 Digital Links like every other demo label
            remanufacturing.create_line(
                session, style_number=LINE, name="CKS x Rebelle Antwerp", season="AW25", sizes=sizes,
                supplier="Rebelle Antwerp", retail_price_cents=24900,
                materials=[("wool", 80, True, "remanufactured offcuts"), ("polyamide", 20, True,
                                                                          "remanufactured offcuts")],
                gtins={size: demo_gtin(LINE_GTIN_INDEX, i + 1) for i, size in enumerate(sizes)}, category="blazer",
                colour="charcoal")
            session.commit()
        # the warehouse lot may be smaller than a blazer run takes (the offcut demo's lots): send what it holds
        left = offcut_lots.lot_dict(session, sent[0])["remaining_g"]
        project = remanufacturing.start(session, partner_location=PARTNER, name="CKS x Rebelle Antwerp",
                                        lots=[{"code": sent[0], "grams": min(6000, left)}], actor=merchandiser,
                                        now=now - dt.timedelta(days=30))
        for style_number, size, price in BLAZERS:
            remanufacturing.add_product(session, project_id=project["id"], style_number=style_number, size=size,
                                        price_cents=price, location="ANT-MEIR", actor=merchandiser,
                                        now=now - dt.timedelta(days=10))
    return written
