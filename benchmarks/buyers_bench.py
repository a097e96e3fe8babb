"""Buyer lots at chain scale, in process against a benchmark dataset's database: a lot of N garments
declared (the contract checked, every garment checked and allocated in the ledger) and confirmed
(issue 14's target: 2,000 garments in < 2 s).

    .venv/bin/python benchmarks/buyers_bench.py URL [--units 2000] [--runs 3]

``benchmarks/run.py`` calls ``measure`` for every dataset it benchmarks; numbers vary with load.
The disclosure for a year is measured over HTTP by ``run.py`` (the page a merchandiser opens).
"""
from __future__ import annotations

import argparse
import datetime as dt
import secrets
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import select  # noqa: E402

from cksloop.db.models import Location, Style  # noqa: E402
from cksloop.db.session import begin_write, make_engine, make_session_factory  # noqa: E402
from cksloop.domain.clock import local_date  # noqa: E402
from cksloop.domain.buyer_contracts import Restrictions  # noqa: E402
from cksloop.domain.destinations import EndUse  # noqa: E402
from cksloop.domain.lifecycle import LocationKind  # noqa: E402
from cksloop.services import buyer_lots, buyers, catalogue, ledger, streams  # noqa: E402
from benchmarks.overstock_bench import _merchandiser, _summary  # noqa: E402

LOT = "declare and confirm a buyer lot (service)"


def measure(url: str, *, units: int, runs: int) -> list[dict[str, Any]]:
    """The timings of ``runs`` lots of ``units`` new garments each, declared and confirmed."""
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            now = dt.datetime.now(dt.UTC)
            merch = _merchandiser(session)
            tag = secrets.token_hex(3).upper()
            buyer = buyers.create_buyer(session, name=f"Bench buyer {tag}", vat_number="BE0417497106",
                                        country="BE", contact_email="bench@buyer.example", now=now)
            buyers.add_contract(session, buyer_id=buyer.id, valid_from=local_date(now) - dt.timedelta(days=30),
                                valid_to=None, restrictions=Restrictions(), actor_id=merch.id, now=now)
            warehouse = session.scalar(select(Location.code).where(Location.kind == LocationKind.WAREHOUSE)
                                       .order_by(Location.id).limit(1))
            style = catalogue.create_style(
                session, style_number=f"BENCH-LOT-{tag}", name="Benchmark coat", season="AW25", category="coat",
                colour="navy", sizes=["S", "M", "L"], country_of_manufacture="PT", supplier="Bench",
                retail_price_cents=14995, materials=[("wool", 100, False, "")])
            session.commit()
            timings, errors = [], 0
            for run in range(runs):
                begin_write(session)
                style = session.get(Style, style.id)
                codes = [catalogue.receive_garment(
                    session, style=style, size="SML"[i % 3], location_code=warehouse, actor=merch,
                    now=now - dt.timedelta(days=200), code=f"CKS-L{tag}{run}{i:04d}", commit=False).code
                    for i in range(units)]
                ledger.before_commit(session, streams.GARMENTS)
                session.commit()
                started = time.perf_counter()
                lot_id = buyer_lots.create_lot(session, buyer_id=buyer.id, destination_country="NL",
                                               end_use=EndUse.REUSE, planned_ship_on=local_date(now) + dt.timedelta(days=7),
                                               codes=codes, actor=merch, now=now)
                buyer_lots.confirm(session, lot_id=lot_id, actor=merch, now=now)
                timings.append(1000 * (time.perf_counter() - started))
                view = buyer_lots.lot_view(session, lot_id)
                errors += view["status"] != "confirmed" or len(view.get("garments") or []) != units
    finally:
        engine.dispose()
    return [{**_summary(LOT, timings, errors), "garments": units}]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--units", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    for result in measure(args.url, units=args.units, runs=args.runs):
        print(result)


if __name__ == "__main__":
    main()
