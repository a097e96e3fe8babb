"""How fast a scanned offcut lot label resolves (POST /api/v1/scans with a lot's /r/ URL) and its page
opens, among many lots, against the garment scan's point-operation target (issue 15).

    .venv/bin/python benchmarks/offcut_scan_bench.py [--lots 100000] [--requests 2000]

The lots are written straight into the tables (a benchmark data set, as benchmarks/generate.py writes
garments), each with its ``create`` event, so row and ledger agree. Prints p50/p95/max in ms through the
Flask test client (one process, no network); not a test, numbers vary with load.
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, select  # noqa: E402

from benchmarks.generate import generate  # noqa: E402
from cksloop import create_app  # noqa: E402
from cksloop.db.models import Location, OffcutLot, OffcutLotEvent  # noqa: E402
from cksloop.db.session import make_session_factory  # noqa: E402
from cksloop.domain.lifecycle import LocationKind, Role  # noqa: E402
from cksloop.domain.offcut_labels import format_lot_code, lot_label_url  # noqa: E402
from cksloop.services import accounts, tokens  # noqa: E402

BASE_URL = "https://loop.cks.example"


def add_lots(session, count: int) -> None:
    stores = list(session.scalars(select(Location.id).where(Location.kind == LocationKind.STORE)))
    now = dt.datetime.now(dt.UTC)
    rng = random.Random(15)
    for start in range(0, count, 5000):
        batch = range(start + 1, min(count, start + 5000) + 1)
        lots = [{"code": format_lot_code(n), "version": 1, "location_id": rng.choice(stores), "material": "denim",
                 "composition": [{"fibre": "cotton", "pct": 100}], "colour": "indigo", "area_m2": None,
                 "weight_in_g": (w := rng.randrange(200, 3001)), "split_out_g": 0, "consumed_g": 0, "waste_g": 0,
                 "remaining_g": w, "consumed_by": {}, "source": {}, "created_at": now} for n in batch]
        ids = session.execute(insert(OffcutLot).returning(OffcutLot.id, OffcutLot.weight_in_g,
                                                          OffcutLot.location_id), lots).all()
        session.execute(insert(OffcutLotEvent), [
            {"lot_id": i, "seq": 1, "action": "create", "details": {"weight_g": w}, "grams": w,
             "location_id": loc, "actor_id": None, "occurred_at": now} for i, w, loc in ids])
        session.commit()


def timed(client, requests: int, make) -> list[float]:
    out = []
    for i in range(requests):
        method, path, body = make(i)
        began = time.perf_counter()
        response = client.open(path, method=method, json=body)
        out.append((time.perf_counter() - began) * 1000)
        assert response.status_code in (200, 302), (path, response.status_code)
    return out


def report(name: str, ms: list[float]) -> None:
    ms = sorted(ms)
    print(f"{name:<44} p50 {statistics.median(ms):6.2f} ms | p95 {ms[int(len(ms) * .95) - 1]:6.2f} ms | "
          f"max {ms[-1]:6.2f} ms | n={len(ms)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lots", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/offcuts.sqlite3"
        generate(url, garments=2000, styles=50, stores=10)
        app = create_app({"DATABASE_URL": url, "BASE_URL": BASE_URL, "SECRET_KEY": "bench", "UPLOAD_DIR": tmp})
        with app.app_context():
            session = make_session_factory(app.extensions["cksloop.engine"])()  # set-up by hand
            began = time.perf_counter()
            add_lots(session, args.lots)
            print(f"{args.lots} lots written in {time.perf_counter() - began:.1f} s")
            user = accounts.create_user(session, email="bench@cks.example", name="Bench", role=Role.STORE_STAFF,
                                        password="correct horse battery staple", home_location=None)
            session.commit()
            token = tokens.create_token(session, email=user.email, now=dt.datetime.now(dt.UTC))
            session.commit()
            session.close()
        rng = random.Random(7)
        codes = [format_lot_code(rng.randint(1, args.lots)) for _ in range(args.requests)]
        client = app.test_client()
        client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        timed(client, 50, lambda i: ("POST", "/api/v1/scans", {"payload": lot_label_url(BASE_URL, codes[i])}))
        report("scan a lot label (POST /api/v1/scans)",
               timed(client, args.requests,
                     lambda i: ("POST", "/api/v1/scans", {"payload": lot_label_url(BASE_URL, codes[i])})))
        app.extensions["cksloop.engine"].dispose()


if __name__ == "__main__":
    main()
